package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestExitCodes: 0 ok, 1 failure, 2 usage error, 3 core not running (DESIGN.md),
// with a message on stderr for every non-zero exit.
func TestExitCodes(t *testing.T) {
	e := newEnv(t)

	noCore := []struct {
		args []string
		want int
	}{
		{[]string{"pending"}, 3},
		{[]string{"pending", "--json"}, 3},
		{[]string{"approve", "someid"}, 3},
		{[]string{"deny", "someid"}, 3},
	}
	for _, tc := range noCore {
		t.Run("no core/"+strings.Join(tc.args, " "), func(t *testing.T) {
			checkExit(t, e.sub(t).cli(tc.args...), tc.want)
		})
	}

	e.startDaemon()
	withCore := []struct {
		args []string
		want int
	}{
		{[]string{"status"}, 0},
		{[]string{"status", "--json"}, 0},
		{[]string{"pending"}, 0},
		{[]string{"rules"}, 0},
		{[]string{"--help"}, 0},
		{[]string{"approve", "nosuchid"}, 1},
		{[]string{"approve", "nosuchid", "--session"}, 1},
		{[]string{"deny", "nosuchid", "--note", "x"}, 1},
		{[]string{"rules", "rm", "nosuchrule"}, 1},
		{[]string{"pending", "--no-such-flag"}, 2},
		{[]string{"approve"}, 2},
		{[]string{"approve", "someid", "--session", "--always"}, 2},
		{[]string{"rules", "add", "maybe", "--server", "ev"}, 2},
		{[]string{"rules", "add", "allow"}, 2},
		{[]string{"no-such-command"}, 2},
		{[]string{"shim", "--name", "ev"}, 2},
		{[]string{"shim", "--name", "ev", "--timeout", "soon", "--", "true"}, 2},
	}
	for _, tc := range withCore {
		t.Run("core up/"+strings.Join(tc.args, " "), func(t *testing.T) {
			checkExit(t, e.sub(t).cli(tc.args...), tc.want)
		})
	}
}

func checkExit(t *testing.T, res cliResult, want int) {
	t.Helper()
	if res.code != want {
		t.Errorf("want exit %d, got %s", want, res)
	}
	if want != 0 && strings.TrimSpace(res.stderr) == "" {
		t.Errorf("exit %d with nothing on stderr: %s", res.code, res)
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkKeys walks a JSON document: every object key must be snake_case and every
// "id" or "*_id" value a string. Subtrees under args/arguments are the tool's own
// data and are skipped.
func checkKeys(path string, v any, problems *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := path + "." + k
			if !snakeCase.MatchString(k) {
				*problems = append(*problems, fmt.Sprintf("key %s is not snake_case", p))
			}
			if (k == "id" || strings.HasSuffix(k, "_id")) && val != nil {
				if _, ok := val.(string); !ok {
					*problems = append(*problems, fmt.Sprintf("%s is %T, want a string id", p, val))
				}
			}
			if k == "args" || k == "arguments" {
				continue
			}
			checkKeys(p, val, problems)
		}
	case []any:
		for i, val := range x {
			checkKeys(fmt.Sprintf("%s[%d]", path, i), val, problems)
		}
	}
}

// TestJSONOutputs: every --json listing prints one JSON document with snake_case
// keys and string ids, and carries the documented fields.
func TestJSONOutputs(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "ev", "--tool", "get-*")
	c := e.startClient("ev", clientOpts{})
	c.echo("j1", "json shapes")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))

	for _, args := range [][]string{{"status", "--json"}, {"pending", "--json"}, {"rules", "--json"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			doc := e.sub(t).jsonCLI(args...)
			var problems []string
			checkKeys("$", doc, &problems)
			for _, pr := range problems {
				t.Error(pr)
			}
		})
	}

	t.Run("pending fields", func(t *testing.T) {
		for _, k := range []string{"id", "client", "server", "tool"} {
			if _, ok := p.Raw[k]; !ok {
				t.Errorf("pending entry lacks %q: %s", k, p)
			}
		}
		if p.Args == nil {
			t.Errorf("pending entry lacks the call's arguments (args): %s", p)
		} else if p.Args["message"] != "json shapes" {
			t.Errorf("pending args = %v, want message %q", p.Args, "json shapes")
		}
	})
	t.Run("rules fields", func(t *testing.T) {
		e := e.sub(t)
		r, ok := findRule(e.rules(), "allow", "ev", "get-*")
		if !ok {
			t.Fatalf("added rule not listed: %v", e.rules())
		}
		if _, ok := r["id"].(string); !ok {
			t.Errorf("rule id is not a string: %v", r)
		}
	})

	e.mustCLI("deny", p.ID)
	requireDenied(t, c.result("j1"), "countersign")
}
