package clients

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yamlDoc maps yaml.v3 line/column marks (1-based, columns in runes) to
// byte offsets, because yaml.v3 reports no byte ranges.
type yamlDoc struct {
	src        []byte
	lineStarts []int
}

func newYAMLDoc(src []byte) *yamlDoc {
	d := &yamlDoc{src: src, lineStarts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			d.lineStarts = append(d.lineStarts, i+1)
		}
	}
	return d
}

func (d *yamlDoc) offset(line, col int) int {
	if line < 1 || line > len(d.lineStarts) {
		return -1
	}
	off := d.lineStarts[line-1]
	if line == 1 && bytes.HasPrefix(d.src, []byte("\xef\xbb\xbf")) {
		off += 3 // yaml.v3 does not count the BOM as a column
	}
	for c := 1; c < col; c++ {
		if off >= len(d.src) || d.src[off] == '\n' {
			return -1
		}
		_, w := utf8.DecodeRune(d.src[off:])
		off += w
	}
	return off
}

func parseYAMLTree(src []byte) (*node, error) {
	// Decoding into a plain value rejects duplicate keys, which the Node
	// API accepts; clients decoding the file would reject them too.
	var plain any
	if err := yaml.Unmarshal(src, &plain); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	if doc.Kind == 0 { // empty document
		return &node{kind: kObject, flow: false}, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("parse yaml: expected one document")
	}
	d := newYAMLDoc(src)
	return d.build(doc.Content[0], false), nil
}

func (d *yamlDoc) build(y *yaml.Node, inFlow bool) *node {
	n := &node{start: d.offset(y.Line, y.Column)}
	if y.Anchor != "" || y.Kind == yaml.AliasNode {
		n.unsupported = "uses YAML anchors or aliases"
	}
	switch y.Kind {
	case yaml.ScalarNode:
		if y.Tag == "!!str" {
			n.kind = kString
			n.str = y.Value
		}
		if y.Tag == "!!null" && y.Value == "" {
			// an empty value: no bytes to splice
			return n
		}
		n.end, n.spanOK = d.scalarEnd(n.start, y, inFlow)
	case yaml.MappingNode:
		n.kind = kObject
		n.flow = y.Style&yaml.FlowStyle != 0
		seen := map[string]bool{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				n.unsupported = "uses YAML merge keys"
			}
			if seen[k.Value] {
				n.dupKeys = append(n.dupKeys, k.Value)
			}
			seen[k.Value] = true
			n.members = append(n.members, member{key: k.Value, keyStart: d.offset(k.Line, k.Column),
				val: d.build(v, inFlow || n.flow)})
		}
	case yaml.SequenceNode:
		n.kind = kArray
		n.block = y.Style&yaml.FlowStyle == 0
		for _, c := range y.Content {
			e := d.build(c, inFlow || !n.block)
			if n.block && e.start >= 0 {
				e.lineStart = bytes.LastIndexByte(d.src[:e.start], '\n') + 1
			}
			n.elems = append(n.elems, e)
		}
		if !n.block && n.start >= 0 && n.start < len(d.src) && d.src[n.start] == '[' {
			n.open = n.start + 1
			n.end = matchFlowEnd(d.src, n.start)
			n.spanOK = n.end > 0
		}
	}
	return n
}

// scalarEnd finds the end of a single-line scalar starting at off and checks
// that those bytes decode to the same value; multi-line and block scalars are
// reported as not spliceable.
func (d *yamlDoc) scalarEnd(off int, y *yaml.Node, inFlow bool) (int, bool) {
	src := d.src
	if off < 0 || off >= len(src) {
		return -1, false
	}
	end := -1
	switch {
	case y.Style&yaml.DoubleQuotedStyle != 0:
		for i := off + 1; i < len(src); i++ {
			if src[i] == '\\' {
				i++
				continue
			}
			if src[i] == '\n' {
				return -1, false
			}
			if src[i] == '"' {
				end = i + 1
				break
			}
		}
	case y.Style&yaml.SingleQuotedStyle != 0:
		for i := off + 1; i < len(src); i++ {
			if src[i] == '\n' {
				return -1, false
			}
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				end = i + 1
				break
			}
		}
	case y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return -1, false
	default:
		i := off
		for ; i < len(src); i++ {
			c := src[i]
			if c == '\n' || c == '\r' {
				break
			}
			if c == '#' && i > off && (src[i-1] == ' ' || src[i-1] == '\t') {
				break
			}
			if inFlow && (c == ',' || c == ']' || c == '}') {
				break
			}
		}
		for i > off && (src[i-1] == ' ' || src[i-1] == '\t') {
			i--
		}
		end = i
	}
	if end < 0 {
		return -1, false
	}
	// The bytes must decode to the node's value on their own, or the scalar
	// continues on another line.
	var got any
	raw := append([]byte{}, src[off:end]...)
	if inFlow {
		if err := yaml.Unmarshal(append(append([]byte("["), raw...), ']'), &got); err != nil {
			return -1, false
		}
	} else {
		var m map[string]any
		if err := yaml.Unmarshal(append([]byte("k: "), raw...), &m); err != nil {
			return -1, false
		}
		got = []any{m["k"]}
	}
	l, ok := got.([]any)
	if !ok || len(l) != 1 {
		return -1, false
	}
	if s, ok := l[0].(string); ok && y.Tag == "!!str" && s != y.Value {
		return -1, false
	}
	return end, true
}

// matchFlowEnd returns the offset after the ']' or '}' closing the flow
// collection that starts at off, skipping quoted strings and comments.
func matchFlowEnd(src []byte, off int) int {
	depth := 0
	for i := off; i < len(src); i++ {
		c := src[i]
		if (c == '"' || c == '\'') && !tokenStart(src, off, i) {
			continue // a quote inside a plain scalar
		}
		switch c {
		case '"':
			for i++; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(src); i++ {
				if src[i] == '\'' {
					if i+1 < len(src) && src[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i > off && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n') {
				for i < len(src) && src[i] != '\n' {
					i++
				}
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

// tokenStart reports whether src[i] starts a flow token: only then does a
// quote open a quoted scalar.
func tokenStart(src []byte, off, i int) bool {
	for j := i - 1; j >= off; j-- {
		switch src[j] {
		case ' ', '\t', '\r', '\n':
			continue
		case '[', '{', ',', ':':
			return true
		}
		return false
	}
	return true
}
