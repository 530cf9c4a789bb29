package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// event is one JSON line printed by driver.mjs.
type event map[string]any

func (ev event) str(k string) string   { s, _ := ev[k].(string); return s }
func (ev event) boolean(k string) bool { b, _ := ev[k].(bool); return b }

// texts returns the text contents of a "result" event.
func (ev event) texts() []string {
	raw, _ := ev["texts"].([]any)
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		s, _ := r.(string)
		out = append(out, s)
	}
	return out
}

func (ev event) joinedText() string { return strings.Join(ev.texts(), "\n") }

func (ev event) String() string {
	b, _ := json.Marshal(ev)
	if len(b) > 2000 {
		return string(b[:2000]) + "…(truncated)"
	}
	return string(b)
}

// driver is one running driver.mjs: a real TypeScript SDK client.
type driver struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer
	exited chan struct{}

	mu      sync.Mutex
	events  []event
	changed chan struct{} // closed and replaced whenever events grows
	readErr error
	eof     bool

	shimPID int
}

type clientOpts struct {
	shimFlags []string // between `shim --name NAME --client e2e` and `--`
	server    []string // the server command line after `--`
	sampling  any      // canned CreateMessageResult; nil: no sampling capability
}

// everything is the server-everything stdio command line.
func everything() []string { return []string{"node", everythingJS, "stdio"} }

// shimArgs builds `countersign shim …` arguments for a server called name.
func shimArgs(name string, opts clientOpts) []string {
	args := []string{"shim", "--name", name, "--client", "e2e"}
	args = append(args, opts.shimFlags...)
	args = append(args, "--")
	return append(args, opts.server...)
}

// startClient starts driver.mjs, which launches `countersign shim` around
// opts.server (server-everything by default) and initializes.
func (e *env) startClient(name string, opts clientOpts) *driver {
	e.t.Helper()
	if opts.server == nil {
		opts.server = everything()
	}
	cmd := exec.Command("node", driverJS)
	cmd.Dir = e2eDir
	cmd.Env = e.environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		e.t.Fatalf("driver stdin: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatalf("driver stdout: %v", err)
	}
	d := &driver{t: e.t, cmd: cmd, stdin: stdin, stderr: &lockedBuffer{}, changed: make(chan struct{}), exited: make(chan struct{})}
	// The shim and the server inherit the driver's stderr, so this holds all three.
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start node driver.mjs: %v", err)
	}
	go d.read(stdout)
	go func() { cmd.Wait(); close(d.exited) }()
	t := e.t
	t.Cleanup(func() {
		d.kill()
		checkNoRace(t, "countersign shim (client "+name+")", d.stderr.String())
		if t.Failed() {
			t.Logf("---- client %q: shim/server/driver stderr ----\n%s\n---- client %q: events ----\n%s",
				name, d.stderr.String(), name, d.eventLog())
		}
	})

	step := map[string]any{
		"op":      "connect",
		"command": csBin,
		"args":    shimArgs(name, opts),
		"env":     map[string]string{"COUNTERSIGN_HOME": e.home},
	}
	if opts.sampling != nil {
		step["sampling"] = opts.sampling
	}
	d.send(step)
	ev := d.waitFor("connected", func(ev event) bool {
		return ev.str("event") == "connected" || ev.str("event") == "fatal"
	})
	if ev.str("event") == "fatal" {
		e.t.Fatalf("client %q could not connect through the shim: %s", name, ev.str("message"))
	}
	if n, ok := ev["pid"].(json.Number); ok {
		pid, _ := n.Int64()
		d.shimPID = int(pid)
	}
	return d
}

func (d *driver) read(stdout io.Reader) {
	r := bufio.NewReaderSize(stdout, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.UseNumber()
			var ev event
			if jerr := dec.Decode(&ev); jerr != nil {
				ev = event{"event": "bad_line", "line": string(line), "error": jerr.Error()}
			}
			d.mu.Lock()
			d.events = append(d.events, ev)
			close(d.changed)
			d.changed = make(chan struct{})
			d.mu.Unlock()
		}
		if err != nil {
			d.mu.Lock()
			d.eof = true
			if err != io.EOF {
				d.readErr = err
			}
			close(d.changed)
			d.changed = make(chan struct{})
			d.mu.Unlock()
			return
		}
	}
}

