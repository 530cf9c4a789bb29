package toolguard

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Namespacing: with it on for a client, the shim shows each tool as
// SERVER__TOOL, so two servers' tools can never collide in that client, and
// maps the name back on tools/call.

// NamespaceSep joins the server and tool names of a namespaced tool.
const NamespaceSep = "__"

// RenameTools rewrites the name of every tool in a tools/list response
// message through rename; every other byte of the message is kept. A
// response without a result (an error response) is returned as is.
func RenameTools(message []byte, rename func(name string) string) ([]byte, error) {
	msg, release, err := parsePooled(message)
	if err != nil {
		return nil, fmt.Errorf("rename tools: %w", err)
	}
	defer release()
	if msg.kind != kindObject {
		return nil, fmt.Errorf("rename tools: message is not an object")
	}
	res, ok := msg.get("result")
	if !ok {
		return message, nil
	}
	if res.kind != kindObject {
		return nil, fmt.Errorf("rename tools: result is not an object")
	}
	list, ok := res.get("tools")
	if !ok {
		return message, nil
	}
	if list.kind != kindArray {
		return nil, fmt.Errorf(`rename tools: "tools" is not an array`)
	}
	out := make([]byte, 0, len(message)+len(list.members)*16)
	last := 0
	for i := range list.members {
		item := &list.members[i].val
		if item.kind != kindObject {
			continue
		}
		name, ok := item.get("name")
		if !ok || name.kind != kindString {
			continue
		}
		var q bytes.Buffer
		enc := json.NewEncoder(&q)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rename(name.str)); err != nil {
			return nil, fmt.Errorf("rename tools: %w", err)
		}
		out = append(out, message[last:name.start]...)
		out = append(out, bytes.TrimSuffix(q.Bytes(), []byte("\n"))...)
		last = name.end
	}
	return append(out, message[last:]...), nil
}
