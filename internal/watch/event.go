package watch

import (
	"reflect"
	"sort"
	"time"

	"github.com/countersign/countersign/internal/clients"
)

// FileChange says what happened to a config file as a whole.
type FileChange string

const (
	FileAdded    FileChange = "added"    // the file appeared; every server is "added"
	FileRemoved  FileChange = "removed"  // the file is gone; every server is "removed"
	FileChanged  FileChange = "changed"  // the file was edited; see Servers
	FileBroken   FileChange = "broken"   // the file no longer reads or parses; Error says why
	FileRepaired FileChange = "repaired" // a broken file parses again; Servers is the diff against the last good state
)

// Kind says what happened to one server entry.
type Kind string

const (
	ServerAdded   Kind = "added"
	ServerRemoved Kind = "removed"
	ServerChanged Kind = "changed"
)

// Event is one change to one config file, made outside Countersign.
type Event struct {
	Time       time.Time      `json:"time"`
	ClientID   string         `json:"client_id"`
	ClientName string         `json:"client_name"`
	Path       string         `json:"path"`
	Scope      clients.Scope  `json:"scope"`
	File       FileChange     `json:"file"`
	Error      string         `json:"error,omitempty"`
	Servers    []ServerChange `json:"servers"`
}

// Unprotected lists the servers of the event that Countersign does not
// protect now and that were added or lost their wrapping.
func (e Event) Unprotected() []ServerChange {
	var out []ServerChange
	for _, s := range e.Servers {
		if s.Unprotected {
			out = append(out, s)
		}
	}
	return out
}

// ServerChange is one added, removed or changed server entry.
type ServerChange struct {
	Kind    Kind   `json:"kind"`
	Name    string `json:"name"`
	Locator string `json:"locator"`
	// Scope is the project of a per-project entry in ~/.claude.json.
	Scope  string          `json:"scope,omitempty"`
	Before *clients.Server `json:"before,omitempty"`
	After  *clients.Server `json:"after,omitempty"`
	// Unprotected: the server is not wrapped now, and it was just added or
	// was wrapped before this change (its protection was removed).
	Unprotected bool `json:"unprotected"`
}

// diffServers compares two server lists of one file by locator.
func diffServers(before, after []clients.Server) []ServerChange {
	old := map[string]clients.Server{}
	for _, s := range before {
		old[s.Locator] = s
	}
	var out []ServerChange
	seen := map[string]bool{}
	for _, s := range after {
		s := s
		seen[s.Locator] = true
		b, ok := old[s.Locator]
		switch {
		case !ok:
			out = append(out, ServerChange{Kind: ServerAdded, Name: s.Name, Locator: s.Locator, Scope: s.Scope, After: &s, Unprotected: !s.Wrapped})
		case !reflect.DeepEqual(b, s):
			b := b
			out = append(out, ServerChange{Kind: ServerChanged, Name: s.Name, Locator: s.Locator, Scope: s.Scope, Before: &b, After: &s,
				Unprotected: b.Wrapped && !s.Wrapped})
		}
	}
	for _, s := range before {
		if !seen[s.Locator] {
			s := s
			out = append(out, ServerChange{Kind: ServerRemoved, Name: s.Name, Locator: s.Locator, Scope: s.Scope, Before: &s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Locator < out[j].Locator })
	return out
}
