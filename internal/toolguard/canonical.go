package toolguard

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Canonicalize returns the canonical JSON encoding of one JSON value:
// object members sorted by key (byte order of the UTF-8 key, i.e. code
// point order), no insignificant whitespace, numbers rewritten to one
// normal form of their exact decimal value (1, 1.0, 10e-1 and 1E0 are all
// "1"; precision is never lost, so 9007199254740993 stays distinct from
// 9007199254740992), and strings re-escaped minimally (only '"', '\\' and
// control characters are escaped). Strings are NOT Unicode-normalised:
// invisible and look-alike characters survive, so they change a hash.
//
// Input that different parsers could read differently is rejected rather
// than guessed at: duplicate object keys, invalid UTF-8, lone surrogates.
func Canonicalize(raw []byte) ([]byte, error) {
	v, err := parseJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	out, err := appendCanonical(make([]byte, 0, len(raw)), &v)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	return out, nil
}

func appendCanonical(dst []byte, v *value) ([]byte, error) {
	switch v.kind {
	case kindNull:
		return append(dst, "null"...), nil
	case kindTrue:
		return append(dst, "true"...), nil
	case kindFalse:
		return append(dst, "false"...), nil
	case kindNumber:
		n, err := canonicalNumber(v.str)
		if err != nil {
			return nil, err
		}
		return append(dst, n...), nil
	case kindString:
		if v.unescaped {
			// Nothing in it needs escaping.
			dst = append(dst, '"')
			dst = append(dst, v.str...)
			return append(dst, '"'), nil
		}
		return appendCanonicalString(dst, v.str), nil
	case kindArray:
		dst = append(dst, '[')
		for i := range v.members {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendCanonical(dst, &v.members[i].val); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case kindObject:
		var small [16]int
		order := small[:0]
		if len(v.members) > len(small) {
			order = make([]int, 0, len(v.members))
		}
		for i := range v.members {
			order = append(order, i)
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(v.members[a].key, v.members[b].key) })
		dst = append(dst, '{')
		for n, i := range order {
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonicalString(dst, v.members[i].key)
			dst = append(dst, ':')
			var err error
			if dst, err = appendCanonical(dst, &v.members[i].val); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
	return nil, fmt.Errorf("unknown value kind %d", v.kind)
}

const hexDigits = "0123456789abcdef"

func appendCanonicalString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// maxExponentDigits bounds number exponents; a listing with 1e999999999
// is rejected instead of being expanded.
const maxExponentDigits = 6

// canonicalNumber rewrites a valid JSON number literal to the normal form
// of its exact decimal value: no leading or trailing zeros, "-0" is "0",
// plain notation while the integer part has at most 21 digits and the
// value is at least 1e-6 (as JavaScript prints numbers), scientific
// notation "d.ddde±N" otherwise.
func canonicalNumber(lit string) (string, error) {
	neg := false
	s := lit
	if s != "" && s[0] == '-' {
		neg = true
		s = s[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(s), "e")
	exp := 0
	if hasExp {
		digits := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(expPart, "+"), "-"), "0")
		if len(digits) > maxExponentDigits {
			return "", fmt.Errorf("number %q: exponent too large", lit)
		}
		var err error
		if exp, err = strconv.Atoi(strings.TrimPrefix(expPart, "+")); err != nil {
			return "", fmt.Errorf("number %q: %w", lit, err)
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	exp -= len(frac)
	// value = digits × 10^exp
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return "0", nil
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	digits = trimmed
	// Decimal exponent of the leading digit: value = d.ddd × 10^point.
	point := exp + len(digits) - 1
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point >= 0 && point < 21:
		if exp >= 0 {
			b.WriteString(digits)
			b.WriteString(strings.Repeat("0", exp))
		} else {
			b.WriteString(digits[:point+1])
			b.WriteByte('.')
			b.WriteString(digits[point+1:])
		}
	case point < 0 && point >= -6:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point-1))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if point > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(point))
	}
	return b.String(), nil
}

// ItemKind names the kind of listed item a hash, scan or pin is about.
type ItemKind string

const (
	// KindTool is an entry of a tools/list result ("tools").
	KindTool ItemKind = "tool"
	// KindPrompt is an entry of a prompts/list result ("prompts").
	KindPrompt ItemKind = "prompt"
	// KindResourceTemplate is an entry of a resources/templates/list result
	// ("resourceTemplates").
	KindResourceTemplate ItemKind = "resource_template"
)

// itemSpec says where a kind's items live in a list result, which member
// keys an item, and which members are hashed.
type itemSpec struct {
	listKey string
	keyKey  string
	hashed  []string
	// sortedHashed is hashed in canonical (byte) order.
	sortedHashed []string
}

var specs = withSortedHashed(map[ItemKind]itemSpec{
	KindTool:             {listKey: "tools", keyKey: "name", hashed: []string{"name", "title", "description", "inputSchema", "outputSchema", "annotations"}},
	KindPrompt:           {listKey: "prompts", keyKey: "name", hashed: []string{"name", "title", "description", "arguments"}},
	KindResourceTemplate: {listKey: "resourceTemplates", keyKey: "uriTemplate", hashed: []string{"uriTemplate", "name", "title", "description", "mimeType", "annotations"}},
})

func withSortedHashed(m map[ItemKind]itemSpec) map[ItemKind]itemSpec {
	for k, s := range m {
		s.sortedHashed = slices.Sorted(slices.Values(s.hashed))
		m[k] = s
	}
	return m
}

func specFor(kind ItemKind) (itemSpec, error) {
	s, ok := specs[kind]
	if !ok {
		return itemSpec{}, fmt.Errorf("unknown item kind %q", kind)
	}
	return s, nil
}

// Hash returns the hex SHA-256 of the canonical JSON of the hashed members
// of one listed item given as raw JSON: for a tool name, title,
// description, inputSchema, outputSchema and annotations; for a prompt
// name, title, description and arguments; for a resource template
// uriTemplate, name, title, description, mimeType and annotations. Other
// members (_meta, icons, …) do not count. A member that is absent and one
// that is null hash differently.
func Hash(kind ItemKind, rawItem []byte) (string, error) {
	spec, err := specFor(kind)
	if err != nil {
		return "", fmt.Errorf("hash: %w", err)
	}
	v, err := parseJSON(rawItem)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", kind, err)
	}
	h, err := hashItem(nil, spec, &v)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", kind, err)
	}
	return h, nil
}

// ToolHash is Hash(KindTool, rawTool).
func ToolHash(rawTool []byte) (string, error) { return Hash(KindTool, rawTool) }

// hashItem hashes the hashed members of v, using scratch (which it may
// grow; pass it back in) for the canonical bytes.
func hashItem(scratch *[]byte, spec itemSpec, v *value) (string, error) {
	if v.kind != kindObject {
		return "", fmt.Errorf("item is not an object")
	}
	var buf []byte
	if scratch != nil {
		buf = (*scratch)[:0]
	}
	// The canonical JSON of an object holding only the hashed members,
	// written directly in sorted key order rather than built as a value.
	buf = append(buf, '{')
	n := 0
	for _, k := range spec.sortedHashed {
		m, ok := v.get(k)
		if !ok {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		n++
		buf = appendCanonicalString(buf, k)
		buf = append(buf, ':')
		var err error
		if buf, err = appendCanonical(buf, m); err != nil {
			return "", err
		}
	}
	buf = append(buf, '}')
	if scratch != nil {
		*scratch = buf
	}
	sum := sha256.Sum256(buf)
	var digits [2 * sha256.Size]byte
	hex.Encode(digits[:], sum[:])
	return string(digits[:]), nil
}
