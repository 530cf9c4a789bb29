package app

import (
	"context"
	"fmt"

	"github.com/countersign/countersign/internal/policy"
)

// Settings is bound to the window: the switches of the Settings section.
// The pause state is the core's (pushed to shims); start at login is this
// desktop session's.
//
// Not here yet: a default approval timeout. The timeout is each shim's
// --timeout (55 s by default); a core-wide default would need the shim to
// read it from its session's first update, which it does not do yet.
type Settings struct {
	core Core
}

// Pause returns the pause state: "" (not paused), "deny" or "ask".
func (s *Settings) Pause() (string, error) {
	return string(s.core.Pause()), nil
}

// SetPause sets the pause state ("" resumes); the change reaches the window
// as EventPauseChanged and every shim at once.
func (s *Settings) SetPause(p string) error {
	if err := s.core.SetPause(context.Background(), policy.Pause(p)); err != nil {
		return fmt.Errorf("set pause: %w", err)
	}
	return nil
}

// StartAtLogin reports whether Countersign starts with the desktop session.
func (s *Settings) StartAtLogin() (bool, error) {
	return autostartEnabled()
}

// SetStartAtLogin turns starting with the desktop session on or off.
func (s *Settings) SetStartAtLogin(on bool) error {
	if err := setAutostart(on); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}