// send writes one step to the driver.
func (d *driver) send(step map[string]any) {
	d.t.Helper()
	b, err := json.Marshal(step)
	if err != nil {
		d.t.Fatalf("encode driver step: %v", err)
	}
	if _, err := d.stdin.Write(append(b, '\n')); err != nil {
		d.t.Fatalf("write driver step %s: %v", b, err)
	}
}

// waitFor returns the first event (from the start of the log) matching pred.
func (d *driver) waitFor(what string, pred func(event) bool) event {
	d.t.Helper()
	ev, ok := d.waitForWithin(waitLong, pred)
	if !ok {
		d.t.Fatalf("client: no event %s (%s); events so far:\n%s", what, d.whyNot(waitLong), d.eventLog())
	}
	return ev
}

func (d *driver) waitForWithin(limit time.Duration, pred func(event) bool) (event, bool) {
	deadline := time.After(limit)
	for {
		d.mu.Lock()
		for _, ev := range d.events {
			if pred(ev) {
				d.mu.Unlock()
				return ev, true
			}
		}
		ch, eof := d.changed, d.eof
		d.mu.Unlock()
		if eof {
			return nil, false
		}
		select {
		case <-ch:
		case <-deadline:
			return nil, false
		}
	}
}

// whyNot says why a wait ended without its event: the driver exited, or time ran out.
func (d *driver) whyNot(limit time.Duration) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.eof {
		return "the client process exited"
	}
	return fmt.Sprintf("waited %v", limit)
}

// find returns the first event matching pred without waiting.
func (d *driver) find(pred func(event) bool) (event, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ev := range d.events {
		if pred(ev) {
			return ev, true
		}
	}
	return nil, false
}

func (d *driver) eventLog() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for _, ev := range d.events {
		b.WriteString(ev.String())
		b.WriteByte('\n')
	}
	if d.readErr != nil {
		fmt.Fprintf(&b, "(read error: %v)\n", d.readErr)
	}
	return b.String()
}

// call starts tools/call name(args) under the driver-side id; it does not wait.
func (d *driver) call(id, name string, args map[string]any, extra map[string]any) {
	d.t.Helper()
	step := map[string]any{"op": "call", "id": id, "name": name, "arguments": args, "timeout_ms": int(waitLong / time.Millisecond * 2)}
	for k, v := range extra {
		step[k] = v
	}
	d.send(step)
}

// outcome waits for the final event (result or error) of call id.
func (d *driver) outcome(id string) event {
	d.t.Helper()
	return d.outcomeWithin(id, waitLong)
}

func (d *driver) outcomeWithin(id string, limit time.Duration) event {
	d.t.Helper()
	ev, ok := d.waitForWithin(limit, func(ev event) bool {
		e := ev.str("event")
		return ev.str("id") == id && (e == "result" || e == "error" || e == "fatal")
	})
	if !ok {
		d.t.Fatalf("client: no result for call %s (%s); events so far:\n%s", id, d.whyNot(limit), d.eventLog())
	}
	return ev
}

// result waits for call id and requires a CallToolResult (not a JSON-RPC error).
func (d *driver) result(id string) event {
	d.t.Helper()
	ev := d.outcome(id)
	if ev.str("event") != "result" {
		d.t.Fatalf("call %s: want a CallToolResult, got %s", id, ev)
	}
	return ev
}

// done reports whether call id has finished.
func (d *driver) done(id string) (event, bool) {
	return d.find(func(ev event) bool {
		e := ev.str("event")
		return ev.str("id") == id && (e == "result" || e == "error")
	})
}

