package core

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

// Pause returns the state of the Pause switch in force.
func (c *Core) Pause() policy.Pause { return c.policy().Pause }

// SetPause turns the Pause switch: PauseDeny denies and PauseAsk asks for
// every call until NotPaused resumes normal evaluation. The state is saved
// first (a restart keeps it) and then pushed to every shim with the rules.
func (c *Core) SetPause(ctx context.Context, p policy.Pause) error {
	switch p {
	case policy.NotPaused, policy.PauseDeny, policy.PauseAsk:
	default:
		return fmt.Errorf("%w: unknown pause state %q", localapi.ErrInvalid, p)
	}
	if err := c.store.SetSetting(ctx, pauseSetting, string(p)); err != nil {
		return fmt.Errorf("core: save pause: %w", err)
	}
	c.update(func(s *policy.Set) { s.Pause = p })
	c.log.Info("pause changed", "pause", string(p))
	return nil
}

// SubscribePolicy streams the policy in force (rules and pause) each time it
// changes, whoever changed it: the desktop app, the CLI through the LocalAPI,
// or a rule added by an "always" decision. Only the newest policy is kept for
// a slow reader. cancel ends the subscription and closes the channel.
func (c *Core) SubscribePolicy() (<-chan *policy.Set, func()) {
	ch := make(chan *policy.Set, 1)
	c.mu.Lock()
	if c.policySubs == nil {
		c.policySubs = map[chan *policy.Set]struct{}{}
	}
	c.policySubs[ch] = struct{}{}
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, ok := c.policySubs[ch]; ok {
			delete(c.policySubs, ch)
			close(ch)
		}
	}
}

// publishPolicy hands p to every policy subscriber without blocking,
// replacing a value not read yet. c.mu is held.
func (c *Core) publishPolicy(p *policy.Set) {
	for ch := range c.policySubs {
		select {
		case <-ch:
		default:
		}
		ch <- p // room: only the holder of c.mu sends, and it just drained
	}
}
