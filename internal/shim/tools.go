package shim

import (
	"encoding/json"
)

// toolInfo is what the popup shows about a tool, from the last tools/list.
type toolInfo struct {
	Description string `json:"description"`
	Annotations struct {
		ReadOnlyHint    *bool `json:"readOnlyHint"`
		DestructiveHint *bool `json:"destructiveHint"`
		OpenWorldHint   *bool `json:"openWorldHint"`
	} `json:"annotations"`
}

// learnTools reads a tools/list result for the descriptions and annotation
// claims shown when a call waits. A result it cannot read changes nothing.
func (s *shim) learnTools(result []byte) {
	var r struct {
		Tools []struct {
			Name string `json:"name"`
			toolInfo
		} `json:"tools"`
	}
	if json.Unmarshal(result, &r) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range r.Tools {
		s.tools[t.Name] = t.toolInfo
	}
}

func (s *shim) toolDescription(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tools[name].Description
}

// toolFlags are the risk flags that come from the server's own claims.
// Annotations are claims: they can raise a flag, never lower a risk.
func (s *shim) toolFlags(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tools[name]
	if !ok {
		return nil
	}
	var flags []string
	a := t.Annotations
	// The MCP default for destructiveHint is true when readOnlyHint is false.
	if (a.DestructiveHint != nil && *a.DestructiveHint) || (a.DestructiveHint == nil && (a.ReadOnlyHint == nil || !*a.ReadOnlyHint)) {
		flags = append(flags, "destructive (claimed by the server)")
	}
	if a.ReadOnlyHint != nil && *a.ReadOnlyHint {
		flags = append(flags, "read-only (claimed by the server)")
	}
	return flags
}

// claimsReadOnly reports whether the server annotates the tool readOnlyHint.
func (s *shim) claimsReadOnly(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.tools[name].Annotations.ReadOnlyHint
	return h != nil && *h
}
