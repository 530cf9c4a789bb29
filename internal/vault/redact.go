package vault

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// RedactedMarker replaces a secret-shaped string that is not a stored secret.
const RedactedMarker = "«redacted»"

// Marker returns the text that replaces the value of the stored secret name.
func Marker(name string) string { return "«secret:" + name + "»" }

// Redactor finds and masks stored secret values and secret-shaped strings.
// It is immutable once built and safe for concurrent use. The zero value
// and a nil *Redactor know no stored secrets but still mask shapes.
type Redactor struct {
	secrets []secretForms // sorted by name
}

// secretForms is one stored secret and every byte form its value takes:
// raw, and JSON-escaped the ways common encoders do it (tool arguments are
// JSON).
type secretForms struct {
	name  string
	forms []finder
}

// finder looks for one byte string. It searches from its rarest byte (by
// a rough frequency rank for text, JSON and base64) rather than its first,
// so a value starting with a common letter does not make bytes.Index stop
// at every such letter of a 64 MiB input.
type finder struct {
	s   []byte
	off int // index of the rarest byte in s
}

func newFinder(s []byte) finder {
	f := finder{s: s}
	for i := range s {
		if byteRank(s[i]) < byteRank(s[f.off]) {
			f.off = i
		}
	}
	return f
}

// index returns the first occurrence of f.s in b at or after from, or -1.
func (f *finder) index(b []byte, from int) int {
	tail := f.s[f.off:]
	for from+len(f.s) <= len(b) {
		j := bytes.Index(b[from+f.off:], tail)
		if j < 0 {
			return -1
		}
		start := from + j
		if bytes.Equal(b[start:start+f.off], f.s[:f.off]) {
			return start
		}
		from = start + 1
	}
	return -1
}

// byteRank is low for bytes that are rare in text, JSON and base64.
func byteRank(c byte) int {
	switch {
	case c < 0x20 || c >= 0x7f:
		return 0
	case strings.IndexByte("qzjxQZJXKVYW~^`|", c) >= 0:
		return 1
	case isUpper(c), strings.IndexByte("!#$%&'()*;<>?@[]{}", c) >= 0:
		return 2
	case isDigit(c), strings.IndexByte("+-=_/\\", c) >= 0:
		return 3
	case strings.IndexByte("etaoinsrh \",:.", c) >= 0:
		return 5
	}
	return 4
}

// NewRedactor builds a Redactor from stored secrets, name → value. Empty
// values are ignored; an invalid name is an error (names end up in the
// marker text). Every non-empty value is matched, however short: masking
// too much is the safe side.
func NewRedactor(secrets map[string]string) (*Redactor, error) {
	r := &Redactor{}
	for name, v := range secrets {
		if err := ValidateName(name); err != nil {
			return nil, fmt.Errorf("vault: redactor: %w", err)
		}
		if v == "" {
			continue
		}
		r.secrets = append(r.secrets, secretForms{name: name, forms: valueForms(v)})
	}
	slices.SortFunc(r.secrets, func(a, b secretForms) int { return strings.Compare(a.name, b.name) })
	return r, nil
}

// Contains returns the sorted names of the stored secrets whose value
// occurs in b (raw or JSON-escaped); nil if none. Shapes are not reported
// here: see ContainsSecretShape.
func (r *Redactor) Contains(b []byte) []string {
	if r == nil {
		return nil
	}
	var names []string
	for _, s := range r.secrets {
		for i := range s.forms {
			if s.forms[i].index(b, 0) >= 0 {
				names = append(names, s.name)
				break
			}
		}
	}
	return names
}

// Redact returns b with every stored secret value replaced by
// Marker(name) and every secret shape by RedactedMarker. When nothing
// matches it returns b itself (no copy). Matching is on bytes, not on parsed
// JSON: a replacement never splits a JSON escape sequence, so JSON stays
// valid when the matches lie inside strings, as key shapes and real
// secret values do; a stored value that is also JSON syntax (say "1234" or
// "true") is masked wherever it occurs and may leave invalid JSON.
func (r *Redactor) Redact(b []byte) []byte {
	spans := r.spans(b)
	if len(spans) == 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	last := 0
	for _, s := range spans {
		out = append(out, b[last:s.start]...)
		out = append(out, s.label...)
		last = s.end
	}
	return append(out, b[last:]...)
}

// RedactString is Redact for strings.
func (r *Redactor) RedactString(s string) string {
	b := []byte(s)
	out := r.Redact(b)
	if len(out) == len(b) && (len(b) == 0 || &out[0] == &b[0]) {
		return s // nothing matched
	}
	return string(out)
}

type span struct {
	start, end int
	label      string
	secret     bool // a stored secret: its label wins over a shape's
}

