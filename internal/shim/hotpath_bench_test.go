package shim

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/vault"
)

// BenchmarkAllowedCall measures the shim's own CPU work for one tools/call that
// a rule allows: classify, decide, forward, match the response, record.
func BenchmarkAllowedCall(b *testing.B) {
	var red *vault.Redactor
	cfg := Config{Name: "bench", Redact: red.Redact, SecretIn: func(a []byte) string {
		if k := vault.SecretShapes(a); len(k) > 0 {
			return "x"
		}
		return ""
	}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Stdout: io.Discard, Home: b.TempDir()}
	s := newShim(context.Background(), cfg, nil, io.Discard)
	s.link.policy.Store(&policy.Set{Rules: []policy.Rule{{ID: "r", Action: policy.Allow, Server: "bench", Tool: "echo"}}})
	close(s.link.firstTry)
	req := []byte(`{"jsonrpc":"2.0","id":12345,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello from mcpbench"}}}` + "\n")
	resp := []byte(`{"result":{"content":[{"type":"text","text":"Echo: hello from mcpbench"}]},"jsonrpc":"2.0","id":12345}` + "\n")
	b.ReportAllocs()
	for b.Loop() {
		if err := s.clientMessage(req); err != nil {
			b.Fatal(err)
		}
		if m := classify(resp); m.kind == kindResponse {
			s.serverResponse(m, resp)
		}
		s.rec.mu.Lock()
		s.rec.queue = s.rec.queue[:0]
		s.rec.mu.Unlock()
	}
}
