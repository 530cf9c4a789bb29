package core

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// nextPolicy returns the next policy a subscription delivers, failing after 5 s.
func nextPolicy(t *testing.T, ch <-chan *policy.Set) *policy.Set {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no policy change delivered within 5 s")
		return nil
	}
}

// The pause switch reaches the shims (session stream), the policy
// subscribers, the status, and survives a restart.
func TestSetPausePushesAndPersists(t *testing.T) {
	dir := tempHome(t)
	r := start(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	stream, err := r.api.OpenSession(ctx, localapi.SessionRequest{Server: "fs", Client: "c1", PID: 42})
	if err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	defer stream.Close()
	if _, err := stream.Next(); err != nil {
		t.Fatalf("first update: %v", err)
	}
	sub, unsub := r.c.SubscribePolicy()
	defer unsub()

	tests := []struct {
		name    string
		pause   policy.Pause
		wantErr error
	}{
		{name: "deny everything", pause: policy.PauseDeny},
		{name: "ask for everything", pause: policy.PauseAsk},
		{name: "resume", pause: policy.NotPaused},
		{name: "unknown state is refused", pause: "sometimes", wantErr: localapi.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.c.SetPause(ctx, tt.pause)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetPause(%q) err = %v, want %v", tt.pause, err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if p := nextPolicy(t, sub); p.Pause != tt.pause {
				t.Fatalf("subscriber got pause %q, want %q", p.Pause, tt.pause)
			}
			u, err := stream.Next()
			if err != nil || u.Policy == nil || u.Policy.Pause != tt.pause {
				t.Fatalf("shim got %+v, %v; want policy with pause %q", u, err, tt.pause)
			}
			if got := r.c.Pause(); got != tt.pause {
				t.Fatalf("Pause() = %q, want %q", got, tt.pause)
			}
		})
	}

	if err := r.c.SetPause(ctx, policy.PauseAsk); err != nil {
		t.Fatal(err)
	}
	stream.Close()
	cancel()
	r.stop()
	r2 := start(t, dir)
	if got := r2.c.Pause(); got != policy.PauseAsk {
		t.Fatalf("after restart Pause() = %q, want %q", got, policy.PauseAsk)
	}
	if st := r2.c.Status(); st.Paused != string(policy.PauseAsk) {
		t.Fatalf("after restart status paused = %q", st.Paused)
	}
}

// A rule added through the LocalAPI (as the CLI does) reaches policy
// subscribers; a cancelled subscription is closed and gets nothing more.
func TestSubscribePolicySeesLocalAPIChanges(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	sub, unsub := r.c.SubscribePolicy()
	added, err := r.api.AddRule(ctx, policy.Rule{Action: policy.Allow, Server: "fs", Tool: "read_*"})
	if err != nil {
		t.Fatalf("AddRule: %v", err)
	}
	if p := nextPolicy(t, sub); len(p.Rules) != 1 || p.Rules[0].ID != added.ID {
		t.Fatalf("subscriber got rules %+v, want the added rule %s", p.Rules, added.ID)
	}
	unsub()
	unsub() // harmless twice
	if _, ok := <-sub; ok {
		t.Fatal("a cancelled subscription is still open")
	}
	if err := r.c.RemoveRule(ctx, added.ID); err != nil {
		t.Fatalf("RemoveRule: %v", err)
	}
}

