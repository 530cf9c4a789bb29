package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestApproveOnce: a held echo call is listed by `pending`, approved from the CLI,
// and its real result reaches the TypeScript client. Approving once is once: the
// same call asks again.
func TestApproveOnce(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	names := c.listTools("l1")
	if !slices.Contains(names, "echo") {
		t.Fatalf("tools/list through the shim lacks echo: %v", names)
	}

	c.echo("a1", "hello approve")
	p := e.waitPending("for ev/echo", argIs("ev", "echo", "message", "hello approve"))
	if p.Client != "e2e" {
		t.Errorf("pending client = %q, want %q (from --client): %s", p.Client, "e2e", p)
	}
	if _, done := c.done("a1"); done {
		t.Fatalf("call returned before any decision: %v", c.eventLog())
	}
	e.mustCLI("approve", p.ID)
	requireEcho(t, c.result("a1"), "hello approve")
	e.waitGone(p.ID)

	// Once means once: the identical call is held again.
	c.echo("a2", "hello approve")
	p2 := e.waitPending("for the repeated call", argIs("ev", "echo", "message", "hello approve"))
	if p2.ID == p.ID {
		t.Errorf("the repeated call reuses pending id %s", p.ID)
	}
	e.mustCLI("deny", p2.ID)
	requireDenied(t, c.result("a2"), "countersign")

	// The server's stderr passes through the shim.
	if !strings.Contains(c.stderr.String(), "Starting default (STDIO) server") {
		t.Errorf("server-everything's stderr banner did not pass through the shim; stderr:\n%s", c.stderr.String())
	}
	c.requireNoTransportErrors()
}

// TestDenyWithNote: `deny ID --note` returns a CallToolResult with isError whose
// text says the user denied it via Countersign and carries the note.
func TestDenyWithNote(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.echo("d1", "please deny me")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	note := "use the staging bucket, not prod ✓"
	e.mustCLI("deny", p.ID, "--note", note)
	ev := c.result("d1")
	requireDenied(t, ev, "denied", "user", "countersign", note)
	if strings.Contains(ev.joinedText(), "Echo: please deny me") {
		t.Errorf("the denied call reached the server: %s", ev)
	}
	e.waitGone(p.ID)
	c.requireNoTransportErrors()
}

// TestTimeoutDenies: with `--timeout 2s` an unanswered call becomes a denial whose
// text names the timeout, and it leaves the pending list.
func TestTimeoutDenies(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{shimFlags: []string{"--timeout", "2s"}})

	c.echo("t1", "nobody answers")
	ev := c.result("t1")
	requireDenied(t, ev, "countersign")
	// The reason must be the timeout: named as such, or by its configured length.
	low := strings.ToLower(ev.joinedText())
	if !strings.Contains(low, "timeout") && !strings.Contains(low, "timed out") && !strings.Contains(low, "2s") {
		t.Errorf("timeout denial text %q does not mention the timeout", ev.joinedText())
	}
	e.waitPendingCount("for ev/echo after the timeout", 0, toolIs("ev", "echo"))
	c.requireNoTransportErrors()
}

// TestConcurrentReverseOrder: two held calls approved in reverse order each get
// their own result; the first stays held until it is approved.
func TestConcurrentReverseOrder(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.echo("first", "one")
	c.echo("second", "two")
	held := e.waitPendingCount("for ev/echo", 2, toolIs("ev", "echo"))
	ids := map[string]string{}
	for _, p := range held {
		msg, _ := p.Args["message"].(string)
		ids[msg] = p.ID
	}
	if ids["one"] == "" || ids["two"] == "" || ids["one"] == ids["two"] {
		t.Fatalf("want two distinct pending entries with messages one and two, got %v", held)
	}

	e.mustCLI("approve", ids["two"])
	requireEcho(t, c.result("second"), "two")
	if ev, done := c.done("first"); done {
		t.Fatalf("the first call finished although only the second was approved: %s", ev)
	}
	e.waitPending("for the still-held first call", func(p pendingEntry) bool { return p.ID == ids["one"] })

	e.mustCLI("approve", ids["one"])
	requireEcho(t, c.result("first"), "one")
	c.requireNoTransportErrors()
}

