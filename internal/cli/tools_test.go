package cli

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/countersign/countersign/internal/localapi"
)

// TestToolsCommands: list, diff and trust against a real core, after a
// session reported a tool that later changed (as a shim does).
func TestToolsCommands(t *testing.T) {
	api := startCore(t)
	ctx := context.Background()
	s, err := api.OpenSession(ctx, localapi.SessionRequest{Server: "fs", Client: "c", Command: []string{"fs-server"}, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	for _, result := range []string{
		`{"tools":[{"name":"read","description":"Reads a file."},{"name":"echo","description":"Echoes."}]}`,
		`{"tools":[{"name":"read","description":"Reads a file.\u200b"},{"name":"echo","description":"Echoes."}]}`,
	} {
		if _, err := api.ReviewList(ctx, localapi.ListReport{SessionID: u.SessionID, Kind: "tool", Result: json.RawMessage(result)}); err != nil {
			t.Fatal(err)
		}
	}

	code, out, errOut := runCLI(t, "tools", "--json")
	if code != exitOK {
		t.Fatalf("tools --json: exit %d %s", code, errOut)
	}
	var pins []map[string]any
	if err := json.Unmarshal([]byte(out), &pins); err != nil || len(pins) != 2 {
		t.Fatalf("tools --json = %s (%v)", out, err)
	}
	wantKeys := []string{"collisions", "findings", "first_seen", "hash", "kind", "name", "reason", "server", "server_id", "state", "updated_at"}
	states := map[string]string{}
	for _, p := range pins {
		keys := keysOf(p)
		if p["reason"] == nil {
			keys = append(keys, "reason")
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("keys = %q, want %q", keys, wantKeys)
		}
		states[p["name"].(string)] = p["state"].(string)
	}
	if want := map[string]string{"read": "quarantined", "echo": "trusted"}; !reflect.DeepEqual(states, want) {
		t.Errorf("states = %v, want %v", states, want)
	}

	code, out, _ = runCLI(t, "tools", "diff", "fs", "read")
	if code != exitOK || !strings.Contains(out, "{+<U+200B>+}") {
		t.Errorf("tools diff: exit %d\n%s\nwant the zero-width space made visible as an insertion", code, out)
	}
	code, out, _ = runCLI(t, "tools")
	if code != exitOK || !strings.Contains(out, "quarantined") || !strings.Contains(out, "STATE") {
		t.Errorf("tools table: exit %d\n%s", code, out)
	}

	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"tools", "trust"}, exitUsage},
		{[]string{"tools", "diff", "fs"}, exitUsage},
		{[]string{"tools", "diff", "fs", "nope"}, exitFailure},
		{[]string{"tools", "trust", "nope"}, exitFailure},
		{[]string{"tools", "trust", "fs", "read", "--kind", "widget"}, exitFailure},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if code, _, errOut := runCLI(t, tc.args...); code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errOut)
			}
		})
	}

	code, out, errOut = runCLI(t, "tools", "trust", "fs")
	if code != exitOK || !strings.Contains(out, "tool:read") {
		t.Fatalf("tools trust: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "tools", "--server", "fs", "--json")
	if code != exitOK || strings.Contains(out, "quarantined") {
		t.Errorf("after trust: exit %d\n%s", code, out)
	}
}
