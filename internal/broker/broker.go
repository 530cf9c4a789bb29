package broker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Pending is one call waiting for a person.
type Pending struct {
	ID          string          `json:"id"`
	SessionID   string          `json:"session_id"`
	Client      string          `json:"client"`
	Server      string          `json:"server"`
	Tool        string          `json:"tool"`
	Args        json.RawMessage `json:"arguments"`
	ArgsSize    int64           `json:"arguments_size"`
	Description string          `json:"description,omitempty"`
	Flags       []string        `json:"flags,omitempty"`
	RequestedAt time.Time       `json:"requested_at"`
	Deadline    time.Time       `json:"deadline"`
}

// Decision is what a person chose for a pending call.
type Decision struct {
	Action string `json:"action"` // "approve" or "deny"
	Scope  string `json:"scope"`  // "once", "session" or "always"
	Note   string `json:"note,omitempty"`
}

// Validate reports a decision a person cannot make.
func (d Decision) Validate() error {
	if d.Action != "approve" && d.Action != "deny" {
		return fmt.Errorf("unknown action %q (want approve or deny)", d.Action)
	}
	switch d.Scope {
	case "", "once", "always":
	case "session":
		if d.Action == "deny" {
			return errors.New("a denial cannot be scoped to the session: deny once or --always")
		}
	default:
		return fmt.Errorf("unknown scope %q (want once, session or always)", d.Scope)
	}
	return nil
}

// Outcome is how a pending call ended.
type Outcome struct {
	Decision  string    `json:"decision"`   // approved, denied, timeout or cancelled
	DecidedBy string    `json:"decided_by"` // user or timeout ("" when cancelled)
	Scope     string    `json:"scope,omitempty"`
	Note      string    `json:"note,omitempty"`
	DecidedAt time.Time `json:"decided_at"`
}

// Event tells subscribers that a call started or stopped waiting.
type Event struct {
	Kind    string   `json:"kind"` // "added" or "removed"
	Pending Pending  `json:"pending"`
	Outcome *Outcome `json:"outcome,omitempty"` // set when Kind is "removed"
}

// ErrNotPending is returned by Decide for an id that is not waiting (unknown,
// or already decided, timed out or cancelled).
var ErrNotPending = errors.New("no pending call with that id")

type waiter struct {
	p    Pending
	done chan Outcome // buffered 1; receives exactly one outcome
}

// Broker holds the pending calls. The zero value is not usable: call New.
type Broker struct {
	mu      sync.Mutex
	pending map[string]*waiter
	subs    map[chan Event]struct{}
	now     func() time.Time
}

// New returns an empty broker.
func New() *Broker {
	return &Broker{pending: map[string]*waiter{}, subs: map[chan Event]struct{}{}, now: time.Now}
}

// Ask adds p to the pending set and blocks until a person decides, the
// deadline passes (Decision "timeout") or ctx ends ("cancelled"). p.ID must
// be unique among pending calls.
func (b *Broker) Ask(ctx context.Context, p Pending) (Outcome, error) {
	w := &waiter{p: p, done: make(chan Outcome, 1)}
	b.mu.Lock()
	if _, dup := b.pending[p.ID]; dup {
		b.mu.Unlock()
		return Outcome{}, fmt.Errorf("broker: call %s is already pending", p.ID)
	}
	b.pending[p.ID] = w
	b.publishLocked(Event{Kind: "added", Pending: p})
	b.mu.Unlock()

	timer := time.NewTimer(time.Until(p.Deadline))
	defer timer.Stop()
	select {
	case o := <-w.done:
		return o, nil
	case <-timer.C:
		return b.finish(w, Outcome{Decision: "timeout", DecidedBy: "timeout"}), nil
	case <-ctx.Done():
		return b.finish(w, Outcome{Decision: "cancelled"}), nil
	}
}

// finish ends w from inside Ask unless Decide got there first; either way
// the outcome that counts is the one in w.done.
func (b *Broker) finish(w *waiter, o Outcome) Outcome {
	b.mu.Lock()
	if b.pending[w.p.ID] == w {
		b.endLocked(w, o)
	}
	b.mu.Unlock()
	return <-w.done
}

// Decide applies a person's decision to a pending call.
func (b *Broker) Decide(id string, d Decision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	o := Outcome{Decision: "denied", DecidedBy: "user", Scope: d.Scope, Note: d.Note}
	if d.Action == "approve" {
		o.Decision = "approved"
	}
	if o.Scope == "" {
		o.Scope = "once"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w, ok := b.pending[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotPending, id)
	}
	b.endLocked(w, o)
	return nil
}

func (b *Broker) endLocked(w *waiter, o Outcome) {
	o.DecidedAt = b.now()
	delete(b.pending, w.p.ID)
	w.done <- o
	b.publishLocked(Event{Kind: "removed", Pending: w.p, Outcome: &o})
}

// Pending lists the waiting calls, oldest first.
func (b *Broker) Pending() []Pending {
	b.mu.Lock()
	out := make([]Pending, 0, len(b.pending))
	for _, w := range b.pending {
		out = append(out, w.p)
	}
	b.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RequestedAt.Equal(out[j].RequestedAt) {
			return out[i].RequestedAt.Before(out[j].RequestedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Subscribe returns a channel of events and a function that stops them. A
// subscriber that falls more than a few hundred events behind is dropped:
// its channel is closed, and it should resubscribe and re-read Pending.
func (b *Broker) Subscribe() (<-chan Event, func()) {
	ch := make(chan Event, 256)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
		b.mu.Unlock()
	}
}

func (b *Broker) publishLocked(e Event) {
	for ch := range b.subs {
		select {
		case ch <- e:
		default:
			delete(b.subs, ch)
			close(ch)
		}
	}
}
