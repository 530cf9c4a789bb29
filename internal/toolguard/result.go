package toolguard

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// DefaultResultScanLimit is how many bytes of a tools/call result
// ScanToolResultPrefix reads by default: the excerpt size the history keeps.
// A result may be hundreds of MiB; the scan must stay cheap on the path
// every result takes.
const DefaultResultScanLimit = 64 << 10

// maxResultFindings bounds the findings kept for one result: a result
// stuffed with thousands of flagged strings must not make the history
// record grow with it.
const maxResultFindings = 32

// ResultScan is what ScanToolResultPrefix found.
type ResultScan struct {
	Findings []Finding
	// Scanned is how many bytes of the result were read; Complete is
	// false when the result was longer than the limit (only its prefix
	// was judged) or the findings were cut at their bound.
	Scanned  int
	Complete bool
}

// ScanToolResult scans a whole tools/call result (every string in it: text
// content, structured content, embedded resources, member names) for
// invisible characters, terminal escapes and instruction-like text. Tool
// references and length are not judged in results. Invalid JSON is an
// error.
func ScanToolResult(result []byte) ([]Finding, error) {
	w := resultWalker{limit: len(result), total: len(result), max: -1}
	if err := w.run(result); err != nil {
		return nil, fmt.Errorf("scan tool result: %w", err)
	}
	return w.s.findings, nil
}

// ScanToolResultPrefix scans at most limit bytes of a tools/call result
// (DefaultResultScanLimit when limit <= 0) like ScanToolResult: a string
// cut by the limit is judged as far as it goes, nothing after it is read.
// It never fails: JSON it cannot read within the prefix is reported as a
// FindingMalformed finding, so a caller that withholds flagged results
// withholds what it could not judge. A result of printable ASCII without
// findings costs no allocation.
func ScanToolResultPrefix(result []byte, limit int) ResultScan {
	if limit <= 0 {
		limit = DefaultResultScanLimit
	}
	w := walkers.Get().(*resultWalker)
	defer w.release()
	w.limit, w.total, w.max = min(limit, len(result)), len(result), maxResultFindings
	err := w.run(result)
	rs := ResultScan{Findings: slices.Clone(w.s.findings), Scanned: w.limit, Complete: w.limit == len(result) && !w.full}
	if err != nil && !errors.Is(err, errCut) {
		rs.Findings = append(rs.Findings, Finding{Kind: FindingMalformed, Rule: "unreadable-result", Severity: SeverityHigh,
			Location: w.location(), Excerpt: "", Detail: err.Error()})
	}
	return rs
}

// walkers keeps walkers with their buffers (decoded strings, lower-cased
// windows, path) for the next result.
var walkers = sync.Pool{New: func() any { return &resultWalker{} }}

// release returns w to the pool, dropping oversized buffers and anything
// pointing into the last result.
func (w *resultWalker) release() {
	buf, lower, segs := w.buf[:0], w.s.lowerBuffer[:0], w.s.segs[:0]
	if cap(buf) > 2*DefaultResultScanLimit {
		buf = nil
	}
	if cap(lower) > 2*DefaultResultScanLimit {
		lower = nil
	}
	clear(segs[:cap(segs)])
	*w = resultWalker{buf: buf}
	w.s.lowerBuffer, w.s.segs = lower, segs
	walkers.Put(w)
}

// errCut ends a walk at the limit (or at the findings bound).
var errCut = errors.New("cut")

// resultWalker reads a JSON result without building a tree: strings
// without escapes are scanned in place, escaped ones are decoded into a
// reused buffer. The scanner clones whatever a finding keeps, so nothing
// here outlives the call.
type resultWalker struct {
	s     scanner
	src   string
	pos   int
	limit int // bytes of src that may be read
	total int // bytes of the whole result
	depth int
	max   int  // findings bound (-1: none)
	full  bool // stopped at the findings bound
	buf   []byte
}

func (w *resultWalker) run(result []byte) error {
	w.s = scanner{maxDesc: DefaultMaxDescription, lowerBuffer: w.s.lowerBuffer, segs: w.s.segs[:0]}
	if len(result) == 0 {
		return fmt.Errorf("%w: empty result", errSyntax)
	}
	// The walk only reads result and keeps nothing of it (findings are
	// cloned by scanner.add), so it looks at the bytes as a string in
	// place instead of copying up to 64 KiB per result.
	w.src = unsafe.String(&result[0], w.limit)
	w.skipSpace()
	if err := w.value(""); err != nil {
		return err
	}
	w.skipSpace()
	if w.pos < w.limit {
		return w.errorf("trailing data")
	}
	return nil
}

