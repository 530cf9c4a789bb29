package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Waits are generous: the machine running these tests may be heavily loaded, and
// timing is the benchmarks' business, not these tests'.
const (
	waitLong  = 60 * time.Second
	pollEvery = 100 * time.Millisecond
	// waitHuge bounds the large-message calls: the SDK and the servers are slow
	// with tens of MiB on a loaded machine, with or without Countersign.
	waitHuge = 10 * time.Minute
)

// lockedBuffer collects a process's output for failure dumps.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is one isolated Countersign installation: its own COUNTERSIGN_HOME and
// daemon. Subtests get a view bound to their own *testing.T with sub.
type env struct {
	t *testing.T
	*envState
}

type envState struct {
	home   string
	daemon *exec.Cmd
	// daemonOut accumulates the output of every daemon this env started.
	daemonOut  *lockedBuffer
	daemonDone chan struct{}
}

// newEnv makes a fresh COUNTERSIGN_HOME. It lives under os.TempDir with a short
// name because the unix socket path inside it must stay below ~100 bytes.
func newEnv(t *testing.T) *env {
	t.Helper()
	home, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatalf("temp home: %v", err)
	}
	e := &env{t: t, envState: &envState{home: home, daemonOut: &lockedBuffer{}}}
	t.Cleanup(func() {
		if e.daemon != nil {
			e.stopDaemon()
		}
		checkNoRace(t, "countersign daemon", e.daemonOut.String())
		if t.Failed() {
			t.Logf("---- countersign daemon output (COUNTERSIGN_HOME=%s) ----\n%s", home, e.daemonOut.String())
		}
		os.RemoveAll(home)
	})
	return e
}

// sub returns a view of the same installation for subtest t.
func (e *env) sub(t *testing.T) *env { return &env{t: t, envState: e.envState} }

func (e *env) environ() []string {
	return append(os.Environ(), "COUNTERSIGN_HOME="+e.home)
}

type cliResult struct {
	args   []string
	stdout string
	stderr string
	code   int
}

func (r cliResult) String() string {
	return fmt.Sprintf("countersign %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// cli runs one countersign command to completion and returns its output and exit code.
func (e *env) cli(args ...string) cliResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	cmd := exec.CommandContext(ctx, csBin, args...)
	cmd.Env = e.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		res.code = exitErr.ExitCode()
	default:
		e.t.Fatalf("countersign %s: %v (stderr: %s)", strings.Join(args, " "), err, stderr.String())
	}
	return res
}

// mustCLI runs a command that must exit 0.
func (e *env) mustCLI(args ...string) cliResult {
	e.t.Helper()
	res := e.cli(args...)
	if res.code != 0 {
		e.t.Fatalf("want exit 0, got %s", res)
	}
	return res
}

// jsonCLI runs a --json command that must exit 0 and print exactly one JSON document.
func (e *env) jsonCLI(args ...string) any {
	e.t.Helper()
	res := e.mustCLI(args...)
	doc, err := decodeOneJSON(res.stdout)
	if err != nil {
		e.t.Fatalf("countersign %s: stdout is not one JSON document: %v\n%s", strings.Join(args, " "), err, res)
	}
	return doc
}

// decodeOneJSON decodes s as exactly one JSON value (numbers kept as json.Number).
func decodeOneJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var extra any
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("more than one JSON document")
	} else if err.Error() != "EOF" {
		return nil, fmt.Errorf("trailing data: %w", err)
	}
	return v, nil
}

// startDaemon starts `countersign daemon` and waits until `status --json` says it is up.
func (e *env) startDaemon() {
	e.t.Helper()
	if e.daemon != nil {
		e.t.Fatal("startDaemon: a daemon is already running in this env")
	}
	fmt.Fprintf(e.daemonOut, "==== starting countersign daemon at %s ====\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(csBin, "daemon")
	cmd.Env = e.environ()
	cmd.Stdout, cmd.Stderr = e.daemonOut, e.daemonOut
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start countersign daemon: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	e.daemon, e.daemonDone = cmd, done

	deadline := time.Now().Add(waitLong)
	var last cliResult
	for time.Now().Before(deadline) {
		select {
		case <-done:
			e.daemon = nil
			e.t.Fatalf("countersign daemon exited before it was up: %v\n%s", cmd.ProcessState, e.daemonOut.String())
		default:
		}
		last = e.cli("status", "--json")
		if last.code == 0 && statusSaysUp(last.stdout) {
			return
		}
		time.Sleep(pollEvery)
	}
	e.t.Fatalf("countersign daemon not up after %v; last status:\n%s", waitLong, last)
}

// statusSaysUp reads `status --json`: one JSON object; any of the usual "is it up"
// booleans, when present, must be true.
func statusSaysUp(stdout string) bool {
	doc, err := decodeOneJSON(stdout)
	if err != nil {
		return false
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	for _, k := range []string{"running", "up", "core_up", "ok", "reachable"} {
		if v, ok := obj[k].(bool); ok && !v {
			return false
		}
	}
	return true
}

// stopDaemon sends SIGTERM and waits for the daemon to exit.
func (e *env) stopDaemon() {
	e.t.Helper()
	if e.daemon == nil {
		return
	}
	cmd, done := e.daemon, e.daemonDone
	e.daemon = nil
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(waitLong / 3):
		_ = cmd.Process.Kill()
		<-done
		e.t.Errorf("countersign daemon did not exit within %v of SIGTERM; killed it", waitLong/3)
	}
	fmt.Fprintf(e.daemonOut, "==== countersign daemon exited: %v ====\n", cmd.ProcessState)
}

// pendingEntry is one row of `pending --json`.
type pendingEntry struct {
	ID     string
	Client string
	Server string
	Tool   string
	Args   map[string]any
	Raw    map[string]any
}

func (p pendingEntry) String() string {
	b, _ := json.Marshal(p.Raw)
	return string(b)
}

// listOf accepts a bare JSON array or an object wrapping exactly one array (e.g.
// {"pending": [...]}) and returns the array's objects.
func listOf(doc any, wrapKeys ...string) ([]map[string]any, error) {
	var arr []any
	switch v := doc.(type) {
	case []any:
		arr = v
	case map[string]any:
		found := false
		for _, k := range wrapKeys {
			val, present := v[k]
			if !present {
				continue
			}
			if val == nil { // an empty list encoded as null
				return nil, nil
			}
			a, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("%q is %T, want a list", k, val)
			}
			arr, found = a, true
			break
		}
		if !found {
			return nil, fmt.Errorf("no list under any of %v in %v", wrapKeys, v)
		}
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("want a JSON array or object, got %T", doc)
	}
	out := make([]map[string]any, 0, len(arr))
	for _, item := range arr {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("list item is %T, want object", item)
		}
		out = append(out, obj)
	}
	return out, nil
}

