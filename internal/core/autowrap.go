package core

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/watch"
)

// Auto-wrap: with the setting on, a server that appears in a client config
// unprotected is wrapped at once (the same rewrite, backup and journal as
// `countersign wrap`), so its first tool call already waits for a person.
// Only new servers: one a person unwrapped on purpose stays as it is.

// AutoWrapSetting is the store setting holding "on" or "off" (default).
const AutoWrapSetting = "auto_wrap"

// AutoWrap reports whether new unprotected servers are wrapped at once.
func (c *Core) AutoWrap(ctx context.Context) (bool, error) {
	v, ok, err := c.store.Setting(ctx, AutoWrapSetting)
	if err != nil {
		return false, fmt.Errorf("core: read %s: %w", AutoWrapSetting, err)
	}
	return ok && v == "on", nil
}

// SetAutoWrap turns auto-wrap on or off.
func (c *Core) SetAutoWrap(ctx context.Context, on bool) error {
	v := "off"
	if on {
		v = "on"
	}
	if err := c.store.SetSetting(ctx, AutoWrapSetting, v); err != nil {
		return fmt.Errorf("core: save %s: %w", AutoWrapSetting, err)
	}
	c.log.Info("auto-wrap changed", "on", on)
	return nil
}

// autoWrap wraps the servers ev added unprotected when the setting is on
// and returns ev with those servers marked protected. A server it cannot
// wrap stays unprotected in ev (and is announced as such), with the reason
// logged and recorded.
func (c *Core) autoWrap(ev watch.Event) watch.Event {
	if ev.File != watch.FileChanged && ev.File != watch.FileAdded {
		return ev
	}
	var locators []string
	for _, s := range ev.Servers {
		if s.Unprotected && s.Kind == watch.ServerAdded {
			locators = append(locators, s.Locator)
		}
	}
	if len(locators) == 0 {
		return ev
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if on, err := c.AutoWrap(ctx); err != nil || !on {
		return ev
	}
	env, err := clients.EnvFromOS()
	if err == nil && c.shimPath == "" {
		err = fmt.Errorf("no countersign binary to write into configs")
	}
	var res clients.ApplyResult
	if err == nil {
		res, err = clients.Apply(ctx, env, clients.ApplyRequest{Client: ev.ClientID, Path: ev.Path, Names: locators,
			ShimPath: c.shimPath, Home: c.home, Wrote: c.ClientsWrote})
	}
	if err != nil {
		c.log.Warn("auto-wrap failed; the new servers stay unprotected", "client", ev.ClientID, "file", ev.Path, "err", err)
		return ev
	}
	wrapped := map[string]bool{}
	for _, f := range res.Files {
		if f.Error != "" {
			c.log.Warn("auto-wrap failed; the new servers stay unprotected", "client", ev.ClientID, "file", f.Path, "err", f.Error)
		}
		for _, s := range f.Servers {
			if s.Action == string(clients.ActionWrapped) && f.Error == "" {
				wrapped[s.Locator] = true
				c.log.Info("new server wrapped automatically", "client", ev.ClientID, "server", s.Server, "file", f.Path)
				c.recordEvent(store.Event{Kind: store.EventConfigChanged, Client: ev.ClientID, Server: s.Server, Path: f.Path,
					Detail: "auto-wrapped new server " + s.Server})
			} else if s.Action == string(clients.ActionSkipped) {
				c.log.Warn("new server cannot be wrapped automatically", "client", ev.ClientID, "server", s.Server, "reason", s.Reason)
			}
		}
	}
	ev.Servers = slices.Clone(ev.Servers)
	for i, s := range ev.Servers {
		if wrapped[s.Locator] {
			ev.Servers[i].Unprotected = false
		}
	}
	return ev
}

// defaultShimPath is the countersign binary the running program writes into
// configs ("" when there is none: auto-wrap then only logs).
func defaultShimPath() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	p, err := clients.ShimBinary(exe)
	if err != nil {
		return ""
	}
	return p
}
