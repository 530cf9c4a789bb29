package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// Two per-name switches of the policy, each a list of names saved as a JSON
// array and pushed to the shims with the rules:
//
//   - trusting a server's readOnlyHint: annotations are the server's claims
//     and never relax a decision, unless a person trusts them for one
//     server; then a call to a tool that server claims read-only is allowed
//     (after quarantine, the secret guard, pause, deny and ask rules);
//   - namespacing a client's tools: the shims of that client show each tool
//     as SERVER__TOOL, so two servers' tools never collide in it.

// nameList is one of those switches: its setting and its field of the
// policy.
type nameList struct {
	setting string
	what    string // for messages: "server", "client"
	field   func(*policy.Set) *[]string
}

var (
	trustReadOnlyList = nameList{"trust_read_only", "server", func(s *policy.Set) *[]string { return &s.TrustReadOnly }}
	namespaceList     = nameList{"namespace_clients", "client", func(s *policy.Set) *[]string { return &s.Namespace }}
)

func (c *Core) loadNameList(ctx context.Context, l nameList) ([]string, error) {
	raw, ok, err := c.store.Setting(ctx, l.setting)
	if err != nil || !ok {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal([]byte(raw), &names); err != nil {
		return nil, fmt.Errorf("core: the saved %s is unreadable: %w", l.setting, err)
	}
	return names, nil
}

// setName adds name to (on) or removes it from the list l: saved first,
// then pushed to every shim with the rules.
func (c *Core) setName(ctx context.Context, l nameList, name string, on bool) error {
	if name == "" {
		return fmt.Errorf("%w: name the %s", localapi.ErrInvalid, l.what)
	}
	c.timeoutsMu.Lock() // the read-modify-write guard of policy settings
	defer c.timeoutsMu.Unlock()
	cur := c.policy()
	next := slices.DeleteFunc(slices.Clone(*l.field(cur)), func(s string) bool { return s == name })
	if on {
		next = append(next, name)
		slices.Sort(next)
	}
	raw, _ := json.Marshal(next) // strings only: cannot fail
	if err := c.store.SetSetting(ctx, l.setting, string(raw)); err != nil {
		return fmt.Errorf("core: save %s: %w", l.setting, err)
	}
	c.update(func(s *policy.Set) { *l.field(s) = next })
	c.log.Info("policy switch changed", "setting", l.setting, l.what, name, "on", on)
	return nil
}

// TrustReadOnly lists the servers whose readOnlyHint claims are trusted.
func (c *Core) TrustReadOnly() []string { return slices.Clone(c.policy().TrustReadOnly) }

// SetTrustReadOnly trusts (or stops trusting) server's readOnlyHint claims.
func (c *Core) SetTrustReadOnly(ctx context.Context, server string, on bool) error {
	return c.setName(ctx, trustReadOnlyList, server, on)
}

// Namespaced lists the clients whose tools are shown as SERVER__TOOL.
func (c *Core) Namespaced() []string { return slices.Clone(c.policy().Namespace) }

// SetNamespaced turns namespacing of client's tools on or off; its shims
// apply it to the next tools/list (the client is told to re-list).
func (c *Core) SetNamespaced(ctx context.Context, client string, on bool) error {
	return c.setName(ctx, namespaceList, client, on)
}
