package core

import (
	"slices"
	"strings"
)

// SessionInfo is one connected shim as the desktop app lists it: the server
// it fronts and the client that launched it.
type SessionInfo struct {
	ID      string   `json:"id"`
	Server  string   `json:"server"`
	Client  string   `json:"client,omitempty"`
	Command []string `json:"command,omitempty"`
	URL     string   `json:"url,omitempty"`
	PID     int      `json:"pid"`
}

// Sessions lists the connected shims, by server then client then id.
func (c *Core) Sessions() []SessionInfo {
	c.mu.Lock()
	out := make([]SessionInfo, 0, len(c.sessions))
	for _, s := range c.sessions {
		out = append(out, SessionInfo{
			ID: s.id, Server: s.req.Server, Client: s.req.Client,
			Command: slices.Clone(s.req.Command), URL: s.req.URL, PID: s.req.PID,
		})
	}
	c.mu.Unlock()
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if n := strings.Compare(a.Server, b.Server); n != 0 {
			return n
		}
		if n := strings.Compare(a.Client, b.Client); n != 0 {
			return n
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
