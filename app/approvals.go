package app

import (
	"fmt"

	"github.com/countersign/countersign/internal/broker"
)

// Approvals is bound to the window: the calls waiting for a person.
type Approvals struct {
	core Core
}

// Pending lists the waiting calls, oldest first.
func (a *Approvals) Pending() ([]broker.Pending, error) {
	return a.core.Pending(), nil
}

// Decide approves or denies the waiting call id. A call that already ended
// (decided from the CLI, timed out, cancelled) returns an error the window shows.
func (a *Approvals) Decide(id string, d broker.Decision) error {
	if err := a.core.Decide(id, d); err != nil {
		return fmt.Errorf("decide %s: %w", id, err)
	}
	return nil
}
