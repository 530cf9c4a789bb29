package core

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/toolguard"
)

// session is one connected shim.
type session struct {
	id      string
	req     localapi.SessionRequest
	updates chan *policy.Set                // capacity 1: only the newest policy matters
	listed  map[toolguard.ItemKind][]string // names its server listed last (guarded by Core.mu)

	toolsMu sync.Mutex
	tools   *localapi.SessionUpdate // held set and list changes not sent yet
	kick    chan struct{}           // capacity 1: tools has something
}

// pushTools queues the server's held set (replacing an unsent one) and the
// kinds whose lists changed (added to unsent ones) without blocking.
func (s *session) pushTools(held map[string][]string, changed []string) {
	s.toolsMu.Lock()
	if s.tools == nil {
		s.tools = &localapi.SessionUpdate{}
	}
	s.tools.Quarantined = held
	for _, k := range changed {
		if !slices.Contains(s.tools.ListChanged, k) {
			s.tools.ListChanged = append(s.tools.ListChanged, k)
		}
	}
	s.toolsMu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *session) takeTools() *localapi.SessionUpdate {
	s.toolsMu.Lock()
	defer s.toolsMu.Unlock()
	u := s.tools
	s.tools = nil
	return u
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
	s := &session{id: broker.NewID(), req: req, updates: make(chan *policy.Set, 1), kick: make(chan struct{}, 1)}
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
	// The server's held tools come with the first update, so a call the
	// shim's rules would allow is blocked before the client even lists.
	held, err := c.heldSet(ctx, serverIdentity(req))
	if err != nil {
		return err
	}
	results, err := c.sessionResults(ctx)
	if err != nil {
		return err
	}
	if err := send(localapi.SessionUpdate{SessionID: s.id, Policy: first, Quarantined: held, Results: results}); err != nil {
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
		case <-s.kick:
			if u := s.takeTools(); u != nil {
				if err := send(*u); err != nil {
					return err
				}
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
