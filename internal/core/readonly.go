package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// Trusting a server's readOnlyHint: annotations are the server's claims and
// never relax a decision, unless a person chooses to trust them for one
// server. Then a call to a tool that server claims read-only is allowed
// (after quarantine, the secret guard, pause, deny and ask rules).

// trustReadOnlySetting stores the trusted servers as a JSON array.
const trustReadOnlySetting = "trust_read_only"

func (c *Core) loadTrustReadOnly(ctx context.Context) ([]string, error) {
	raw, ok, err := c.store.Setting(ctx, trustReadOnlySetting)
	if err != nil || !ok {
		return nil, err
	}
	var servers []string
	if err := json.Unmarshal([]byte(raw), &servers); err != nil {
		return nil, fmt.Errorf("core: the saved %s is unreadable: %w", trustReadOnlySetting, err)
	}
	return servers, nil
}

// TrustReadOnly lists the servers whose readOnlyHint claims are trusted.
func (c *Core) TrustReadOnly() []string { return slices.Clone(c.policy().TrustReadOnly) }

// SetTrustReadOnly trusts (or stops trusting) server's readOnlyHint claims;
// the change is saved, then pushed to every shim with the rules.
func (c *Core) SetTrustReadOnly(ctx context.Context, server string, on bool) error {
	if server == "" {
		return fmt.Errorf("%w: name the server whose read-only claims to trust", localapi.ErrInvalid)
	}
	c.timeoutsMu.Lock() // the same read-modify-write guard as the timeouts
	defer c.timeoutsMu.Unlock()
	next := slices.DeleteFunc(slices.Clone(c.policy().TrustReadOnly), func(s string) bool { return s == server })
	if on {
		next = append(next, server)
		slices.Sort(next)
	}
	raw, _ := json.Marshal(next) // strings only: cannot fail
	if err := c.store.SetSetting(ctx, trustReadOnlySetting, string(raw)); err != nil {
		return fmt.Errorf("core: save %s: %w", trustReadOnlySetting, err)
	}
	c.update(func(s *policy.Set) { s.TrustReadOnly = next })
	c.log.Info("read-only claims trust changed", "server", server, "trusted", on)
	return nil
}
