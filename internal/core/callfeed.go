package core

import (
	"context"
	"sync"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
)

// callFeedLen is how many recorded calls a subscriber may fall behind
// before it is dropped.
const callFeedLen = 256

// callFeed fans recorded calls out to subscribers (SubscribeCalls). A
// subscriber that falls behind is dropped, its channel closed, the way the
// broker drops its own: it resubscribes and re-reads the history.
type callFeed struct {
	mu   sync.Mutex
	subs map[chan localapi.HistoryCall]struct{}
}

func (f *callFeed) subscribe() (<-chan localapi.HistoryCall, func()) {
	ch := make(chan localapi.HistoryCall, callFeedLen)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan localapi.HistoryCall]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
		f.mu.Unlock()
	}
}

func (f *callFeed) active() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs) > 0
}

// dropAll ends every subscription, telling subscribers to resync.
func (f *callFeed) dropAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		delete(f.subs, ch)
		close(ch)
	}
}

// publish never blocks: a full subscriber is dropped instead.
func (f *callFeed) publish(c localapi.HistoryCall) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- c:
		default:
			delete(f.subs, ch)
			close(ch)
		}
	}
}

// SubscribeCalls returns a channel that receives every call once the store
// has committed it, as History lists it (merged with what was recorded
// before under the same id: a call is sent again when its result arrives).
// A subscriber that falls more than callFeedLen calls behind finds its
// channel closed; it should subscribe again and re-read the history. The
// returned function ends the subscription.
func (c *Core) SubscribeCalls() (<-chan localapi.HistoryCall, func()) {
	return c.calls.subscribe()
}

// record writes calls to the store and, once they are committed, sends
// each (read back, merged) to the call subscribers.
func (c *Core) record(ctx context.Context, calls ...store.Call) error {
	if err := c.store.Record(ctx, calls...); err != nil {
		return err
	}
	if !c.calls.active() {
		return nil
	}
	for i := range calls {
		call, ok, err := c.store.Call(ctx, calls[i].ID)
		if err != nil {
			// The call is recorded; only the live view misses it, so the
			// subscribers are dropped and re-read the history.
			c.log.Warn("could not read back a recorded call for the live history", "id", calls[i].ID, "err", err)
			c.calls.dropAll()
			return nil
		}
		if ok {
			c.calls.publish(historyCall(&call, false))
		}
	}
	return nil
}
