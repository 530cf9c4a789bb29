package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// A shim's report of a server needing a sign-in reaches the subscribers
// once, is listed until SignedIn clears it, and bad reports are refused.
func TestSignInNeeded(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	sub, cancel := r.c.SubscribeSignIns()
	defer cancel()
	report := localapi.SignInNeeded{Server: "linear", Client: "cursor", URL: "https://mcp.linear.app/mcp"}
	for range 3 { // three requests of one client fail the same way
		if err := r.api.SignInNeeded(ctx, report); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got := <-sub:
		if got.Server != "linear" || got.URL != report.URL || got.At.IsZero() {
			t.Fatalf("subscriber got %+v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscriber was not told")
	}
	select {
	case again := <-sub:
		t.Fatalf("told twice about one server: %+v", again)
	case <-time.After(100 * time.Millisecond):
	}
	if list := r.c.SignInsNeeded(); len(list) != 1 || list[0].Server != "linear" {
		t.Fatalf("SignInsNeeded = %+v", list)
	}
	for _, bad := range []localapi.SignInNeeded{{URL: "https://x"}, {Server: "x", URL: "file:///etc/passwd"}} {
		if err := r.api.SignInNeeded(ctx, bad); !errors.Is(err, localapi.ErrInvalid) {
			t.Errorf("report %+v: %v, want ErrInvalid", bad, err)
		}
	}
	r.c.SignedIn("linear")
	if list := r.c.SignInsNeeded(); len(list) != 0 {
		t.Fatalf("after SignedIn: %+v", list)
	}
}
