package clients

import (
	"fmt"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlTree builds a node tree from the expression stream of go-toml's
// unstable parser, which gives byte ranges for keys and scalars. Array and
// table spans are found by scanning the source (strings and comments aware).
type tomlTree struct {
	src  []byte
	p    *unstable.Parser
	root *node
}

func parseTOMLTree(src []byte) (*node, error) {
	// The strict decoder rejects duplicate keys and tables, which the
	// expression stream alone would accept.
	var m map[string]any
	if err := toml.Unmarshal(src, &m); err != nil {
		return nil, fmt.Errorf("parse toml: %w", err)
	}
	t := &tomlTree{src: src, p: &unstable.Parser{}, root: &node{kind: kObject, start: 0}}
	t.p.Reset(src)
	cur := t.root
	for t.p.NextExpression() {
		e := t.p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			keys, first, _ := t.keys(e.Key())
			start := first
			for start > 0 && t.src[start] != '[' {
				start--
			}
			if e.Kind == unstable.ArrayTable {
				start--
				for start > 0 && t.src[start] != '[' {
					start--
				}
				cur = &node{kind: kObject, start: start, unsupported: "array of tables"}
				t.ensure(t.root, keys[:len(keys)-1], start).unsupported = "contains an array of tables"
				continue
			}
			cur = t.ensure(t.root, keys, start)
		case unstable.KeyValue:
			t.addKeyValue(cur, e)
		}
	}
	if err := t.p.Error(); err != nil {
		return nil, fmt.Errorf("parse toml: %w", err)
	}
	return t.root, nil
}

// keys returns the decoded key parts, the offset of the first part and the
// offset after the last one.
func (t *tomlTree) keys(it unstable.Iterator) (parts []string, first, after int) {
	first = -1
	for it.Next() {
		k := it.Node()
		if first < 0 {
			first = int(k.Raw.Offset)
		}
		after = int(k.Raw.Offset + k.Raw.Length)
		parts = append(parts, string(k.Data))
	}
	return parts, first, after
}

func (t *tomlTree) ensure(parent *node, keys []string, start int) *node {
	n := parent
	for _, k := range keys {
		next, _ := n.get(k)
		if next == nil || next.kind != kObject {
			next = &node{kind: kObject, start: start}
			n.members = append(n.members, member{key: k, keyStart: start, val: next})
		}
		n = next
	}
	return n
}

func (t *tomlTree) addKeyValue(parent *node, e *unstable.Node) {
	keys, first, after := t.keys(e.Key())
	if len(keys) == 0 {
		return
	}
	obj := parent
	lastStart := first
	if len(keys) > 1 {
		obj = t.ensure(parent, keys[:len(keys)-1], first)
		// offset of the last key part, for the dotted prefix
		it := e.Key()
		for it.Next() {
			lastStart = int(it.Node().Raw.Offset)
		}
	}
	vstart := after
	for vstart < len(t.src) && (t.src[vstart] == ' ' || t.src[vstart] == '\t' || t.src[vstart] == '=') {
		vstart++
	}
	v := t.value(e.Value(), vstart)
	for _, m := range obj.members {
		if m.key == keys[len(keys)-1] {
			obj.dupKeys = append(obj.dupKeys, m.key)
		}
	}
	obj.members = append(obj.members, member{key: keys[len(keys)-1], keyStart: first, keyPrefix: string(t.src[first:lastStart]), val: v})
}

func (t *tomlTree) value(v *unstable.Node, start int) *node {
	n := &node{start: start}
	switch v.Kind {
	case unstable.String:
		n.kind = kString
		n.str = string(v.Data)
		n.start = int(v.Raw.Offset)
		n.end = int(v.Raw.Offset + v.Raw.Length)
		n.spanOK = true
	case unstable.Array:
		n.kind = kArray
		n.open = start + 1
		n.end = matchTOMLEnd(t.src, start)
		n.spanOK = n.end > 0 && t.src[start] == '['
		it := v.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			el := &node{start: -1}
			if c.Kind == unstable.String {
				el = t.value(c, int(c.Raw.Offset))
			} else if c.Kind != unstable.Array && c.Kind != unstable.InlineTable {
				el = &node{start: int(c.Raw.Offset), end: int(c.Raw.Offset + c.Raw.Length), spanOK: true}
			}
			n.elems = append(n.elems, el)
		}
	case unstable.InlineTable:
		n.kind = kObject
		n.flow = true
		n.start = int(v.Raw.Offset)
		n.end = matchTOMLEnd(t.src, n.start)
		n.spanOK = n.end > 0
		it := v.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				t.addKeyValue(n, c)
			}
		}
	default:
		n.end = start
		if v.Raw.Length > 0 {
			n.start, n.end = int(v.Raw.Offset), int(v.Raw.Offset+v.Raw.Length)
			n.spanOK = true
		}
	}
	return n
}

// matchTOMLEnd returns the offset after the bracket or brace closing the
// array or inline table at off, skipping strings and comments; -1 if none.
func matchTOMLEnd(src []byte, off int) int {
	depth := 0
	for i := off; i < len(src); i++ {
		switch c := src[i]; c {
		case '"', '\'':
			triple := i+2 < len(src) && src[i+1] == c && src[i+2] == c
			if triple {
				i += 3
				for ; i+2 < len(src); i++ {
					if c == '"' && src[i] == '\\' {
						i++
						continue
					}
					if src[i] == c && src[i+1] == c && src[i+2] == c {
						for i+3 < len(src) && src[i+3] == c { // up to two quotes may end the content
							i++
						}
						i += 2
						break
					}
				}
				continue
			}
			for i++; i < len(src) && src[i] != c && src[i] != '\n'; i++ {
				if c == '"' && src[i] == '\\' {
					i++
				}
			}
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