func (w *resultWalker) errorf(format string, args ...any) error {
	if w.pos >= w.limit && w.cutShort() {
		return errCut
	}
	return fmt.Errorf("%w at offset %d: %s", errSyntax, w.pos, fmt.Sprintf(format, args...))
}

func (w *resultWalker) location() string { return formatPath(w.s.root, w.s.segs) }

func (w *resultWalker) skipSpace() {
	for w.pos < w.limit {
		switch w.src[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

func (w *resultWalker) text(str, field string, isKey bool) error {
	w.s.text(str, field, isKey, false)
	if w.max >= 0 && len(w.s.findings) >= w.max {
		w.s.findings = w.s.findings[:w.max]
		w.full = true
		return errCut
	}
	return nil
}

func (w *resultWalker) value(field string) error {
	if w.pos >= w.limit {
		return w.cutOr("unexpected end")
	}
	switch c := w.src[w.pos]; {
	case c == '{':
		return w.object()
	case c == '[':
		return w.array(field)
	case c == '"':
		str, cut, err := w.string()
		if err != nil {
			return err
		}
		if err := w.text(str, field, false); err != nil {
			return err
		}
		if cut {
			return errCut
		}
		return nil
	default:
		// Numbers and literals carry no text: skip to the next delimiter.
		start := w.pos
		for w.pos < w.limit {
			switch w.src[w.pos] {
			case ',', ']', '}', ' ', '\t', '\n', '\r':
				if w.pos == start {
					return w.errorf("unexpected character %q", c)
				}
				return nil
			}
			w.pos++
		}
		if w.pos == start {
			return w.cutOr("unexpected end")
		}
		return nil // a literal ending the (scanned) input
	}
}

// cutOr is errCut when the walk reached a limit shorter than the result,
// else the syntax error msg.
func (w *resultWalker) cutOr(msg string) error {
	if w.pos >= w.limit && w.cutShort() {
		return errCut
	}
	return w.errorf("%s", msg)
}

// cutShort reports whether the limit is shorter than the whole result.
func (w *resultWalker) cutShort() bool { return w.limit < w.total }

func (w *resultWalker) enter() error {
	w.depth++
	if w.depth > maxDepth {
		return w.errorf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (w *resultWalker) object() error {
	if err := w.enter(); err != nil {
		return err
	}
	defer func() { w.depth-- }()
	w.pos++ // {
	w.skipSpace()
	if w.pos < w.limit && w.src[w.pos] == '}' {
		w.pos++
		return nil
	}
	for {
		w.skipSpace()
		if w.pos >= w.limit {
			return w.cutOr("unterminated object")
		}
		if w.src[w.pos] != '"' {
			return w.errorf("expected object key")
		}
		escaped := w.escapedAhead()
		key, cut, err := w.string()
		if err != nil {
			return err
		}
		if escaped {
			// A decoded key lives in the reused buffer; the path keeps it
			// while the value is walked.
			key = strings.Clone(key)
		}
		w.s.segs = append(w.s.segs, pathSeg{key: key})
		if err := w.text(key, "", true); err != nil {
			return err
		}
		if cut {
			return errCut
		}
		w.skipSpace()
		if w.pos >= w.limit {
			return w.cutOr("unterminated object")
		}
		if w.src[w.pos] != ':' {
			return w.errorf("expected ':'")
		}
		w.pos++
		w.skipSpace()
		if err := w.value(key); err != nil {
			return err
		}
		w.s.segs = w.s.segs[:len(w.s.segs)-1]
		w.skipSpace()
		if w.pos >= w.limit {
			return w.cutOr("unterminated object")
		}
		switch w.src[w.pos] {
		case ',':
			w.pos++
		case '}':
			w.pos++
			return nil
		default:
			return w.errorf("expected ',' or '}'")
		}
	}
}

func (w *resultWalker) array(field string) error {
	if err := w.enter(); err != nil {
		return err
	}
	defer func() { w.depth-- }()
	w.pos++ // [
	w.skipSpace()
	if w.pos < w.limit && w.src[w.pos] == ']' {
		w.pos++
		return nil
	}
	for i := 0; ; i++ {
		w.skipSpace()
		w.s.segs = append(w.s.segs, pathSeg{index: i, isIdx: true})
		if err := w.value(field); err != nil {
			return err
		}
		w.s.segs = w.s.segs[:len(w.s.segs)-1]
		w.skipSpace()
		if w.pos >= w.limit {
			return w.cutOr("unterminated array")
		}
		switch w.src[w.pos] {
		case ',':
			w.pos++
		case ']':
			w.pos++
			return nil
		default:
			return w.errorf("expected ',' or ']'")
		}
	}
}

// escapedAhead reports whether the string at w.pos has an escape before
// its closing quote (or the limit).
func (w *resultWalker) escapedAhead() bool {
	for i := w.pos + 1; i < w.limit; i++ {
		switch w.src[i] {
		case '"':
			return false
		case '\\':
			return true
		}
	}
	return false
}

// string reads the string at w.pos. Without escapes it is a substring of
// the source; with escapes it is decoded into w.buf and valid only until
// the next call. cut says the limit ended it.
func (w *resultWalker) string() (str string, cut bool, err error) {
	w.pos++ // opening quote
	start := w.pos
	for i := start; i < w.limit; i++ {
		c := w.src[i]
		if c == '"' {
			w.pos = i + 1
			return w.src[start:i], false, nil
		}
		if c == '\\' {
			return w.slowString(start)
		}
		if c < 0x20 {
			w.pos = i
			return "", false, w.errorf("control character in string")
		}
	}
	w.pos = w.limit
	if !w.cutShort() {
		return "", false, w.errorf("unterminated string")
	}
	return trimRune(w.src[start:w.limit]), true, nil
}

func (w *resultWalker) slowString(start int) (string, bool, error) {
	w.buf = append(w.buf[:0], w.src[start:w.pos]...)
	i := start
	for i < w.limit {
		c := w.src[i]
		switch {
		case c == '"':
			w.pos = i + 1
			return bufString(w.buf), false, nil
		case c == '\\':
			if i+1 >= w.limit {
				i = w.limit
				continue
			}
			e := w.src[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				w.buf = append(w.buf, e)
			case 'b':
				w.buf = append(w.buf, '\b')
			case 'f':
				w.buf = append(w.buf, '\f')
			case 'n':
				w.buf = append(w.buf, '\n')
			case 'r':
				w.buf = append(w.buf, '\r')
			case 't':
				w.buf = append(w.buf, '\t')
			case 'u':
				r, ok := hex4At(w.src, i, w.limit)
				if !ok {
					if i+4 > w.limit && w.cutShort() {
						i = w.limit
						continue
					}
					w.pos = i
					return "", false, w.errorf("invalid \\u escape")
				}
				i += 4
				if utf16.IsSurrogate(r) {
					// A pair decodes to one rune; anything else is kept as
					// U+FFFD, which the scan treats as plain text.
					r2 := rune(-1)
					if i+1 < w.limit && w.src[i] == '\\' && w.src[i+1] == 'u' {
						if v, ok := hex4At(w.src, i+2, w.limit); ok {
							r2 = v
						}
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				w.buf = utf8.AppendRune(w.buf, r)
			default:
				w.pos = i
				return "", false, w.errorf("invalid escape \\%c", e)
			}
		case c < 0x20:
			w.pos = i
			return "", false, w.errorf("control character in string")
		default:
			j := i + 1
			for j < w.limit && w.src[j] != '"' && w.src[j] != '\\' && w.src[j] >= 0x20 {
				j++
			}
			w.buf = append(w.buf, w.src[i:j]...)
			i = j
		}
	}
	w.pos = w.limit
	if !w.cutShort() {
		return "", false, w.errorf("unterminated string")
	}
	return trimRune(bufString(w.buf)), true, nil
}

func hex4At(s string, i, limit int) (rune, bool) {
	if i+4 > limit {
		return 0, false
	}
	n, err := strconv.ParseUint(s[i:i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}

// bufString views b as a string without copying; see resultWalker.
func bufString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// trimRune drops an incomplete UTF-8 sequence the limit cut at the end.
func trimRune(s string) string {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return s[:i]
			}
			break
		}
	}
	return s
}
