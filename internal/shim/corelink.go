package shim

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// coreLink keeps the shim's session with the core: it holds the policy the
// core pushed (nil while the core is unreachable, so every call then fails
// closed) and reconnects in the background.
type coreLink struct {
	api *localapi.Client
	req localapi.SessionRequest
	log *slog.Logger

	policy    atomic.Pointer[policy.Set]
	sessionID atomic.Pointer[string]
	// blockFlagged is the core's block_flagged_results setting, as last
	// pushed; it outlives a lost core (the last word stands).
	blockFlagged atomic.Bool

	firstTry  chan struct{} // closed when the first connection attempt ended
	firstOnce sync.Once

	// onTools applies the held set and list changes the core pushes; it
	// runs on the session goroutine, in stream order.
	onTools func(localapi.SessionUpdate)
	// onPolicy is told when a pushed policy replaces the one in force.
	onPolicy func(old, cur *policy.Set)
	// onSession runs on the session goroutine each time a session opens
	// (the stream waits meanwhile; it is bounded by the LocalAPI calls it
	// makes).
	onSession func()
}

func newCoreLink(api *localapi.Client, req localapi.SessionRequest, log *slog.Logger) *coreLink {
	return &coreLink{api: api, req: req, log: log, firstTry: make(chan struct{})}
}

// run keeps a session open until ctx ends. It owns the session stream.
func (l *coreLink) run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	warned := false
	for ctx.Err() == nil {
		err := l.session(ctx)
		l.policy.Store(nil)
		l.firstOnce.Do(func() { close(l.firstTry) })
		if ctx.Err() != nil {
			return
		}
		if err != nil && !warned {
			if errors.Is(err, localapi.ErrCoreNotRunning) {
				l.log.Warn("Countersign is not running: tool calls are denied until it starts (run the app or `countersign daemon`)")
			} else {
				l.log.Warn("cannot reach the Countersign core: tool calls are denied until it answers", "err", err)
			}
			warned = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
		if err == nil {
			backoff, warned = 100*time.Millisecond, false
		}
	}
}

// session runs one session stream until it breaks.
func (l *coreLink) session(ctx context.Context) error {
	s, err := l.api.OpenSession(ctx, l.req)
	if err != nil {
		return err
	}
	defer s.Close()
	first := true
	for {
		u, err := s.Next()
		if err != nil {
			if first {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			l.log.Warn("lost the Countersign core: tool calls are denied until it is back")
			return nil
		}
		if u.SessionID != "" {
			id := u.SessionID
			l.sessionID.Store(&id)
		}
		// The held set goes in before the policy: a call decided by the
		// new policy must already see it.
		if (u.Quarantined != nil || len(u.ListChanged) > 0) && l.onTools != nil {
			l.onTools(u)
		}
		if u.Results != nil {
			l.blockFlagged.Store(u.Results.BlockFlagged)
		}
		if u.Policy != nil {
			old := l.policy.Swap(u.Policy)
			if l.onPolicy != nil && old != nil {
				l.onPolicy(old, u.Policy)
			}
		}
		if first {
			first = false
			l.firstOnce.Do(func() { close(l.firstTry) })
			l.log.Debug("connected to the Countersign core")
			if l.onSession != nil {
				l.onSession()
			}
		}
	}
}

// current returns the policy in force, waiting for the first connection
// attempt at start-up so an early call is not denied needlessly.
func (l *coreLink) current(ctx context.Context) *policy.Set {
	select {
	case <-l.firstTry:
		return l.policy.Load()
	default:
	}
	t := time.NewTimer(3 * time.Second)
	defer t.Stop()
	select {
	case <-l.firstTry:
	case <-ctx.Done():
	case <-t.C:
	}
	return l.policy.Load()
}

// connected reports whether a session with the core is open now.
func (l *coreLink) connected() bool { return l.policy.Load() != nil }

func (l *coreLink) currentSession() string {
	if p := l.sessionID.Load(); p != nil {
		return *p
	}
	return ""
}
