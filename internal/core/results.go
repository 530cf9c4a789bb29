package core

import (
	"context"
	"fmt"
	"strings"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
)

// Tool-result scanning: shims scan every tools/call result and report the
// findings with the call; the core stores them (store.Call.ResultFlags)
// and owns the one setting, block_flagged_results, which it pushes to
// every shim with its session.

// BlockFlaggedResultsSetting is the settings key that, when "on", has
// shims withhold a tools/call result with hidden-instruction findings
// (the client gets an isError result instead). Off by default: findings
// are only recorded.
const BlockFlaggedResultsSetting = "block_flagged_results"

// ResultSettings returns the tool-result settings in force.
func (c *Core) ResultSettings(ctx context.Context) (localapi.ResultSettings, error) {
	on, err := c.blockFlaggedResults(ctx)
	if err != nil {
		return localapi.ResultSettings{}, err
	}
	return localapi.ResultSettings{BlockFlagged: on}, nil
}

// SetResultSettings saves the tool-result settings and pushes them to every
// connected shim.
func (c *Core) SetResultSettings(ctx context.Context, s localapi.ResultSettings) (localapi.ResultSettings, error) {
	v := "off"
	if s.BlockFlagged {
		v = "on"
	}
	if err := c.store.SetSetting(ctx, BlockFlaggedResultsSetting, v); err != nil {
		return localapi.ResultSettings{}, fmt.Errorf("core: save %s: %w", BlockFlaggedResultsSetting, err)
	}
	c.mu.Lock()
	for _, sess := range c.sessions {
		sess.pushResults(s)
	}
	c.mu.Unlock()
	c.log.Info("tool-result setting changed", "block_flagged_results", s.BlockFlagged)
	return s, nil
}

// blockFlaggedResults reads the setting; unreadable is an error, absent
// is off.
func (c *Core) blockFlaggedResults(ctx context.Context) (bool, error) {
	v, ok, err := c.store.Setting(ctx, BlockFlaggedResultsSetting)
	if err != nil {
		return false, fmt.Errorf("core: read %s: %w", BlockFlaggedResultsSetting, err)
	}
	if !ok {
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1", "yes":
		return true, nil
	}
	return false, nil
}

// sessionResults is what a new session is told about results.
func (c *Core) sessionResults(ctx context.Context) (*localapi.ResultSettings, error) {
	s, err := c.ResultSettings(ctx)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// pushResults queues the tool-result settings for the session (replacing
// unsent ones) without blocking.
func (s *session) pushResults(r localapi.ResultSettings) {
	s.toolsMu.Lock()
	if s.tools == nil {
		s.tools = &localapi.SessionUpdate{}
	}
	s.tools.Results = &r
	s.toolsMu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// resultFlags converts reported flags for the store.
func resultFlags(fs []localapi.ResultFlag) []store.ResultFlag {
	if len(fs) == 0 {
		return nil
	}
	out := make([]store.ResultFlag, len(fs))
	for i, f := range fs {
		out[i] = store.ResultFlag{Kind: f.Kind, Location: f.Location, Text: f.Text}
	}
	return out
}

// historyFlags converts stored flags for the LocalAPI; never nil.
func historyFlags(fs []store.ResultFlag) []localapi.ResultFlag {
	out := make([]localapi.ResultFlag, len(fs))
	for i, f := range fs {
		out[i] = localapi.ResultFlag{Kind: f.Kind, Location: f.Location, Text: f.Text}
	}
	return out
}
