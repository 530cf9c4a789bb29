package app

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/internal/policy"
)

// Rules is bound to the window: the allow/deny/ask rules, the same ones the
// CLI edits. Every change, from here or elsewhere, reaches the window as
// EventRulesChanged (forwardPolicy).
type Rules struct {
	core Core
}

// List returns every rule.
func (r *Rules) List() ([]policy.Rule, error) {
	rules, err := r.core.Rules(context.Background())
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	return rules, nil
}

// Add stores a new rule and returns it with its id.
func (r *Rules) Add(rule policy.Rule) (policy.Rule, error) {
	added, err := r.core.AddRule(context.Background(), rule)
	if err != nil {
		return policy.Rule{}, fmt.Errorf("add rule: %w", err)
	}
	return added, nil
}

// Remove deletes the rule id.
func (r *Rules) Remove(id string) error {
	if err := r.core.RemoveRule(context.Background(), id); err != nil {
		return fmt.Errorf("remove rule %s: %w", id, err)
	}
	return nil
}