// TestCancelWithdrawsPending: the client aborts a held call (the SDK sends
// notifications/cancelled); the pending entry disappears and nothing comes back.
func TestCancelWithdrawsPending(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.echo("x1", "cancel me")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	c.send(map[string]any{"op": "cancel", "id": "x1", "reason": "user pressed stop"})
	ev := c.outcome("x1")
	if ev.str("event") != "error" || !ev.boolean("aborted") {
		t.Fatalf("want the client-side abort of x1, got %s", ev)
	}
	e.waitGone(p.ID)
	if got := e.cli("approve", p.ID); got.code == 0 {
		t.Errorf("approving a cancelled call succeeded: %s", got)
	}

	// A later round trip proves the connection still works; had the shim sent
	// anything back for x1, the SDK would have reported a response for an unknown id.
	c.ping("after-cancel")
	c.echo("x2", "still works")
	p2 := e.waitPending("for the next call", argIs("ev", "echo", "message", "still works"))
	e.mustCLI("approve", p2.ID)
	requireEcho(t, c.result("x2"), "still works")
	c.requireNoTransportErrors()
}

// TestSamplingRelay: server-everything's sampling tool makes the server send
// sampling/createMessage to the client through the shim; the client's canned
// answer flows back into the tool result.
func TestSamplingRelay(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	canned := "canned-sampling-reply-7f3a"
	c := e.startClient("ev", clientOpts{sampling: map[string]any{
		"model":   "e2e-canned-model",
		"role":    "assistant",
		"content": map[string]any{"type": "text", "text": canned},
	}})

	// server-everything registers its sampling tool once it knows the client can
	// sample (after initialized), announcing it with list_changed.
	var tool string
	deadline := time.Now().Add(waitLong)
	for i := 0; tool == "" && time.Now().Before(deadline); i++ {
		for _, n := range c.listTools(fmt.Sprintf("list%d", i)) {
			if strings.Contains(n, "sampling") && !strings.Contains(n, "async") {
				tool = n
			}
		}
		if tool == "" {
			time.Sleep(pollEvery)
		}
	}
	if tool == "" {
		t.Fatalf("server-everything offers no sampling tool through the shim")
	}

	c.call("s1", tool, map[string]any{"prompt": "relay check", "maxTokens": 20}, nil)
	p := e.waitPending("for the sampling tool", toolIs("ev", tool))
	e.mustCLI("approve", p.ID)
	req := c.waitFor("sampling request", func(ev event) bool { return ev.str("event") == "sampling_request" })
	if !strings.Contains(req.String(), "relay check") {
		t.Errorf("sampling request does not carry the prompt: %s", req)
	}
	ev := c.result("s1")
	if ev.boolean("is_error") || !strings.Contains(ev.joinedText(), canned) {
		t.Fatalf("tool result does not carry the client's sampling answer %q: %s", canned, ev)
	}
	c.requireNoTransportErrors()
}

// TestApproveSession: `approve --session` lets the next call of the same tool
// through without asking for this shim's lifetime only.
func TestApproveSession(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.echo("s1", "session one")
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	e.mustCLI("approve", p.ID, "--session")
	requireEcho(t, c.result("s1"), "session one")

	c.echo("s2", "session two")
	requireEcho(t, e.passesWithoutAsking(c, "s2"), "session two")
	if _, ok := findRule(e.rules(), "allow", "ev", "echo"); ok {
		t.Errorf("--session wrote a persistent rule: %v", e.rules())
	}
	c.close()

	// A new shim is a new session: it asks again.
	c2 := e.startClient("ev", clientOpts{})
	c2.echo("s3", "new session")
	p3 := e.waitPending("in the new session", toolIs("ev", "echo"))
	e.mustCLI("deny", p3.ID)
	requireDenied(t, c2.result("s3"), "countersign")
}

// TestProgressWhileWaiting: a held call carrying a progress token receives
// progress notifications while it waits for the user.
func TestProgressWhileWaiting(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	c := e.startClient("ev", clientOpts{})

	c.call("p1", "echo", map[string]any{"message": "with progress"}, map[string]any{"progress": true})
	p := e.waitPending("for ev/echo", toolIs("ev", "echo"))
	c.waitFor("a progress notification while held", func(ev event) bool {
		return ev.str("event") == "progress" && ev.str("id") == "p1"
	})
	if _, done := c.done("p1"); done {
		t.Fatalf("call finished before approval: %s", c.eventLog())
	}
	e.mustCLI("approve", p.ID)
	requireEcho(t, c.result("p1"), "with progress")
	// Progress after the result would be reported by the SDK as an unknown token.
	c.ping("after")
	c.requireNoTransportErrors()
}
