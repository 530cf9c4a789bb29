package shim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/toolguard"
)

// Namespacing (a per-client switch of the policy): the client sees each of
// this server's tools as NAME__TOOL, so two servers' tools never collide in
// it, and its tools/call names are mapped back before anything else looks at
// them. Off by default: it changes what the model sees. These are the two
// places, with list filtering, where the shim re-encodes a message.

// namespacePrefix returns "NAME__" when the client's tools are namespaced.
func (s *shim) namespacePrefix() (string, bool) {
	set := s.link.policy.Load()
	client := s.clientName()
	if set == nil || client == "" || !slices.Contains(set.Namespace, client) {
		return "", false
	}
	return s.cfg.Name + toolguard.NamespaceSep, true
}

// namespaceList shows the tools of a tools/list response as NAME__TOOL.
func (s *shim) namespaceList(line []byte) ([]byte, error) {
	prefix, ok := s.namespacePrefix()
	if !ok {
		return line, nil
	}
	return toolguard.RenameTools(line, func(name string) string { return prefix + name })
}

// unnamespaceCall maps a namespaced tools/call back to the server's own
// tool name: it returns the line to forward and the tool name.
func (s *shim) unnamespaceCall(line []byte, name string) ([]byte, string, error) {
	prefix, ok := s.namespacePrefix()
	if !ok {
		return line, name, nil
	}
	orig, found := strings.CutPrefix(name, prefix)
	if !found || orig == "" {
		return line, name, nil // a name the client had before namespacing: as it is
	}
	out, err := renameCall(line, orig)
	if err != nil {
		return nil, "", err
	}
	return out, orig, nil
}

// renameCall re-encodes a tools/call request with params.name set to name;
// its line ending is kept.
func renameCall(line []byte, name string) ([]byte, error) {
	body := bytes.TrimRight(line, "\r\n")
	ending := line[len(body):]
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		return nil, fmt.Errorf("read the call: %w", err)
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(msg["params"], &params); err != nil {
		return nil, fmt.Errorf("read the call's params: %w", err)
	}
	q, err := json.Marshal(name)
	if err != nil {
		return nil, err
	}
	params["name"] = q
	if msg["params"], err = json.Marshal(params); err != nil {
		return nil, err
	}
	out, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return append(out, ending...), nil
}

// policyChanged tells the client to re-list its tools when namespacing of
// its tools was turned on or off, so it sees the names it must call.
func (s *shim) policyChanged(old, cur *policy.Set) {
	client := s.clientName()
	if client == "" {
		return
	}
	if slices.Contains(old.Namespace, client) != slices.Contains(cur.Namespace, client) {
		s.listChanged(toolguard.KindTool)
	}
}