// listTools returns the tool names the client sees.
func (d *driver) listTools(id string) []string {
	d.t.Helper()
	d.send(map[string]any{"op": "list_tools", "id": id})
	ev := d.waitFor("tools/list "+id, func(ev event) bool {
		return ev.str("id") == id && (ev.str("event") == "tools" || ev.str("event") == "fatal")
	})
	if ev.str("event") != "tools" {
		d.t.Fatalf("tools/list failed: %s", ev)
	}
	raw, _ := ev["names"].([]any)
	names := make([]string, 0, len(raw))
	for _, r := range raw {
		s, _ := r.(string)
		names = append(names, s)
	}
	return names
}

// ping round-trips a ping through the shim.
func (d *driver) ping(id string) {
	d.t.Helper()
	d.send(map[string]any{"op": "ping", "id": id})
	ev := d.waitFor("pong "+id, func(ev event) bool {
		return ev.str("id") == id && (ev.str("event") == "pong" || ev.str("event") == "error" || ev.str("event") == "fatal")
	})
	if ev.str("event") != "pong" {
		d.t.Fatalf("ping through the shim failed: %s", ev)
	}
}

// transportErrors returns the SDK's onerror reports (e.g. a response for an
// unknown id, a progress notification for an unknown token).
func (d *driver) transportErrors() []event {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []event
	for _, ev := range d.events {
		if ev.str("event") == "transport_error" || ev.str("event") == "bad_line" {
			out = append(out, ev)
		}
	}
	return out
}

func (d *driver) requireNoTransportErrors() {
	d.t.Helper()
	if errs := d.transportErrors(); len(errs) > 0 {
		d.t.Errorf("client saw protocol errors: %v", errs)
	}
}

// close asks the client to close (stdin end, then SIGTERM/SIGKILL as the SDK does)
// and waits for the driver to exit.
func (d *driver) close() {
	d.t.Helper()
	d.send(map[string]any{"op": "close"})
	select {
	case <-d.exited:
	case <-time.After(waitLong):
		d.t.Fatalf("driver did not exit after close; events:\n%s", d.eventLog())
	}
}

// kill SIGKILLs the driver (the client process) and waits for it.
func (d *driver) kill() {
	if d.cmd.Process != nil {
		_ = d.cmd.Process.Kill()
	}
	<-d.exited
}

// echo calls the echo tool and returns the driver-side id.
func (d *driver) echo(id, msg string) {
	d.call(id, "echo", map[string]any{"message": msg}, nil)
}

// requireEcho checks that call id returned the echo of msg.
func requireEcho(t *testing.T, ev event, msg string) {
	t.Helper()
	if ev.boolean("is_error") {
		t.Fatalf("echo %q: want success, got isError result %s", msg, ev)
	}
	if got, want := ev.joinedText(), "Echo: "+msg; got != want {
		t.Fatalf("echo %q: got text %q, want %q", msg, got, want)
	}
}

// requireDenied checks that ev is a CallToolResult with isError whose text
// contains every one of wants (case-insensitive).
func requireDenied(t *testing.T, ev event, wants ...string) {
	t.Helper()
	if ev.str("event") != "result" {
		t.Fatalf("want a CallToolResult with isError (DESIGN.md: a denial is a normal result), got %s", ev)
	}
	if !ev.boolean("is_error") {
		t.Fatalf("want isError: true, got %s", ev)
	}
	text := strings.ToLower(ev.joinedText())
	for _, w := range wants {
		if !strings.Contains(text, strings.ToLower(w)) {
			t.Errorf("denial text %q does not mention %q", ev.joinedText(), w)
		}
	}
}

// passesWithoutAsking waits for call id to finish and fails as soon as it shows
// up in `pending` instead (a rule or session approval should have let it through).
func (e *env) passesWithoutAsking(d *driver, id string) event {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if ev, ok := d.done(id); ok {
			return ev
		}
		if held := e.pending(); len(held) > 0 {
			e.t.Fatalf("call %s was held for approval instead of passing: %v", id, held)
		}
		time.Sleep(pollEvery)
	}
	e.t.Fatalf("call %s neither finished nor was held within %v; events:\n%s", id, waitLong, d.eventLog())
	return nil
}
