package core

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// timeoutsSetting stores the Settings waits as JSON with readable
// durations: {"default":"2m0s","per_server":{"fs":"5m0s"}}.
const timeoutsSetting = "timeouts"

type timeoutsDoc struct {
	Default   string            `json:"default,omitempty"`
	PerServer map[string]string `json:"per_server,omitempty"`
}

func (c *Core) loadTimeouts(ctx context.Context) (policy.Timeouts, error) {
	raw, ok, err := c.store.Setting(ctx, timeoutsSetting)
	if err != nil || !ok {
		return policy.Timeouts{}, err
	}
	var doc timeoutsDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return policy.Timeouts{}, fmt.Errorf("core: the saved timeouts are unreadable: %w", err)
	}
	var t policy.Timeouts
	parse := func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err == nil {
			err = policy.CheckTimeout(d)
		}
		return d, err
	}
	if doc.Default != "" {
		if t.Default, err = parse(doc.Default); err != nil {
			return policy.Timeouts{}, fmt.Errorf("core: saved default timeout: %w", err)
		}
	}
	for server, s := range doc.PerServer {
		d, err := parse(s)
		if err != nil {
			return policy.Timeouts{}, fmt.Errorf("core: saved timeout of %s: %w", server, err)
		}
		if t.PerServer == nil {
			t.PerServer = map[string]time.Duration{}
		}
		t.PerServer[server] = d
	}
	return t, nil
}

// Timeouts returns the waits set in Settings.
func (c *Core) Timeouts() policy.Timeouts { return c.policy().Timeouts.Clone() }

// SetTimeout sets how long calls to server wait for a person (server ""
// sets the default); d == 0 unsets it. The value is saved first, then
// pushed to every shim with the rules: a shim started with --timeout keeps
// its own.
func (c *Core) SetTimeout(ctx context.Context, server string, d time.Duration) error {
	if err := policy.CheckTimeout(d); err != nil {
		return fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
	}
	c.timeoutsMu.Lock() // one read-modify-write of the setting at a time
	defer c.timeoutsMu.Unlock()
	next := c.policy().Timeouts.Clone()
	if server == "" {
		next.Default = d
	} else {
		if next.PerServer == nil {
			next.PerServer = map[string]time.Duration{}
		}
		next.PerServer[server] = d
		if d == 0 {
			delete(next.PerServer, server)
		}
	}
	doc := timeoutsDoc{PerServer: map[string]string{}}
	if next.Default > 0 {
		doc.Default = next.Default.String()
	}
	for _, s := range slices.Sorted(maps.Keys(next.PerServer)) {
		doc.PerServer[s] = next.PerServer[s].String()
	}
	raw, _ := json.Marshal(doc) // strings only: cannot fail
	if err := c.store.SetSetting(ctx, timeoutsSetting, string(raw)); err != nil {
		return fmt.Errorf("core: save timeouts: %w", err)
	}
	c.update(func(s *policy.Set) { s.Timeouts = next })
	c.log.Info("timeout changed", "server", server, "timeout", d.String())
	return nil
}

// timeoutFor is the wait of a held call whose shim did not set one.
func (c *Core) timeoutFor(server string) time.Duration {
	if d := c.policy().Timeouts.For(server); d > 0 {
		return d
	}
	return defaultTimeout
}
