package shim

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/countersign/countersign/internal/policy"
)

// syncBuffer is a bytes.Buffer safe for the shim's writer goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// With namespacing on for the shim's client, tool names reach the client as
// NAME__TOOL and a call to NAME__TOOL reaches the server (and the policy and
// the history) as TOOL; other clients, and names without the prefix, pass
// as they are; turning it on or off tells the client to re-list.
func TestNamespacing(t *testing.T) {
	var toClient, toServer syncBuffer
	cfg := Config{Name: "fs", Client: "cursor", Redact: func(b []byte) []byte { return b }, SecretIn: func([]byte) string { return "" },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: &toClient, Home: t.TempDir()}
	s := newShim(context.Background(), cfg, nil, &toServer)
	allow := []policy.Rule{{ID: "r", Action: policy.Allow, Server: "fs", Tool: "read"}}
	off := &policy.Set{Rules: allow}
	on := &policy.Set{Rules: allow, Namespace: []string{"cursor"}}
	s.link.policy.Store(off)
	close(s.link.firstTry)
	list := []byte(`{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"read","description":"Reads."}]}}` + "\n")

	if got, _ := s.namespaceList(list); !bytes.Equal(got, list) {
		t.Fatalf("namespacing off changed the list: %s", got)
	}
	s.policyChanged(off, on)
	s.link.policy.Store(on)
	if !strings.Contains(toClient.String(), `"method":"notifications/tools/list_changed"`) {
		t.Fatalf("turning namespacing on did not ask the client to re-list: %q", toClient.String())
	}
	got, err := s.namespaceList(list)
	if err != nil || !strings.Contains(string(got), `"name":"fs__read"`) {
		t.Fatalf("namespaced list: %s, %v", got, err)
	}

	call := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"fs__read","arguments":{"path":"/tmp/a"}}}` + "\n"
	if err := s.clientMessage([]byte(call)); err != nil {
		t.Fatal(err)
	}
	sent := toServer.String()
	if !strings.Contains(sent, `"name":"read"`) || strings.Contains(sent, "fs__read") || !strings.Contains(sent, `"arguments":{"path":"/tmp/a"}`) ||
		!strings.HasSuffix(sent, "}\n") {
		t.Fatalf("server got %q, want the call to read with its arguments", sent)
	}
	s.mu.Lock()
	var tool string
	for _, inf := range s.inflight {
		tool = inf.rec.Tool
	}
	s.mu.Unlock()
	if tool != "read" {
		t.Errorf("recorded tool %q, want read", tool)
	}

	// another client's shim, or namespacing off: the name is not touched
	s.link.policy.Store(&policy.Set{Rules: allow, Namespace: []string{"vscode"}})
	if got, _ := s.namespaceList(list); !bytes.Equal(got, list) {
		t.Errorf("namespacing for another client changed the list: %s", got)
	}
	line, name, err := s.unnamespaceCall([]byte(call), "fs__read")
	if err != nil || name != "fs__read" || string(line) != call {
		t.Errorf("call of another client's namespace: %q %q %v", line, name, err)
	}
}
