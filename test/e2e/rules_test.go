package e2e

import (
	"testing"
)

// TestApproveAlwaysCreatesRule: `approve --always` writes an allow rule for
// server+tool, visible in `rules --json`, and later calls pass without asking.
func TestApproveAlwaysCreatesRule(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.echo("a1", "always one")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	e.mustCLI("approve", p.ID, "--always")
	requireEcho(t, c.result("a1"), "always one")

	rules := e.rules()
	r, ok := findRule(rules, "allow", "ev", "echo")
	if !ok {
		t.Fatalf("approve --always: no allow rule for server ev, tool echo in rules --json: %v", rules)
	}
	if id, ok := r["id"].(string); !ok || id == "" {
		t.Errorf("rule id must be a non-empty JSON string (DESIGN.md), got %v", r["id"])
	}

	c.echo("a2", "always two")
	requireEcho(t, e.passesWithoutAsking(c, "a2"), "always two")
}

// TestDenyAlwaysCreatesRule: `deny --always` writes a deny rule and later calls
// are blocked without asking.
func TestDenyAlwaysCreatesRule(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.call("d1", "get-sum", map[string]any{"a": 1, "b": 2}, nil)
	p := e.waitPending("for ev/get-sum", toolIs("ev", "get-sum"))
	e.mustCLI("deny", p.ID, "--always")
	requireDenied(t, c.result("d1"), "countersign")

	if _, ok := findRule(e.rules(), "deny", "ev", "get-sum"); !ok {
		t.Fatalf("deny --always: no deny rule for ev/get-sum in rules --json: %v", e.rules())
	}
	c.call("d2", "get-sum", map[string]any{"a": 3, "b": 4}, nil)
	requireDenied(t, e.passesWithoutAsking(c, "d2"), "countersign")
}

// TestAllowRule: `rules add allow` lets matching calls through without a pending
// entry, leaves other tools asking, and `rules rm` restores asking.
func TestAllowRule(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "ev", "--tool", "echo")
	r, ok := findRule(e.rules(), "allow", "ev", "echo")
	if !ok {
		t.Fatalf("rules add allow: rule not in rules --json: %v", e.rules())
	}
	c := e.startClient("ev", clientOpts{})

	c.echo("r1", "ruled through")
	requireEcho(t, e.passesWithoutAsking(c, "r1"), "ruled through")

	// The rule is for echo only.
	c.call("r2", "get-sum", map[string]any{"a": 2, "b": 3}, nil)
	p := e.waitPending("for ev/get-sum (not covered by the echo rule)", toolIs("ev", "get-sum"))
	e.mustCLI("approve", p.ID)
	if ev := c.result("r2"); ev.boolean("is_error") {
		t.Fatalf("approved get-sum failed: %s", ev)
	}

	id, _ := r["id"].(string)
	e.mustCLI("rules", "rm", id)
	if _, still := findRule(e.rules(), "allow", "ev", "echo"); still {
		t.Fatalf("rules rm %s: rule still listed: %v", id, e.rules())
	}
	c.echo("r3", "asks again")
	p3 := e.waitPending("for ev/echo after rules rm", toolIs("ev", "echo"))
	e.mustCLI("approve", p3.ID)
	requireEcho(t, c.result("r3"), "asks again")
	c.requireNoTransportErrors()
}

// TestAllowRuleGlob: a tool glob matches several tools of the server.
func TestAllowRuleGlob(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "ev", "--tool", "get-*")
	c := e.startClient("ev", clientOpts{})

	c.call("g1", "get-sum", map[string]any{"a": 20, "b": 22}, nil)
	if ev := e.passesWithoutAsking(c, "g1"); ev.boolean("is_error") {
		t.Fatalf("get-sum allowed by get-* failed: %s", ev)
	}
	c.echo("g2", "not matched by get-*")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	e.mustCLI("deny", p.ID)
	requireDenied(t, c.result("g2"), "countersign")
}

// TestDenyRule: a deny rule blocks with an isError result and no pending entry,
// and wins over an allow rule for the same tool (rule order of DESIGN.md).
func TestDenyRule(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "ev", "--tool", "*")
	e.mustCLI("rules", "add", "deny", "--server", "ev", "--tool", "get-sum")
	c := e.startClient("ev", clientOpts{})

	c.call("b1", "get-sum", map[string]any{"a": 1, "b": 1}, nil)
	ev := e.passesWithoutAsking(c, "b1")
	requireDenied(t, ev, "countersign")

	c.echo("b2", "allowed by *")
	requireEcho(t, e.passesWithoutAsking(c, "b2"), "allowed by *")
	c.requireNoTransportErrors()
}

// TestRulesPersistAcrossRestart: rules survive a daemon restart and still apply.
func TestRulesPersistAcrossRestart(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "ev", "--tool", "echo")
	e.mustCLI("rules", "add", "deny", "--server", "ev", "--tool", "get-sum")
	before := e.rules()
	allow, ok1 := findRule(before, "allow", "ev", "echo")
	deny, ok2 := findRule(before, "deny", "ev", "get-sum")
	if !ok1 || !ok2 {
		t.Fatalf("rules not listed after add: %v", before)
	}

	e.stopDaemon()
	e.startDaemon()

	after := e.rules()
	allow2, ok1 := findRule(after, "allow", "ev", "echo")
	deny2, ok2 := findRule(after, "deny", "ev", "get-sum")
	if !ok1 || !ok2 {
		t.Fatalf("rules lost across restart: before %v, after %v", before, after)
	}
	if allow["id"] != allow2["id"] || deny["id"] != deny2["id"] {
		t.Errorf("rule ids changed across restart: before %v, after %v", before, after)
	}

	c := e.startClient("ev", clientOpts{})
	c.echo("p1", "after restart")
	requireEcho(t, e.passesWithoutAsking(c, "p1"), "after restart")
	c.call("p2", "get-sum", map[string]any{"a": 1, "b": 2}, nil)
	requireDenied(t, e.passesWithoutAsking(c, "p2"), "countersign")
}
