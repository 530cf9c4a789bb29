package clients

import (
	"fmt"
	"strings"

	"github.com/tailscale/hujson"
)

// nodeKind classifies a parsed value.
type nodeKind int

const (
	kOther nodeKind = iota // number, bool, null, date, ...
	kString
	kObject
	kArray
)

// node is a format-neutral view of one parsed value and where it sits in the
// source bytes. Offsets are byte offsets into the file. For kString, [start,
// end) is the whole token (quotes included). For kArray in flow style, start
// is the '[' and open the byte after it; block (YAML) sequences have block
// set and their items carry linePrefix/lineStart.
type node struct {
	kind        nodeKind
	start, end  int
	str         string
	members     []member
	elems       []*node
	open        int
	block       bool // YAML block sequence
	flow        bool // object written inline ({...} in YAML/TOML); JSON objects are always flow
	lineStart   int  // YAML block item: offset of its line start
	spanOK      bool // start/end are exact; false for values we cannot splice
	unsupported string
	dupKeys     []string
}

type member struct {
	key      string
	keyStart int
	// keyPrefix is the dotted TOML key text before the last part ("docs."),
	// so an inserted sibling key lands in the same table.
	keyPrefix string
	val       *node
}

// get returns the value of the last member named key (JavaScript clients
// keep the last duplicate) and whether the key occurs more than once.
func (n *node) get(key string) (v *node, dup bool) {
	if n == nil || n.kind != kObject {
		return nil, false
	}
	count := 0
	for _, m := range n.members {
		if m.key == key {
			v = m.val
			count++
		}
	}
	return v, count > 1
}

func (n *node) getString(key string) string {
	v, _ := n.get(key)
	if v != nil && v.kind == kString {
		return v.str
	}
	return ""
}

// fromHuJSON converts a parsed hujson value (with offsets) into a node tree.
func fromHuJSON(v *hujson.Value) *node {
	n := &node{start: v.StartOffset, end: v.EndOffset, spanOK: true, flow: true}
	switch t := v.Value.(type) {
	case hujson.Literal:
		if t.Kind() == '"' {
			n.kind = kString
			n.str = t.String()
		}
	case *hujson.Object:
		n.kind = kObject
		seen := map[string]bool{}
		for i := range t.Members {
			m := &t.Members[i]
			k := m.Name.Value.(hujson.Literal).String()
			if seen[k] {
				n.dupKeys = append(n.dupKeys, k)
			}
			seen[k] = true
			n.members = append(n.members, member{key: k, keyStart: m.Name.StartOffset, val: fromHuJSON(&m.Value)})
		}
	case *hujson.Array:
		n.kind = kArray
		n.open = v.StartOffset + 1
		for i := range t.Elements {
			n.elems = append(n.elems, fromHuJSON(&t.Elements[i]))
		}
	}
	return n
}

func parseJSONTree(src []byte) (*node, error) {
	v, err := hujson.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("parse jsonc: %w", err)
	}
	v.UpdateOffsets()
	return fromHuJSON(&v), nil
}

// pointerEscape escapes one RFC 6901 reference token.
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
