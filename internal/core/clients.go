package core

import (
	"context"
	"strings"
	"sync"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/watch"
)

// maxClientEvents bounds the config changes kept in memory per core.
const maxClientEvents = 200

// clientWatch is the in-memory state of the core's config watcher, held by
// Core.clients while watchClients runs.
type clientWatch struct {
	w      *watch.Watcher
	mu     sync.Mutex
	events []watch.Event // newest last
}

// watchClients watches every known AI client config on this machine until
// ctx ends and logs each change made outside Countersign; a server that
// appears (or loses its wrapping) and is not protected is a warning.
func (c *Core) watchClients(ctx context.Context) {
	env, err := clients.EnvFromOS()
	if err != nil {
		c.log.Warn("client config watcher not started", "err", err)
		return
	}
	cw := &clientWatch{}
	w, err := watch.New(watch.Options{Env: env, Log: c.log, Notify: func(ev watch.Event) { c.clientChanged(cw, ev) }})
	if err != nil {
		c.log.Warn("client config watcher not started", "err", err)
		return
	}
	cw.w = w
	c.clients.Store(cw)
	defer c.clients.Store(nil)
	if err := w.Run(ctx); err != nil {
		c.log.Warn("client config watcher stopped", "err", err)
	}
}

func (c *Core) clientChanged(cw *clientWatch, ev watch.Event) {
	ev = c.autoWrap(ev)
	cw.mu.Lock()
	cw.events = append(cw.events, ev)
	if n := len(cw.events) - maxClientEvents; n > 0 {
		cw.events = append([]watch.Event(nil), cw.events[n:]...)
	}
	cw.mu.Unlock()
	c.publishClients(ev)

	c.recordEvent(store.Event{Kind: store.EventConfigChanged, Client: ev.ClientID, Path: ev.Path, Detail: changeSummary(ev)})
	switch ev.File {
	case watch.FileBroken:
		c.log.Warn("client config cannot be read", "client", ev.ClientID, "file", ev.Path, "err", ev.Error)
		return
	case watch.FileRemoved:
		c.log.Info("client config removed", "client", ev.ClientID, "file", ev.Path, "servers", len(ev.Servers))
		return
	}
	for _, s := range ev.Servers {
		switch {
		case s.Unprotected && s.Kind == watch.ServerAdded:
			c.log.Warn("new unprotected server", "client", ev.ClientID, "server", s.Name, "file", ev.Path)
		case s.Unprotected:
			c.log.Warn("server no longer protected", "client", ev.ClientID, "server", s.Name, "file", ev.Path)
		default:
			c.log.Info("client config changed", "client", ev.ClientID, "server", s.Name, "change", string(s.Kind), "file", ev.Path)
		}
	}
}

// ClientChanges returns the config changes seen since the core started
// (at most the last 200), oldest first; nil when the watcher is not running.
func (c *Core) ClientChanges() []watch.Event {
	cw := c.clients.Load()
	if cw == nil {
		return nil
	}
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return append([]watch.Event(nil), cw.events...)
}

// clientSubBuffer is how many config changes a slow subscriber may lag.
const clientSubBuffer = 16

// SubscribeClients streams each config change the watcher reports (changes
// made outside Countersign) until cancel, which closes the channel. It never
// blocks the watcher: a subscriber that falls clientSubBuffer events behind
// loses its oldest unread event, so a reader that must not miss any should
// re-read the configs on each event rather than apply the events as deltas.
func (c *Core) SubscribeClients() (<-chan watch.Event, func()) {
	ch := make(chan watch.Event, clientSubBuffer)
	c.mu.Lock()
	if c.clientSubs == nil {
		c.clientSubs = map[chan watch.Event]struct{}{}
	}
	c.clientSubs[ch] = struct{}{}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.clientSubs[ch]; ok {
			delete(c.clientSubs, ch)
			close(ch)
		}
	}
}

// publishClients hands ev to every subscriber without blocking.
func (c *Core) publishClients(ev watch.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.clientSubs {
		select {
		case ch <- ev:
		default: // full: drop the oldest, then there is room (only we send, under mu)
			select {
			case <-ch:
			default:
			}
			ch <- ev
		}
	}
}

// ClientsWrote tells the watcher that Countersign itself wrote data to a
// client config (desktop app wraps), so the write raises no change event.
func (c *Core) ClientsWrote(path string, data []byte) {
	if cw := c.clients.Load(); cw != nil {
		cw.w.Wrote(path, data)
	}
}

// changeSummary says in a line what changed in a config file.
func changeSummary(ev watch.Event) string {
	parts := []string{string(ev.File)}
	for _, s := range ev.Servers {
		p := string(s.Kind) + " " + s.Name
		if s.Unprotected {
			p += " (not protected)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}
