package core

import (
	"context"
	"strings"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/store"
)

// session is one connected shim.
type session struct {
	id      string
	req     localapi.SessionRequest
	updates chan *policy.Set // capacity 1: only the newest policy matters
}

// push hands the session the newest policy without blocking the core.
func (s *session) push(p *policy.Set) {
	for {
		select {
		case s.updates <- p:
			return
		default:
		}
		select {
		case <-s.updates: // drop the stale one
		default:
		}
	}
}

// OpenSession registers a shim and streams policy updates to it until ctx
// ends.
func (c *Core) OpenSession(ctx context.Context, req localapi.SessionRequest, send func(localapi.SessionUpdate) error) error {
	s := &session{id: broker.NewID(), req: req, updates: make(chan *policy.Set, 1)}
	c.mu.Lock()
	c.sessions[s.id] = s
	first := c.set
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.sessions, s.id)
		c.mu.Unlock()
		c.log.Debug("shim session ended", "server", req.Server, "session", s.id)
		c.recordEvent(store.Event{Kind: store.EventSessionEnded, SessionID: s.id, Client: req.Client, Server: req.Server})
	}()
	c.log.Debug("shim session started", "server", req.Server, "client", req.Client, "session", s.id, "pid", req.PID)
	c.recordEvent(store.Event{Kind: store.EventSessionStarted, SessionID: s.id, Client: req.Client, Server: req.Server,
		Detail: strings.Join(req.Command, " ")})
	c.ingestSpool(ctx)
	if err := send(localapi.SessionUpdate{SessionID: s.id, Policy: first}); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-s.updates:
			if err := send(localapi.SessionUpdate{Policy: p}); err != nil {
				return err
			}
		}
	}
}

// sessionInfo returns what a session said about itself.
func (c *Core) sessionInfo(id string) (localapi.SessionRequest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[id]
	if !ok {
		return localapi.SessionRequest{}, false
	}
	return s.req, true
}