func (e *env) pending() []pendingEntry {
	e.t.Helper()
	doc := e.jsonCLI("pending", "--json")
	items, err := listOf(doc, "pending", "approvals", "items")
	if err != nil {
		e.t.Fatalf("pending --json: %v", err)
	}
	var out []pendingEntry
	for _, it := range items {
		id, ok := it["id"].(string)
		if !ok {
			e.t.Fatalf("pending --json: id must be a JSON string (DESIGN.md), got %T in %v", it["id"], it)
		}
		p := pendingEntry{ID: id, Raw: it}
		p.Client, _ = it["client"].(string)
		p.Server, _ = it["server"].(string)
		p.Tool, _ = it["tool"].(string)
		args, ok := it["args"]
		if !ok {
			args = it["arguments"]
		}
		p.Args, _ = args.(map[string]any)
		out = append(out, p)
	}
	return out
}

// waitPending polls `pending --json` until an entry matches.
func (e *env) waitPending(what string, match func(pendingEntry) bool) pendingEntry {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	var last []pendingEntry
	for time.Now().Before(deadline) {
		last = e.pending()
		for _, p := range last {
			if match(p) {
				return p
			}
		}
		time.Sleep(pollEvery)
	}
	e.t.Fatalf("no pending approval %s after %v; last pending: %v", what, waitLong, last)
	return pendingEntry{}
}

// waitPendingCount polls until exactly n entries match.
func (e *env) waitPendingCount(what string, n int, match func(pendingEntry) bool) []pendingEntry {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	var got []pendingEntry
	for time.Now().Before(deadline) {
		got = got[:0]
		for _, p := range e.pending() {
			if match(p) {
				got = append(got, p)
			}
		}
		if len(got) == n {
			return got
		}
		time.Sleep(pollEvery)
	}
	e.t.Fatalf("want %d pending %s, have %d after %v: %v", n, what, len(got), waitLong, got)
	return nil
}

// waitGone polls until the pending entry id is no longer listed.
func (e *env) waitGone(id string) {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	var last []pendingEntry
	for time.Now().Before(deadline) {
		last = e.pending()
		found := false
		for _, p := range last {
			found = found || p.ID == id
		}
		if !found {
			return
		}
		time.Sleep(pollEvery)
	}
	e.t.Fatalf("pending approval %s still listed after %v: %v", id, waitLong, last)
}

// toolIs matches pending entries of one server and tool.
func toolIs(server, tool string) func(pendingEntry) bool {
	return func(p pendingEntry) bool { return p.Server == server && p.Tool == tool }
}

// argIs matches pending entries of one server/tool whose argument key has value.
func argIs(server, tool, key, value string) func(pendingEntry) bool {
	return func(p pendingEntry) bool {
		v, _ := p.Args[key].(string)
		return p.Server == server && p.Tool == tool && v == value
	}
}

// rules returns `rules --json` as objects.
func (e *env) rules() []map[string]any {
	e.t.Helper()
	items, err := listOf(e.jsonCLI("rules", "--json"), "rules", "items")
	if err != nil {
		e.t.Fatalf("rules --json: %v", err)
	}
	return items
}

// ruleAction reads a rule's action under the names a rules listing may use.
func ruleAction(r map[string]any) string {
	for _, k := range []string{"action", "effect", "decision", "kind", "type"} {
		if s, ok := r[k].(string); ok && (s == "allow" || s == "deny" || s == "ask") {
			return s
		}
	}
	return ""
}

// findRule returns the rule for server/tool with the given action.
func findRule(rules []map[string]any, action, server, tool string) (map[string]any, bool) {
	for _, r := range rules {
		srv, _ := r["server"].(string)
		tl, _ := r["tool"].(string)
		if ruleAction(r) == action && srv == server && tl == tool {
			return r, true
		}
	}
	return nil, false
}

// checkNoRace fails the test when a -race build of countersign reported a data race.
func checkNoRace(t *testing.T, who, output string) {
	t.Helper()
	if strings.Contains(output, "WARNING: DATA RACE") {
		t.Errorf("%s reported a data race (output below)", who)
	}
}
