package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/countersign/countersign/internal/autostart"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/shim"
)

// Settings is bound to the window: the switches of the Settings section.
// The pause state and the approval timeouts are the core's (pushed to
// shims); start at login is this desktop session's.
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
	return autostart.Enabled()
}

// SetStartAtLogin turns starting with the desktop session on or off.
func (s *Settings) SetStartAtLogin(on bool) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("start at login: find this program: %w", err)
	}
	if err := autostart.Set(on, exe); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// TimeoutSettings are the approval timeouts in whole seconds; 0 is "not
// set". BuiltinSeconds applies when neither a server's value nor the default
// is set, and a shim started with --timeout keeps its own.
type TimeoutSettings struct {
	DefaultSeconds int            `json:"default_seconds"`
	PerServer      map[string]int `json:"per_server"`
	BuiltinSeconds int            `json:"builtin_seconds"`
	MinSeconds     int            `json:"min_seconds"`
	MaxSeconds     int            `json:"max_seconds"`
}

// Timeouts returns how long calls wait for a person, by server.
func (s *Settings) Timeouts() (TimeoutSettings, error) {
	t := s.core.Timeouts()
	out := TimeoutSettings{
		DefaultSeconds: int(t.Default / time.Second), PerServer: map[string]int{},
		BuiltinSeconds: int(shim.DefaultTimeout / time.Second),
		MinSeconds:     int(policy.MinTimeout / time.Second), MaxSeconds: int(policy.MaxTimeout / time.Second),
	}
	for server, d := range t.PerServer {
		out.PerServer[server] = int(d / time.Second)
	}
	return out, nil
}

// SetTimeout sets how many seconds calls to server wait ("" for the
// default); 0 unsets it. Shims get the change at once.
func (s *Settings) SetTimeout(server string, seconds int) error {
	if err := s.core.SetTimeout(context.Background(), server, time.Duration(seconds)*time.Second); err != nil {
		return fmt.Errorf("set timeout: %w", err)
	}
	return nil
}

// WithholdFlaggedResults reports whether a tool result in which the scanner
// found hidden instructions is withheld from the client (not just flagged
// in the history).
func (s *Settings) WithholdFlaggedResults() (bool, error) {
	rs, err := s.core.ResultSettings(context.Background())
	if err != nil {
		return false, fmt.Errorf("read the result setting: %w", err)
	}
	return rs.BlockFlagged, nil
}

// SetWithholdFlaggedResults turns withholding flagged results on or off;
// shims get the change at once.
func (s *Settings) SetWithholdFlaggedResults(on bool) error {
	if _, err := s.core.SetResultSettings(context.Background(), localapi.ResultSettings{BlockFlagged: on}); err != nil {
		return fmt.Errorf("change the result setting: %w", err)
	}
	return nil
}

// AutoWrap reports whether a server that appears unprotected in a client
// config is wrapped at once.
func (s *Settings) AutoWrap() (bool, error) {
	return s.core.AutoWrap(context.Background())
}

// SetAutoWrap turns wrapping new servers automatically on or off.
func (s *Settings) SetAutoWrap(on bool) error {
	if err := s.core.SetAutoWrap(context.Background(), on); err != nil {
		return fmt.Errorf("change auto-wrap: %w", err)
	}
	return nil
}

// HiddenFlag starts the app in the tray with its window hidden (the login
// entry passes it).
const HiddenFlag = autostart.HiddenFlag

// TrustedReadOnly lists the servers whose readOnlyHint claims allow calls.
func (s *Settings) TrustedReadOnly() ([]string, error) {
	out := s.core.TrustReadOnly()
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// SetTrustReadOnly trusts (or stops trusting) a server's read-only claims.
func (s *Settings) SetTrustReadOnly(server string, on bool) error {
	if err := s.core.SetTrustReadOnly(context.Background(), server, on); err != nil {
		return fmt.Errorf("trust read-only claims of %s: %w", server, err)
	}
	return nil
}

// Namespaced lists the clients whose tools are shown as SERVER__TOOL.
func (s *Settings) Namespaced() ([]string, error) {
	out := s.core.Namespaced()
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// SetNamespaced turns namespacing of a client's tools on or off.
func (s *Settings) SetNamespaced(client string, on bool) error {
	if err := s.core.SetNamespaced(context.Background(), client, on); err != nil {
		return fmt.Errorf("namespace the tools of %s: %w", client, err)
	}
	return nil
}
