//go:build linux || darwin

package localapi

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func (b *backend) SignInNeeded(ctx context.Context, s SignInNeeded) error {
	if s.Server == "" {
		return fmt.Errorf("%w: no server", ErrInvalid)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.signIns = append(b.signIns, s)
	return nil
}

func TestSignInNeededCrossesTheSocket(t *testing.T) {
	b := newBackend()
	c := NewClient(serve(t, b))
	defer c.Close()
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	if err := c.SignInNeeded(context.Background(), SignInNeeded{Server: "linear", Client: "cursor", URL: "https://mcp.linear.app/mcp", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := c.SignInNeeded(context.Background(), SignInNeeded{URL: "https://x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a report without a server: %v, want ErrInvalid", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.signIns) != 1 || b.signIns[0].Server != "linear" || !b.signIns[0].At.Equal(at) || b.signIns[0].Client != "cursor" {
		t.Fatalf("backend got %+v", b.signIns)
	}
}
