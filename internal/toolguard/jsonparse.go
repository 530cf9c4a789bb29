package toolguard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds nesting so a hostile listing cannot exhaust the stack.
// Real schemas stay far below it.
const maxDepth = 512

type valueKind uint8

const (
	kindNull valueKind = iota
	kindFalse
	kindTrue
	kindNumber
	kindString
	kindArray
	kindObject
)

// value is one parsed JSON value. Strings hold their exact decoded text
// (escapes resolved, nothing else changed); numbers hold their literal.
// start and end are the value's byte span in the source.
type value struct {
	kind valueKind
	// For strings: unescaped means the source had no escapes, so the text
	// holds no '"', '\\' or control character; printable means every byte
	// is printable ASCII (0x20–0x7e). Both are false when unknown.
	unescaped, printable bool
	str                  string
	start, end           int
	// members of an object; elements of an array (with empty keys).
	members []member
}

type member struct {
	key string
	val value
}

// get returns the member named key of an object.
func (v *value) get(key string) (*value, bool) {
	for i := range v.members {
		if v.members[i].key == key {
			return &v.members[i].val, true
		}
	}
	return nil, false
}

// errSyntax is wrapped by every parse error.
var errSyntax = errors.New("invalid json")

type parser struct {
	src   []byte
	str   string // src as one string: strings without escapes are substrings of it
	pos   int
	depth int
	// stack collects the children of open containers; free hands out
	// exactly sized child slices from larger slabs, so parsing does few
	// allocations. With a pooled arena, slabs and stack are reused.
	stack []member
	free  []member
	pool  *parseArena
}

// parseArena keeps the memory of a parse tree for the next parse. Only
// trees that never leave the function that parsed them may use it.
type parseArena struct {
	stack []member
	slabs [][]member
	used  int // slabs handed out since the last release
}

const slabSize = 4096

// maxPooledSlabs bounds what a pooled arena keeps (4096 × 72 B each).
const maxPooledSlabs = 64

var arenas = sync.Pool{New: func() any { return &parseArena{} }}

// parsePooled parses like parseJSON with pooled memory; call release once
// the tree is no longer used. Nothing of the tree may be kept: strings in
// it may be cloned (strings.Clone), never retained as they are.
func parsePooled(src []byte) (value, func(), error) {
	a := arenas.Get().(*parseArena)
	// The tree must not outlive release (see above), so its strings may
	// view src in place: copying a 1 MiB listing into a string was the
	// largest allocation of an evaluation. Every string a caller keeps is
	// cloned (keys, finding excerpts) and src is not modified meanwhile.
	var str string
	if len(src) > 0 {
		str = unsafe.String(&src[0], len(src))
	}
	p := parser{src: src, str: str, stack: a.stack[:0], pool: a}
	release := func() {
		for _, s := range a.slabs[:a.used] {
			clear(s)
		}
		clear(p.stack[:cap(p.stack)])
		a.stack = p.stack[:0]
		a.used = 0
		if len(a.slabs) > maxPooledSlabs {
			a.slabs = a.slabs[:maxPooledSlabs]
		}
		arenas.Put(a)
	}
	p.skipSpace()
	v, err := p.value()
	if err == nil {
		p.skipSpace()
		if p.pos != len(p.src) {
			err = p.errorf("trailing data")
		}
	}
	if err != nil {
		release()
		return value{}, nil, err
	}
	return v, release, nil
}

// slab returns free child memory for at least n children.
func (p *parser) slab(n int) []member {
	if p.pool == nil || n > slabSize {
		// Roughly one child per 16 bytes of input, at most 1024 at a time.
		return make([]member, max(n, min(1024, len(p.src)/16)))
	}
	a := p.pool
	if a.used == len(a.slabs) {
		a.slabs = append(a.slabs, make([]member, slabSize))
	}
	s := a.slabs[a.used]
	a.used++
	return s
}

// children moves the children pushed since base off the stack into an
// exactly sized slice.
func (p *parser) children(base int) []member {
	n := len(p.stack) - base
	if n == 0 {
		return nil
	}
	if len(p.free) < n {
		p.free = p.slab(n)
	}
	kids := p.free[:n:n]
	p.free = p.free[n:]
	copy(kids, p.stack[base:])
	clear(p.stack[base:])
	p.stack = p.stack[:base]
	return kids
}

