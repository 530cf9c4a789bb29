package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

const pauseSetting = "pause"

func (c *Core) loadRules(ctx context.Context) error {
	docs, err := c.store.Rules(ctx)
	if err != nil {
		return fmt.Errorf("core: load rules: %w", err)
	}
	var rules []policy.Rule
	for _, d := range docs {
		var r policy.Rule
		if err := json.Unmarshal(d.Doc, &r); err != nil {
			return fmt.Errorf("core: rule %s is unreadable: %w", d.ID, err)
		}
		rules = append(rules, r)
	}
	var pause policy.Pause
	if p, ok, err := c.store.Setting(ctx, pauseSetting); err != nil {
		return fmt.Errorf("core: %w", err)
	} else if ok {
		pause = policy.Pause(p)
	}
	timeouts, err := c.loadTimeouts(ctx)
	if err != nil {
		return err
	}
	trusted, err := c.loadNameList(ctx, trustReadOnlyList)
	if err != nil {
		return err
	}
	namespaced, err := c.loadNameList(ctx, namespaceList)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.set = policy.NewSet(rules, pause)
	c.set.Timeouts, c.set.TrustReadOnly, c.set.Namespace = timeouts, trusted, namespaced
	c.mu.Unlock()
	return nil
}

// policy returns the rule set in force.
func (c *Core) policy() *policy.Set {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.set
}

// Rules lists the rules that still apply, oldest first.
func (c *Core) Rules(ctx context.Context) ([]policy.Rule, error) {
	now := time.Now()
	var out []policy.Rule
	for _, r := range c.policy().Rules {
		if !r.Expired(now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// AddRule validates, stores and pushes a rule, returning it with its id.
func (c *Core) AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error) {
	r.ID = broker.NewID()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	if err := r.Validate(); err != nil {
		return policy.Rule{}, fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return policy.Rule{}, fmt.Errorf("core: %w", err)
	}
	if err := c.store.PutRule(ctx, r.ID, doc); err != nil {
		return policy.Rule{}, fmt.Errorf("core: save rule: %w", err)
	}
	c.update(func(s *policy.Set) { s.Rules = append(s.Rules, r) })
	c.log.Info("rule added", "id", r.ID, "action", r.Action, "server", r.Server, "tool", r.Tool)
	return r, nil
}

// RemoveRule deletes a rule.
func (c *Core) RemoveRule(ctx context.Context, id string) error {
	ok, err := c.store.DeleteRule(ctx, id)
	if err != nil {
		return fmt.Errorf("core: delete rule: %w", err)
	}
	if !ok {
		return fmt.Errorf("no rule with id %q: %w", id, localapi.ErrNotFound)
	}
	c.update(func(s *policy.Set) {
		s.Rules = slices.DeleteFunc(s.Rules, func(r policy.Rule) bool { return r.ID == id })
	})
	c.log.Info("rule removed", "id", id)
	return nil
}

// update replaces the rule set with an edited copy and pushes it to every
// shim session.
func (c *Core) update(edit func(*policy.Set)) {
	c.mu.Lock()
	draft := &policy.Set{Rules: slices.Clone(c.set.Rules), Pause: c.set.Pause, Timeouts: c.set.Timeouts.Clone(),
		TrustReadOnly: slices.Clone(c.set.TrustReadOnly), Namespace: slices.Clone(c.set.Namespace)}
	edit(draft)
	next := policy.NewSet(draft.Rules, draft.Pause)
	next.Timeouts, next.TrustReadOnly, next.Namespace = draft.Timeouts, draft.TrustReadOnly, draft.Namespace
	c.set = next
	for _, s := range c.sessions {
		s.push(next)
	}
	c.publishPolicy(next)
	c.mu.Unlock()
}
