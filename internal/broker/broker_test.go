package broker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func pending(id string, wait time.Duration) Pending {
	now := time.Now()
	return Pending{ID: id, Server: "fs", Tool: "read_file", RequestedAt: now, Deadline: now.Add(wait)}
}

func waitPending(t *testing.T, b *Broker, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(b.Pending()) != n {
		if time.Now().After(deadline) {
			t.Fatalf("pending = %d, want %d", len(b.Pending()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name string
		d    Decision
		want Outcome
	}{
		{"approve once", Decision{Action: "approve"}, Outcome{Decision: "approved", DecidedBy: "user", Scope: "once"}},
		{"approve session", Decision{Action: "approve", Scope: "session"}, Outcome{Decision: "approved", DecidedBy: "user", Scope: "session"}},
		{"deny with note", Decision{Action: "deny", Note: "not now"}, Outcome{Decision: "denied", DecidedBy: "user", Scope: "once", Note: "not now"}},
		{"deny always", Decision{Action: "deny", Scope: "always"}, Outcome{Decision: "denied", DecidedBy: "user", Scope: "always"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New()
			got := make(chan Outcome)
			go func() {
				o, err := b.Ask(context.Background(), pending("c1", time.Minute))
				if err != nil {
					t.Error(err)
				}
				got <- o
			}()
			waitPending(t, b, 1)
			if err := b.Decide("c1", tt.d); err != nil {
				t.Fatal(err)
			}
			o := <-got
			o.DecidedAt = time.Time{}
			if o != tt.want {
				t.Fatalf("outcome = %+v, want %+v", o, tt.want)
			}
			if err := b.Decide("c1", tt.d); !errors.Is(err, ErrNotPending) {
				t.Fatalf("second Decide = %v, want ErrNotPending", err)
			}
		})
	}
}

func TestInvalidDecisions(t *testing.T) {
	for _, d := range []Decision{{Action: "maybe"}, {Action: "deny", Scope: "session"}, {Action: "approve", Scope: "forever"}} {
		if err := d.Validate(); err == nil {
			t.Errorf("%+v: no error", d)
		}
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	b := New()
	o, _ := b.Ask(context.Background(), pending("t", 20*time.Millisecond))
	if o.Decision != "timeout" || o.DecidedBy != "timeout" {
		t.Fatalf("timeout outcome = %+v", o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Outcome)
	go func() { o, _ := b.Ask(ctx, pending("c", time.Minute)); done <- o }()
	waitPending(t, b, 1)
	cancel()
	if o := <-done; o.Decision != "cancelled" {
		t.Fatalf("cancel outcome = %+v", o)
	}
	if n := len(b.Pending()); n != 0 {
		t.Fatalf("pending after cancel = %d", n)
	}
}

func TestEventsAndReverseOrder(t *testing.T) {
	b := New()
	events, stop := b.Subscribe()
	defer stop()
	var wg sync.WaitGroup
	results := make(map[string]string)
	var mu sync.Mutex
	for _, id := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, _ := b.Ask(context.Background(), pending(id, time.Minute))
			mu.Lock()
			results[id] = o.Note
			mu.Unlock()
		}()
	}
	waitPending(t, b, 2)
	for _, id := range []string{"b", "a"} {
		if err := b.Decide(id, Decision{Action: "approve", Note: "for " + id}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if results["a"] != "for a" || results["b"] != "for b" {
		t.Fatalf("results crossed: %v", results)
	}
	kinds := map[string]int{}
	for range 4 {
		e := <-events
		kinds[e.Kind]++
		if e.Kind == "removed" && e.Outcome == nil {
			t.Fatal("removed event without outcome")
		}
	}
	if kinds["added"] != 2 || kinds["removed"] != 2 {
		t.Fatalf("events = %v", kinds)
	}
}

func TestDecideRacesTimeout(t *testing.T) {
	// Many calls time out while a person decides them: each call must end
	// exactly once and Ask must never block.
	b := New()
	var wg sync.WaitGroup
	for i := range 200 {
		id := string(rune('A'+i%26)) + time.Now().Format("150405.000000000") + string(rune(i))
		wg.Add(2)
		go func() { defer wg.Done(); b.Ask(context.Background(), pending(id, time.Millisecond)) }()
		go func() { defer wg.Done(); _ = b.Decide(id, Decision{Action: "approve"}) }()
	}
	wg.Wait()
	if n := len(b.Pending()); n != 0 {
		t.Fatalf("pending = %d", n)
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	b := New()
	events, stop := b.Subscribe()
	defer stop()
	for i := range 300 {
		p := pending(string(rune(0x4e00+i)), 0)
		b.Ask(context.Background(), p)
	}
	n := 0
	for range events {
		n++
	}
	if n != 256 {
		t.Fatalf("got %d events before the channel closed, want 256", n)
	}
}
