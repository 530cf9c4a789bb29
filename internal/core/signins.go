package core

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// Remote servers waiting for an OAuth sign-in. A shim whose server needs
// one answers its client with an error naming `countersign auth login` and
// reports it here; the desktop app asks the person and opens the browser
// only when they agree, then clears the entry.

// maxSignInsNeeded bounds the servers remembered (a misbehaving shim must
// not grow the core).
const maxSignInsNeeded = 64

// signInBoard is the set of servers needing a sign-in and its subscribers.
type signInBoard struct {
	mu     sync.Mutex
	needed map[string]localapi.SignInNeeded // by server name
	subs   map[chan localapi.SignInNeeded]struct{}
}

// SignInNeeded records that a remote server needs a sign-in and tells the
// subscribers (the desktop app) at once; they are not told again about a
// server already waiting.
func (c *Core) SignInNeeded(ctx context.Context, s localapi.SignInNeeded) error {
	if s.Server == "" || !(strings.HasPrefix(s.URL, "https://") || strings.HasPrefix(s.URL, "http://")) {
		return fmt.Errorf("%w: a sign-in report needs a server name and its http(s) URL", localapi.ErrInvalid)
	}
	if s.At.IsZero() {
		s.At = time.Now()
	}
	b := &c.signIns
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.needed == nil {
		b.needed = map[string]localapi.SignInNeeded{}
	}
	_, known := b.needed[s.Server]
	if !known && len(b.needed) >= maxSignInsNeeded {
		return fmt.Errorf("%w: too many servers waiting for a sign-in", localapi.ErrInvalid)
	}
	b.needed[s.Server] = s
	if known {
		return nil
	}
	c.log.Info("remote server needs a sign-in", "server", s.Server, "client", s.Client)
	for ch := range b.subs {
		select {
		case ch <- s:
		default: // a reader that fell behind re-reads SignInsNeeded
		}
	}
	return nil
}

// SignInsNeeded lists the servers waiting for a sign-in, by name.
func (c *Core) SignInsNeeded() []localapi.SignInNeeded {
	b := &c.signIns
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]localapi.SignInNeeded, 0, len(b.needed))
	for _, s := range b.needed {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b localapi.SignInNeeded) int { return strings.Compare(a.Server, b.Server) })
	return out
}

// SignedIn clears a server's entry once the person has signed in.
func (c *Core) SignedIn(server string) {
	b := &c.signIns
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.needed, server)
}

// SubscribeSignIns streams each new server needing a sign-in until cancel,
// which closes the channel.
func (c *Core) SubscribeSignIns() (<-chan localapi.SignInNeeded, func()) {
	ch := make(chan localapi.SignInNeeded, 8)
	b := &c.signIns
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[chan localapi.SignInNeeded]struct{}{}
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}
