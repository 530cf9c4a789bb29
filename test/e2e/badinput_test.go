package e2e

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBadInput: malformed traffic from either side, a server that dies mid-call and
// a missing server command give a clear error, no crash and no hang.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "raw", "--tool", "die")

	t.Run("malformed lines from the client", func(t *testing.T) {
		e := e.sub(t)
		const (
			cGarbage   = `{"jsonrpc":"2.0","id":1,"method":` + "\n"
			cTruncCall = `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"message":"trunc-marker-e1"` + "\n"
			cPing      = `{"jsonrpc":"2.0","id":"alive","method":"ping"}` + "\n"
			sPong      = `{"jsonrpc":"2.0","id":"alive","result":{}}` + "\n"
		)
		rc := e.startRawShim("raw", []recorderRule{plainInitRule, {Contains: `"alive"`, Reply: sPong}})
		rc.handshake()
		rc.write(cGarbage)
		rc.write(cTruncCall)
		rc.write(cPing)
		// The shim may answer the malformed lines with parse errors; the pong must
		// still come, and nothing that might be a tools/call may reach the server.
		for {
			line := rc.next("pong after malformed input")
			if bytes.Equal(line, []byte(sPong)) {
				break
			}
			if !bytes.Contains(line, []byte(`"error"`)) {
				t.Fatalf("unexpected line from the shim after malformed input: %s", clip(line))
			}
		}
		if bytes.Contains(rc.recorded(), []byte("trunc-marker-e1")) {
			t.Errorf("a malformed line that may be a tools/call reached the server (fail closed)")
		}
	})

	t.Run("malformed lines from the server", func(t *testing.T) {
		e := e.sub(t)
		const (
			cPing = `{"jsonrpc":"2.0","id":"p","method":"ping"}` + "\n"
			sBad  = `{"jsonrpc":"2.0","id":"p","result":` + "\n" + "\x00\xff not json\n"
			sPong = `{"jsonrpc":"2.0","id":"p","result":{}}` + "\n"
		)
		rc := e.startRawShim("raw", []recorderRule{plainInitRule, {Contains: `"id":"p"`, Reply: sBad + sPong}})
		rc.handshake()
		rc.write(cPing)
		for {
			line := rc.next("pong after malformed server output")
			if bytes.Equal(line, []byte(sPong)) {
				break
			}
		}
		select {
		case <-rc.exited:
			t.Fatalf("the shim exited on malformed server output: %v; stderr: %s", rc.cmd.ProcessState, rc.stderr.String())
		default:
		}
	})

	t.Run("server exits mid-call", func(t *testing.T) {
		e := e.sub(t)
		code := 7
		const cCall = `{"jsonrpc":"2.0","id":"dies","method":"tools/call","params":{"name":"die","arguments":{}}}` + "\n"
		rc := e.startRawShim("raw", []recorderRule{plainInitRule, {Contains: `"name":"die"`, Reply: "", Exit: &code}})
		rc.handshake()
		rc.write(cCall)
		// The client may get an error for the call in flight; then the shim ends
		// with the server's exit code.
		deadline := time.After(waitLong)
	drain:
		for {
			select {
			case line, ok := <-rc.lines:
				if !ok {
					break drain
				}
				if !bytes.Contains(line, []byte(`"dies"`)) {
					t.Errorf("unexpected line after the server died: %s", clip(line))
				}
			case <-deadline:
				t.Fatalf("the shim's stdout is still open %v after its server exited", waitLong)
			}
		}
		select {
		case <-rc.exited:
		case <-time.After(waitLong):
			t.Fatalf("the shim is still running %v after its server exited", waitLong)
		}
		if got := rc.cmd.ProcessState.ExitCode(); got != code {
			t.Errorf("shim exit code = %d, want the server's %d", got, code)
		}
	})

	t.Run("missing server command", func(t *testing.T) {
		e := e.sub(t)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		missing := "/nonexistent/cs-e2e-no-such-server"
		cmd := exec.CommandContext(ctx, csBin, shimArgs("raw", clientOpts{server: []string{missing}})...)
		cmd.Env = e.environ()
		cmd.Stdin = strings.NewReader(cInitPlain)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("the shim hung with a missing server command; stderr: %s", stderr.String())
		}
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
			t.Errorf("want a non-zero exit for a missing server command, got %v (stdout %q)", err, stdout.String())
		}
		if !strings.Contains(stderr.String(), missing) {
			t.Errorf("stderr does not name the missing command %s: %q", missing, stderr.String())
		}
	})
}
