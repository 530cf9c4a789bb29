package policy

import (
	"fmt"
	"maps"
	"time"
)

// Timeout bounds: a wait shorter than MinTimeout could not be answered by a
// person; one longer than MaxTimeout would hold a client's request longer
// than any client keeps it open.
const (
	MinTimeout = time.Second
	MaxTimeout = 24 * time.Hour
)

// Timeouts says how long a held call waits for a person before it is
// denied: per server, else the default; zero means "not set" (the shim's
// own default applies). A shim started with --timeout keeps its own value.
type Timeouts struct {
	Default   time.Duration            `json:"default,omitempty"`
	PerServer map[string]time.Duration `json:"per_server,omitempty"`
}

// For returns the wait set for server, or 0 when none is set.
func (t Timeouts) For(server string) time.Duration {
	if d, ok := t.PerServer[server]; ok && d > 0 {
		return d
	}
	return t.Default
}

// Clone returns a copy that shares no map with t.
func (t Timeouts) Clone() Timeouts {
	return Timeouts{Default: t.Default, PerServer: maps.Clone(t.PerServer)}
}

// CheckTimeout refuses a wait outside [MinTimeout, MaxTimeout]; 0 (unset)
// is allowed.
func CheckTimeout(d time.Duration) error {
	if d != 0 && (d < MinTimeout || d > MaxTimeout) {
		return fmt.Errorf("a timeout must be between %s and %s (or 0 to unset), not %s", MinTimeout, MaxTimeout, d)
	}
	return nil
}
