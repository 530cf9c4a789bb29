package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/historyexport"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
)

// startCore runs a real core (store, LocalAPI socket) in a short temp
// COUNTERSIGN_HOME for the CLI under test, and stops it at cleanup.
func startCore(t *testing.T) *localapi.Client {
	t.Helper()
	dir, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv(home.Env, dir)
	t.Setenv("XDG_RUNTIME_DIR", "")
	c, err := core.Open(context.Background(), core.Options{Home: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("core.Open: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	api := localapi.NewClient(home.Socket(dir))
	t.Cleanup(func() {
		api.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("core Close: %v", err)
		}
	})
	return api
}

// a GitHub-token-shaped string that must never reach the history
const tokenShape = "ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"

// seedHistory reports five calls through POST /v1/records, as shims do.
func seedHistory(t *testing.T, api *localapi.Client) time.Time {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	recs := []localapi.CallRecord{
		{ID: "old", Client: "cursor", Server: "fs", Tool: "read_file", Args: `{"path":"/old"}`, ArgsSize: 15,
			RequestedAt: now.Add(-40 * 24 * time.Hour), DecidedAt: now.Add(-40 * 24 * time.Hour), Decision: "approved", DecidedBy: "rule", RuleID: "r1"},
		{ID: "read", Client: "claude-code", Server: "fs", Tool: "read_file", Args: `{"path":"/etc/passwd"}`, ArgsSize: 22,
			RequestedAt: now.Add(-3 * time.Hour), DecidedAt: now.Add(-3*time.Hour + 2*time.Second), Decision: "approved", DecidedBy: "user",
			ServerMS: 12, ResultStatus: "ok", ResultExcerpt: `{"content":[{"type":"text","text":"root:x:0:0"}]}`, ResultSize: 2048},
		{ID: "push", Client: "claude-code", Server: "git", Tool: "push", Args: `{"msg":"=HYPERLINK(\"http://evil\")","force":true}`, ArgsSize: 45,
			RequestedAt: now.Add(-2 * time.Hour), DecidedAt: now.Add(-2 * time.Hour), Decision: "denied", DecidedBy: "user"},
		{ID: "leak", Client: "claude-code", Server: "web", Tool: "post", Args: `{"body":"token ` + tokenShape + `"}`, ArgsSize: 60,
			RequestedAt: now.Add(-1 * time.Hour), DecidedAt: now.Add(-1 * time.Hour), Decision: "blocked", DecidedBy: "policy", Reason: "secret_in_arguments"},
		{ID: "raw", Client: "claude-code", Server: "fs", Tool: "write_file", Args: `{"path":"/tmp/x","content":"cut he`, ArgsSize: 90000,
			RequestedAt: now.Add(-1 * time.Minute)},
	}
	if err := api.Record(context.Background(), recs); err != nil {
		t.Fatalf("Record: %v", err)
	}
	return now
}

// callKeys is the stable key set of one call in `history --json`.
var callKeys = []string{
	"id", "requested_at", "decided_at", "session_id", "client", "server", "tool", "arguments", "arguments_size",
	"arguments_truncated", "arguments_digest", "decision", "decided_by", "rule_id", "note", "reason", "wait_ms",
	"server_ms", "result_status", "result_size", "tool_hash", "result_flags",
}

func decodeCalls(t *testing.T, out string) []map[string]any {
	t.Helper()
	var calls []map[string]any
	if err := json.Unmarshal([]byte(out), &calls); err != nil {
		t.Fatalf("not one JSON array: %v\n%s", err, out)
	}
	return calls
}

func idsOf(calls []map[string]any) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c["id"].(string))
	}
	return out
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestHistoryJSONShape(t *testing.T) {
	api := startCore(t)
	seedHistory(t, api)
	code, out, errOut := runCLI(t, "history", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	calls := decodeCalls(t, out)
	if got, want := idsOf(calls), []string{"raw", "leak", "push", "read", "old"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want newest first %v", got, want)
	}
	want := slices.Clone(callKeys)
	slices.Sort(want)
	for _, c := range calls {
		if got := keysOf(c); !reflect.DeepEqual(got, want) {
			t.Errorf("call %s keys\n got %v\nwant %v", c["id"], got, want)
		}
		if _, err := time.Parse(time.RFC3339, c["requested_at"].(string)); err != nil {
			t.Errorf("requested_at not RFC 3339: %v", err)
		}
	}
	byID := map[string]map[string]any{}
	for _, c := range calls {
		byID[c["id"].(string)] = c
	}
	if args, ok := byID["read"]["arguments"].(map[string]any); !ok || args["path"] != "/etc/passwd" {
		t.Errorf("JSON arguments not an object: %#v", byID["read"]["arguments"])
	}
	if s, ok := byID["raw"]["arguments"].(string); !ok || !strings.HasPrefix(s, `{"path":"/tmp/x"`) {
		t.Errorf("cut arguments not a string: %#v", byID["raw"]["arguments"])
	}
	if byID["raw"]["arguments_truncated"] != true || byID["read"]["arguments_truncated"] != false {
		t.Errorf("arguments_truncated: raw %v read %v", byID["raw"]["arguments_truncated"], byID["read"]["arguments_truncated"])
	}
	if byID["raw"]["decided_at"] != nil || byID["read"]["decided_at"] == nil {
		t.Errorf("decided_at: undecided %v, decided %v", byID["raw"]["decided_at"], byID["read"]["decided_at"])
	}
	if byID["push"]["decision"] != "denied" || byID["read"]["server_ms"] != float64(12) || byID["read"]["result_size"] != float64(2048) {
		t.Errorf("fields lost: %v %v", byID["push"], byID["read"])
	}
	// The core's redaction hook masked the token shape before it was written.
	if strings.Contains(out, tokenShape) {
		t.Errorf("history shows a token-shaped string:\n%s", out)
	}
	if !strings.Contains(out, "«redacted»") {
		t.Errorf("no redaction marker in history output")
	}
}

func TestHistoryFilters(t *testing.T) {
	api := startCore(t)
	now := seedHistory(t, api)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--server", "fs"}, []string{"raw", "read", "old"}},
		{[]string{"--tool", "read_file"}, []string{"read", "old"}},
		{[]string{"--client", "cursor"}, []string{"old"}},
		{[]string{"--decision", "denied"}, []string{"push"}},
		{[]string{"--search", "passwd"}, []string{"read"}},
		{[]string{"--search", tokenShape}, []string{}},
		{[]string{"--since", "24h"}, []string{"raw", "leak", "push", "read"}},
		{[]string{"--since", "24h", "--until", "90m"}, []string{"push", "read"}},
		{[]string{"--until", now.Add(-30 * 24 * time.Hour).Format(time.RFC3339)}, []string{"old"}},
		{[]string{"--limit", "2"}, []string{"raw", "leak"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"history", "--json"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := idsOf(decodeCalls(t, out)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHistoryTableFits80Columns(t *testing.T) {
	api := startCore(t)
	seedHistory(t, api)
	code, out, errOut := runCLI(t, "history")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("table:\n%s", out)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
}

func TestHistoryShow(t *testing.T) {
	api := startCore(t)
	seedHistory(t, api)
	code, out, errOut := runCLI(t, "history", "show", "read", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var c map[string]any
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(callKeys), "result_excerpt")
	slices.Sort(want)
	if got := keysOf(c); !reflect.DeepEqual(got, want) {
		t.Errorf("keys\n got %v\nwant %v", got, want)
	}
	if r, ok := c["result_excerpt"].(map[string]any); !ok || r["content"] == nil {
		t.Errorf("result_excerpt = %#v", c["result_excerpt"])
	}
	code, out, _ = runCLI(t, "history", "show", "read")
	if code != exitOK || !strings.Contains(out, "/etc/passwd") || !strings.Contains(out, "root:x:0:0") || !strings.Contains(out, "approved by user") {
		t.Errorf("show (text) exit %d:\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "history", "show", "nope"); code != exitFailure {
		t.Errorf("show of a missing call: exit %d, want %d", code, exitFailure)
	}
}

func TestHistoryExportParsesBack(t *testing.T) {
	api := startCore(t)
	seedHistory(t, api)
	_, listed, _ := runCLI(t, "history", "--json")
	want := idsOf(decodeCalls(t, listed))
	dir := t.TempDir()

	t.Run("jsonl", func(t *testing.T) {
		path := filepath.Join(dir, "calls.jsonl")
		code, _, errOut := runCLI(t, "history", "export", "--format", "jsonl", "--out", path)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "Exported 5 calls") {
			t.Errorf("stderr: %s", errOut)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("export file mode: %v %v", fi, err)
		}
		f, _ := os.Open(path)
		defer f.Close()
		var got []string
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var c localapi.HistoryCall
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			got = append(got, c.ID)
			if c.ID == "read" && !strings.Contains(string(c.ResultExcerpt), "root:x") {
				t.Errorf("export lacks the result excerpt: %s", c.ResultExcerpt)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("jsonl ids %v, want %v", got, want)
		}
	})
	t.Run("csv", func(t *testing.T) {
		path := filepath.Join(dir, "calls.csv")
		code, _, errOut := runCLI(t, "history", "export", "--format", "csv", "--out", path, "--since", "30d")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), "\r\n") {
			t.Error("CSV lines do not end in CRLF")
		}
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatalf("CSV does not parse back: %v", err)
		}
		if !reflect.DeepEqual(recs[0], historyexport.Header) {
			t.Errorf("header %v", recs[0])
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		var got []string
		for _, r := range recs[1:] {
			if len(r) != len(historyexport.Header) {
				t.Fatalf("row of %d cells", len(r))
			}
			got = append(got, r[col["id"]])
			if r[col["id"]] == "push" {
				if args := r[col["arguments"]]; !strings.Contains(args, `=HYPERLINK`) {
					t.Errorf("push arguments cell %q", args)
				}
			}
			for i, cell := range r {
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("cell %s = %q starts a formula", recs[0][i], cell)
				}
			}
		}
		if !reflect.DeepEqual(got, want[:4]) {
			t.Errorf("csv ids %v, want %v (since 30d)", got, want[:4])
		}
	})
	t.Run("stdout", func(t *testing.T) {
		code, out, _ := runCLI(t, "history", "export", "--format", "jsonl", "--server", "git")
		if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"id":"push"`) {
			t.Errorf("exit %d, out %q", code, out)
		}
	})
}

func TestHistoryPrune(t *testing.T) {
	api := startCore(t)
	seedHistory(t, api)
	code, out, errOut := runCLI(t, "history", "prune", "--older-than", "30d")
	if code != exitOK || !strings.Contains(out, "Removed 1 calls and 0 events older than 30d") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	_, listed, _ := runCLI(t, "history", "--json")
	if got := idsOf(decodeCalls(t, listed)); slices.Contains(got, "old") || len(got) != 4 {
		t.Errorf("after prune: %v", got)
	}
	code, out, _ = runCLI(t, "history", "prune", "--older-than", "30d", "--json")
	var res map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &res) != nil || res["calls"] != float64(0) || res["before"] == nil {
		t.Errorf("second prune: exit %d %s", code, out)
	}
}

func TestHistoryEventsEmpty(t *testing.T) {
	startCore(t)
	code, out, _ := runCLI(t, "history", "events", "--json")
	if code != exitOK || strings.TrimSpace(out) != "[]" {
		t.Errorf("events: exit %d %q", code, out)
	}
}

func TestHistoryExitCodes(t *testing.T) {
	startCore(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"history", "--decision", "maybe"}, exitUsage},
		{[]string{"history", "--since", "yesterday"}, exitUsage},
		{[]string{"history", "--since", "1h", "--until", "2h"}, exitUsage},
		{[]string{"history", "--limit", "-1"}, exitUsage},
		{[]string{"history", "--limit", "5000"}, exitUsage},
		{[]string{"history", "extra"}, exitUsage},
		{[]string{"history", "show"}, exitUsage},
		{[]string{"history", "export"}, exitUsage},
		{[]string{"history", "export", "--format", "xml"}, exitUsage},
		{[]string{"history", "prune"}, exitUsage},
		{[]string{"history", "prune", "--older-than", "0s"}, exitUsage},
		{[]string{"history", "prune", "--older-than", "soon"}, exitUsage},
		{[]string{"history", "export", "--format", "csv", "--out", "/nonexistent-dir/x.csv"}, exitFailure},
		{[]string{"history", "--json"}, exitOK},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			if code, _, errOut := runCLI(t, tc.args...); code != tc.code {
				t.Errorf("exit %d, want %d (%s)", code, tc.code, errOut)
			}
		})
	}
	t.Run("core not running", func(t *testing.T) {
		dir, err := os.MkdirTemp("", "cs")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		t.Setenv(home.Env, dir)
		for _, args := range [][]string{{"history"}, {"history", "show", "x"}, {"history", "export", "--format", "csv"}, {"history", "prune", "--older-than", "1d"}} {
			if code, _, _ := runCLI(t, args...); code != exitNoCore {
				t.Errorf("%v: exit %d, want %d", args, code, exitNoCore)
			}
		}
	})
}
