package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder collects the Wails events the app emits.
type recorder struct {
	mu     sync.Mutex
	events []recorded
	got    chan struct{}
}

type recorded struct {
	name string
	data []any
}

func newRecorder() *recorder { return &recorder{got: make(chan struct{}, 1024)} }

func (r *recorder) emit(name string, data ...any) {
	r.mu.Lock()
	r.events = append(r.events, recorded{name, data})
	r.mu.Unlock()
	r.got <- struct{}{}
}

// wait returns the first event called name, failing the test after 10 s.
func (r *recorder) wait(t *testing.T, name string) recorded {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		for i, e := range r.events {
			if e.name == name {
				r.events = append(r.events[:i:i], r.events[i+1:]...)
				r.mu.Unlock()
				return e
			}
		}
		r.mu.Unlock()
		select {
		case <-r.got:
		case <-deadline:
			t.Fatalf("no %q event within 10 s", name)
		}
	}
}

// openCore opens a real core (socket, SQLite history) in a temp home.
func openCore(t *testing.T) *core.Core {
	t.Helper()
	c, err := core.Open(context.Background(), core.Options{Home: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatalf("open core: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close core: %v", err)
		}
	})
	return c
}

// hold registers a shim session and holds one call in the core, the way a
// shim does over the LocalAPI. The returned channel yields the decision.
func hold(t *testing.T, ctx context.Context, c *core.Core, id string) <-chan localapi.CallDecision {
	t.Helper()
	sid := make(chan string, 1)
	go c.OpenSession(ctx, localapi.SessionRequest{Server: "fs", Client: "test-client"}, func(u localapi.SessionUpdate) error {
		if u.SessionID != "" {
			sid <- u.SessionID
		}
		return nil
	})
	out := make(chan localapi.CallDecision, 1)
	go func() {
		d, err := c.Hold(ctx, localapi.CallRequest{
			ID: id, SessionID: <-sid, Tool: "write_file", Args: json.RawMessage(`{"path":"/tmp/x"}`),
			TimeoutMS: 30_000, RequestedAt: time.Now(),
		})
		if err != nil {
			d = localapi.CallDecision{Decision: "error: " + err.Error()}
		}
		out <- d
	}()
	return out
}

func TestApprovalsFlowThroughEvents(t *testing.T) {
	c := openCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	rec := newRecorder()
	done := make(chan struct{})
	go func() { defer close(done); forward(ctx, c, rec.emit, quiet) }()
	rec.wait(t, EventApprovalsResync)

	decided := hold(t, ctx, c, "call-1")
	added := rec.wait(t, EventApprovalAdded)
	if ev, ok := added.data[0].(broker.Event); !ok || ev.Pending.ID != "call-1" || ev.Pending.Tool != "write_file" {
		t.Fatalf("added event = %#v, want call-1 write_file", added.data)
	}

	a := &Approvals{core: c}
	pending, err := a.Pending()
	if err != nil || len(pending) != 1 || pending[0].Server != "fs" {
		t.Fatalf("Pending() = %v, %v; want the one call on server fs", pending, err)
	}
	if err := a.Decide("call-1", broker.Decision{Action: "deny", Scope: "once", Note: "not now"}); err != nil {
		t.Fatalf("Decide: %v", err)
	}
	removed := rec.wait(t, EventApprovalRemoved)
	if ev := removed.data[0].(broker.Event); ev.Outcome == nil || ev.Outcome.Decision != "denied" || ev.Outcome.Note != "not now" {
		t.Fatalf("removed event outcome = %+v, want denied with the note", ev.Outcome)
	}
	if d := <-decided; d.Decision != "denied" || d.Note != "not now" {
		t.Fatalf("the shim got %+v, want denied with the note", d)
	}
	err = a.Decide("call-1", broker.Decision{Action: "approve", Scope: "once"})
	if !errors.Is(err, broker.ErrNotPending) {
		t.Fatalf("deciding twice: err = %v, want ErrNotPending", err)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("forward did not return after its context ended")
	}
}

func TestShutdownWaitsForTheForwarder(t *testing.T) {
	c := openCore(t)
	a := New(c, quiet)
	rec := newRecorder()
	a.start(context.Background(), &fakeWindow{}, rec.emit)
	rec.wait(t, EventApprovalsResync)
	a.Shutdown(context.Background())
	a.Shutdown(context.Background()) // a second shutdown is harmless

	// After Shutdown nothing is forwarded any more.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hold(t, ctx, c, "after-shutdown")
	for len(c.Pending()) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		if e.name == EventApprovalAdded {
			t.Fatalf("event %q emitted after Shutdown", e.name)
		}
	}
}

// A window that falls behind is dropped by the broker; the forwarder must
// subscribe again and tell the window to resync, or it would go stale.
func TestForwarderResubscribesWhenDropped(t *testing.T) {
	c := openCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	gate := make(chan struct{})
	rec := newRecorder()
	var once sync.Once
	blocking := func(name string, data ...any) {
		rec.emit(name, data...)
		if name == EventApprovalAdded {
			once.Do(func() { <-gate }) // stall on the first call, as a busy window would
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); forward(ctx, c, blocking, quiet) }()
	rec.wait(t, EventApprovalsResync)

	const calls = 300 // more than the broker buffers for one subscriber
	for i := range calls {
		hold(t, ctx, c, fmt.Sprintf("call-%03d", i))
	}
	for len(c.Pending()) < calls {
		time.Sleep(10 * time.Millisecond)
	}
	close(gate)
	rec.wait(t, EventApprovalsResync) // the second one: resubscribed
	cancel()
	<-done
}

func TestRulesRoundTripAndNotify(t *testing.T) {
	c := openCore(t)
	rec := newRecorder()
	r := &Rules{core: c}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); forwardPolicy(ctx, c, rec.emit) }()
	defer func() { cancel(); <-done }()
	rec.wait(t, EventPauseChanged)

	tests := []struct {
		name    string
		rule    policy.Rule
		wantErr bool
	}{
		{name: "allow a tool glob", rule: policy.Rule{Action: policy.Allow, Server: "fs", Tool: "read_*"}},
		{name: "deny everything on a server", rule: policy.Rule{Action: policy.Deny, Server: "shell"}},
		{name: "no server is refused", rule: policy.Rule{Action: policy.Allow}, wantErr: true},
		{name: "unknown action is refused", rule: policy.Rule{Action: "maybe", Server: "fs"}, wantErr: true},
	}
	var ids []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Add(tt.rule)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Add(%+v) err = %v, wantErr %v", tt.rule, err, tt.wantErr)
			}
			if err == nil {
				if got.ID == "" {
					t.Fatal("the added rule has no id")
				}
				ids = append(ids, got.ID)
				rec.wait(t, EventRulesChanged)
			}
		})
	}
	list, err := r.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List() = %v, %v; want the 2 valid rules", list, err)
	}
	if err := r.Remove(ids[0]); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	rec.wait(t, EventRulesChanged)
	if err := r.Remove(ids[0]); err == nil {
		t.Fatal("removing a removed rule succeeded")
	}
	if list, _ = r.List(); len(list) != 1 || list[0].ID != ids[1] {
		t.Fatalf("after Remove, List() = %v, want only %s", list, ids[1])
	}
}