func TestSessionsListsConnectedShims(t *testing.T) {
	r := start(t, tempHome(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, req := range []localapi.SessionRequest{
		{Server: "web", Client: "cursor", URL: "https://example.test/mcp", PID: 2},
		{Server: "fs", Client: "claude", Command: []string{"npx", "server-fs"}, PID: 1},
	} {
		s, err := r.api.OpenSession(ctx, req)
		if err != nil {
			t.Fatalf("OpenSession: %v", err)
		}
		defer s.Close()
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	got := r.c.Sessions()
	if len(got) != 2 || got[0].Server != "fs" || got[0].Command[1] != "server-fs" || got[1].URL != "https://example.test/mcp" || got[0].ID == "" {
		t.Fatalf("Sessions() = %+v, want fs (command) then web (url)", got)
	}
}

// Timeouts set in Settings reach the shims with the policy, decide the
// deadline of a call whose shim did not set one, and survive a restart;
// out-of-range values are refused and change nothing.
func TestSetTimeoutPushesDecidesAndPersists(t *testing.T) {
	dir := tempHome(t)
	r := start(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sid, stream := openSession(t, r.api, "fs")
	defer stream.Close()

	if err := r.c.SetTimeout(ctx, "", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.c.SetTimeout(ctx, "fs", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []time.Duration{time.Millisecond, -time.Second, 48 * time.Hour} {
		if err := r.c.SetTimeout(ctx, "fs", bad); !errors.Is(err, localapi.ErrInvalid) {
			t.Errorf("SetTimeout(%s) = %v, want ErrInvalid", bad, err)
		}
	}
	var got policy.Timeouts
	for got.For("fs") != 20*time.Second {
		u, err := stream.Next()
		if err != nil {
			t.Fatalf("the shim never got the fs timeout: %v (last %+v)", err, got)
		}
		if u.Policy != nil {
			got = u.Policy.Timeouts
		}
	}
	if got.For("other") != 2*time.Minute {
		t.Errorf("default pushed to the shim = %s, want 2m", got.For("other"))
	}

	// a call without its own timeout waits the per-server value
	hctx, hcancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := r.api.Hold(hctx, localapi.CallRequest{ID: "t1", SessionID: sid, Tool: "echo"})
		done <- err
	}()
	var deadline time.Duration
	for deadline == 0 {
		for _, p := range r.c.Pending() {
			if p.ID == "t1" {
				deadline = p.Deadline.Sub(p.RequestedAt)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if deadline != 20*time.Second {
		t.Errorf("held call deadline = %s after the request, want the fs timeout 20s", deadline)
	}
	hcancel()
	<-done

	if err := r.c.SetTimeout(ctx, "fs", 0); err != nil {
		t.Fatal(err)
	}
	stream.Close()
	cancel()
	r.stop()
	r2 := start(t, dir)
	if ts := r2.c.Timeouts(); ts.Default != 2*time.Minute || len(ts.PerServer) != 0 {
		t.Errorf("after restart timeouts = %+v, want default 2m and no per-server value", ts)
	}
}

// Trusting a server's read-only claims: a held call to a tool the shim
// reports as claimed read-only is then approved by policy; other servers
// and unclaimed tools still ask; the trust survives a restart.
func TestTrustReadOnlyClaims(t *testing.T) {
	dir := tempHome(t)
	r := start(t, dir)
	ctx := context.Background()
	sid, stream := openSession(t, r.api, "fs")
	defer stream.Close()
	if err := r.c.SetTrustReadOnly(ctx, "", true); !errors.Is(err, localapi.ErrInvalid) {
		t.Errorf("no server: %v", err)
	}
	if err := r.c.SetTrustReadOnly(ctx, "fs", true); err != nil {
		t.Fatal(err)
	}
	d, err := r.api.Hold(ctx, localapi.CallRequest{ID: "ro1", SessionID: sid, Tool: "read_file", ReadOnlyClaim: true})
	if err != nil || d.Decision != "approved" || d.DecidedBy != "policy" || d.Reason != policy.ReasonReadOnlyTrusted {
		t.Fatalf("trusted read-only claim: %+v, %v", d, err)
	}
	// an unclaimed tool still waits for a person
	hctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		r.api.Hold(hctx, localapi.CallRequest{ID: "ro2", SessionID: sid, Tool: "write_file", TimeoutMS: 30000})
		close(done)
	}()
	for len(r.c.Pending()) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if p := r.c.Pending(); p[0].ID != "ro2" {
		t.Fatalf("pending = %+v", p)
	}
	cancel()
	<-done
	stream.Close()
	r.stop()
	r2 := start(t, dir)
	if got := r2.c.TrustReadOnly(); len(got) != 1 || got[0] != "fs" {
		t.Fatalf("after restart TrustReadOnly = %q", got)
	}
	if err := r2.c.SetTrustReadOnly(ctx, "fs", false); err != nil || len(r2.c.TrustReadOnly()) != 0 {
		t.Fatalf("untrust: %v %q", err, r2.c.TrustReadOnly())
	}
}