// spans returns the regions to replace, sorted, disjoint and aligned to
// JSON escapes. Overlapping matches merge into one region whose label is
// that of the longest stored-secret match in it, else RedactedMarker.
func (r *Redactor) spans(b []byte) []span {
	var all []span
	if r != nil {
		for _, s := range r.secrets {
			label := Marker(s.name)
			for i := range s.forms {
				f := &s.forms[i]
				for at := f.index(b, 0); at >= 0; at = f.index(b, at+len(f.s)) {
					all = append(all, span{start: at, end: at + len(f.s), label: label, secret: true})
				}
			}
		}
	}
	for i := range shapeGroups {
		findShapes(b, &shapeGroups[i], func(_ *shape, s, e int) bool {
			all = append(all, span{start: s, end: e, label: RedactedMarker})
			return true
		})
	}
	if len(all) == 0 {
		return nil
	}
	for i := range all {
		all[i].start, all[i].end = alignEscapes(b, all[i].start, all[i].end)
	}
	slices.SortFunc(all, func(a, b span) int { return a.start - b.start })
	merged := all[:1]
	best := []int{spanWeight(all[0])}
	for _, s := range all[1:] {
		m := &merged[len(merged)-1]
		if s.start >= m.end {
			merged = append(merged, s)
			best = append(best, spanWeight(s))
			continue
		}
		m.end = max(m.end, s.end)
		if w := spanWeight(s); w > best[len(best)-1] {
			best[len(best)-1] = w
			m.label, m.secret = s.label, s.secret
		}
	}
	return merged
}

// spanWeight ranks labels for merged regions: stored secrets first, then length.
func spanWeight(s span) int {
	if s.secret {
		return 1<<40 + s.end - s.start
	}
	return s.end - s.start
}

// alignEscapes widens [start, end) so it neither starts nor ends inside a
// JSON backslash escape (\" \\ \n \uXXXX). Only ever widens: masking a
// little more is safe, a dangling backslash would corrupt the JSON.
func alignEscapes(b []byte, start, end int) (int, int) {
	// Start: is some escape that begins before start still running at start?
	for k := 1; k <= 5 && start-k >= 0; k++ {
		p := start - k
		if b[p] != '\\' || !oddBackslashes(b, p) {
			continue
		}
		if k == 1 || (p+1 < len(b) && b[p+1] == 'u') {
			start = p
		}
		break
	}
	// End: does an escape that begins inside the span run past end?
	for p := max(start, end-5); p < end; p++ {
		if b[p] != '\\' || !oddBackslashes(b, p) {
			continue
		}
		n := 2
		if p+1 < len(b) && b[p+1] == 'u' {
			n = 6
		}
		if p+n > end {
			end = min(len(b), p+n)
		}
		p++ // the escaped byte cannot start another escape
	}
	return start, end
}

// oddBackslashes reports whether the backslash at p begins an escape, i.e.
// it is preceded by an even number of backslashes.
func oddBackslashes(b []byte, p int) bool {
	n := 0
	for q := p; q >= 0 && b[q] == '\\'; q-- {
		n++
	}
	return n%2 == 1
}

// valueForms returns the distinct byte forms of v: raw; JSON-escaped as
// JavaScript's JSON.stringify does; as Go's encoding/json does (also
// <, >, &, U+2028, U+2029); ASCII-only with lower- and upper-case \u
// escapes (Python's json.dumps, Jackson); and with "\/" for '/'.
func valueForms(v string) []finder {
	forms := []string{v}
	if utf8.ValidString(v) {
		js := jsonEscape(v, false, false, "")
		forms = append(forms, js,
			jsonEscape(v, true, false, ""),
			jsonEscape(v, false, true, "%04x"),
			jsonEscape(v, false, true, "%04X"),
			strings.ReplaceAll(js, "/", `\/`))
	}
	var out []finder
	for _, f := range forms {
		if !slices.ContainsFunc(out, func(o finder) bool { return string(o.s) == f }) {
			out = append(out, newFinder([]byte(f)))
		}
	}
	return out
}

// jsonEscape escapes v as a JSON string body (without quotes). goStyle
// adds Go's HTML-safe escapes; ascii escapes every non-ASCII rune with hex
// in the given format.
func jsonEscape(v string, goStyle, ascii bool, hex string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case goStyle && (r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029'):
			fmt.Fprintf(&b, `\u%04x`, r)
		case ascii && r > 0x7e:
			if r > 0xffff {
				r1, r2 := utf16Pair(r)
				fmt.Fprintf(&b, `\u`+hex+`\u`+hex, r1, r2)
			} else {
				fmt.Fprintf(&b, `\u`+hex, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}