// parseJSON parses exactly one JSON value (surrounding whitespace allowed).
// It is stricter than encoding/json where leniency would let two different
// byte strings look alike: invalid UTF-8, lone surrogates and duplicate
// object keys are errors rather than being replaced or overwritten.
func parseJSON(src []byte) (value, error) {
	p := parser{src: src, str: string(src)}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return value{}, p.errorf("trailing data")
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (value, error) {
	if p.pos >= len(p.src) {
		return value{}, p.errorf("unexpected end")
	}
	start := p.pos
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, fast, err := p.stringFlags()
		if err != nil {
			return value{}, err
		}
		return value{kind: kindString, str: s, start: start, end: p.pos, unescaped: fast != 0, printable: fast == fastPrintable}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		for _, lit := range [...]struct {
			text string
			kind valueKind
		}{{"null", kindNull}, {"true", kindTrue}, {"false", kindFalse}} {
			if len(p.src)-p.pos >= len(lit.text) && string(p.src[p.pos:p.pos+len(lit.text)]) == lit.text {
				p.pos += len(lit.text)
				return value{kind: lit.kind, start: start, end: p.pos}, nil
			}
		}
		return value{}, p.errorf("unexpected character %q", c)
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (p *parser) object() (value, error) {
	if err := p.enter(); err != nil {
		return value{}, err
	}
	defer func() { p.depth-- }()
	v := value{kind: kindObject, start: p.pos}
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		v.end = p.pos
		return v, nil
	}
	var seen map[string]struct{}
	base := len(p.stack)
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return value{}, p.errorf("expected object key")
		}
		key, err := p.string()
		if err != nil {
			return value{}, err
		}
		// Small objects are checked by a linear scan; larger ones by a map.
		open := p.stack[base:]
		if len(open) < 16 {
			for i := range open {
				if open[i].key == key {
					return value{}, p.errorf("duplicate key %q", key)
				}
			}
		} else {
			if seen == nil {
				seen = make(map[string]struct{}, 2*len(open))
				for i := range open {
					seen[open[i].key] = struct{}{}
				}
			}
			if _, dup := seen[key]; dup {
				return value{}, p.errorf("duplicate key %q", key)
			}
			seen[key] = struct{}{}
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return value{}, p.errorf("expected ':'")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.stack = append(p.stack, member{key: key, val: val})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return value{}, p.errorf("unterminated object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.end = p.pos
			v.members = p.children(base)
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array() (value, error) {
	if err := p.enter(); err != nil {
		return value{}, err
	}
	defer func() { p.depth-- }()
	v := value{kind: kindArray, start: p.pos}
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		v.end = p.pos
		return v, nil
	}
	base := len(p.stack)
	for {
		p.skipSpace()
		el, err := p.value()
		if err != nil {
			return value{}, err
		}
		p.stack = append(p.stack, member{val: el})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return value{}, p.errorf("unterminated array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.end = p.pos
			v.members = p.children(base)
			return v, nil
		default:
			return value{}, p.errorf("expected ',' or ']'")
		}
	}
}

// number validates the JSON number grammar and keeps the literal.
func (p *parser) number() (value, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.src) && p.src[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return value{}, p.errorf("invalid number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return value{}, p.errorf("invalid number fraction")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return value{}, p.errorf("invalid number exponent")
		}
	}
	return value{kind: kindNumber, str: p.str[start:p.pos], start: start, end: p.pos}, nil
}

// string parses a JSON string at p.pos (which holds '"') and returns its
// decoded text.
func (p *parser) string() (string, error) {
	s, _, err := p.stringFlags()
	return s, err
}

// Results of the fast path of stringFlags.
const (
	slowPath      = 0 // had escapes
	fastUnescaped = 1 // no escapes, some non-ASCII
	fastPrintable = 2 // no escapes, printable ASCII only
)

func (p *parser) stringFlags() (string, int, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	nonASCII := false
	for i := p.pos; i < len(p.src); i++ {
		// Skip eight ordinary bytes at a time.
		for i+8 <= len(p.src) && !swarSpecial(binary.LittleEndian.Uint64(p.src[i:])) {
			i += 8
		}
		if i >= len(p.src) {
			break
		}
		c := p.src[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			continue
		}
		if c >= 0x7f {
			nonASCII = true
			continue
		}
		if c == '"' {
			if nonASCII && !utf8.Valid(p.src[start:i]) {
				p.pos = start
				return "", 0, p.errorf("invalid utf-8 in string")
			}
			p.pos = i + 1
			if nonASCII {
				return p.str[start:i], fastUnescaped, nil
			}
			return p.str[start:i], fastPrintable, nil
		}
		if c == '\\' {
			break
		}
		p.pos = i
		return "", 0, p.errorf("control character in string")
	}
	s, err := p.slowString(start)
	return s, slowPath, err
}

const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// swarSpecial reports whether any of the eight bytes in x may be '"',
// '\\', a control character or 0x7f and above (false positives allowed,
// no false negatives).
func swarSpecial(x uint64) bool {
	hasZero := func(y uint64) bool { return (y-swarLo)&^y&swarHi != 0 }
	return hasZero(x^(swarLo*'"')) || hasZero(x^(swarLo*'\\')) ||
		(x-swarLo*0x20)&^x&swarHi != 0 || ((x+swarLo)|x)&swarHi != 0
}

// slowString decodes a string with escapes starting at start (just after
// the opening quote).
func (p *parser) slowString(start int) (string, error) {
	p.pos = start
	buf := make([]byte, 0, 64)
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return "", p.errorf("unterminated escape")
			}
			e := p.src[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || p.pos+1 >= len(p.src) || p.src[p.pos] != '\\' || p.src[p.pos+1] != 'u' {
						return "", p.errorf("lone surrogate \\u%04x", r)
					}
					p.pos += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", p.errorf("invalid surrogate pair")
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("invalid escape \\%c", e)
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.errorf("invalid utf-8 in string")
			}
			buf = append(buf, p.src[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.src) {
		return 0, p.errorf("short \\u escape")
	}
	n, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(n), nil
}
