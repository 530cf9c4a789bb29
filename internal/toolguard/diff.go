package toolguard

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DiffOp is the operation of one DiffChunk.
type DiffOp string

const (
	DiffEqual  DiffOp = "equal"
	DiffDelete DiffOp = "delete"
	DiffInsert DiffOp = "insert"
)

// DiffChunk is a run of text that is unchanged, removed or added.
type DiffChunk struct {
	Op   DiffOp `json:"op"`
	Text string `json:"text"`
}

// maxDiffEdits bounds the work of the word diff; past it the changed
// middle is shown as one deletion and one insertion.
const maxDiffEdits = 2000

// Diff returns a word-level diff between two definitions of one item (as
// stored in Pin.TrustedDefinition and Pin.Definition) rendered by
// DefinitionText. Invisible characters are made visible in the chunks, so
// a hidden change shows. oldDef may be empty (nothing accepted yet).
func Diff(oldDef, newDef []byte) ([]DiffChunk, error) {
	var oldText string
	if len(oldDef) > 0 {
		var err error
		if oldText, err = DefinitionText(oldDef); err != nil {
			return nil, fmt.Errorf("diff old definition: %w", err)
		}
	}
	newText, err := DefinitionText(newDef)
	if err != nil {
		return nil, fmt.Errorf("diff new definition: %w", err)
	}
	return diffWords(tokenize(oldText), tokenize(newText)), nil
}

// FormatDiff renders chunks as text in wdiff style: removed text as
// [-…-], added text as {+…+}.
func FormatDiff(chunks []DiffChunk) string {
	var b strings.Builder
	for _, c := range chunks {
		switch c.Op {
		case DiffDelete:
			b.WriteString("[-" + c.Text + "-]")
		case DiffInsert:
			b.WriteString("{+" + c.Text + "+}")
		default:
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// DefinitionText renders one item definition for review: name, title and
// description as plain text first, then every other member as indented
// JSON with sorted keys; invisible characters are made visible (Visible).
// A JSON array (a duplicated key's definitions) renders each element in
// turn.
func DefinitionText(def []byte) (string, error) {
	v, err := parseJSON(def)
	if err != nil {
		return "", fmt.Errorf("definition text: %w", err)
	}
	var b strings.Builder
	if v.kind == kindArray {
		for i := range v.members {
			if i > 0 {
				b.WriteString("\n---\n\n")
			}
			if err := writeDefinition(&b, &v.members[i].val); err != nil {
				return "", err
			}
		}
	} else if err := writeDefinition(&b, &v); err != nil {
		return "", err
	}
	return Visible(b.String()), nil
}

func writeDefinition(b *strings.Builder, v *value) error {
	if v.kind != kindObject {
		out, err := appendIndented(nil, v, "")
		if err != nil {
			return fmt.Errorf("definition text: %w", err)
		}
		b.Write(out)
		b.WriteByte('\n')
		return nil
	}
	prose := []string{"name", "title", "description"}
	for _, k := range prose {
		if m, ok := v.get(k); ok && m.kind == kindString {
			if k == "description" {
				b.WriteString("description:\n" + m.str + "\n\n")
			} else {
				b.WriteString(k + ": " + m.str + "\n")
			}
		}
	}
	rest := slices.Clone(v.members)
	slices.SortFunc(rest, func(a, b member) int { return strings.Compare(a.key, b.key) })
	for i := range rest {
		m := &rest[i]
		if slices.Contains(prose, m.key) && m.val.kind == kindString {
			continue
		}
		out, err := appendIndented(nil, &m.val, "")
		if err != nil {
			return fmt.Errorf("definition text: %s: %w", m.key, err)
		}
		b.WriteString(m.key + ": ")
		b.Write(out)
		b.WriteByte('\n')
	}
	return nil
}

// appendIndented writes v as canonical JSON with two-space indentation.
func appendIndented(dst []byte, v *value, indent string) ([]byte, error) {
	inner := indent + "  "
	switch v.kind {
	case kindArray:
		if len(v.members) == 0 {
			return append(dst, "[]"...), nil
		}
		dst = append(dst, "[\n"...)
		for i := range v.members {
			dst = append(dst, inner...)
			var err error
			if dst, err = appendIndented(dst, &v.members[i].val, inner); err != nil {
				return nil, err
			}
			if i < len(v.members)-1 {
				dst = append(dst, ',')
			}
			dst = append(dst, '\n')
		}
		return append(append(dst, indent...), ']'), nil
	case kindObject:
		if len(v.members) == 0 {
			return append(dst, "{}"...), nil
		}
		ms := slices.Clone(v.members)
		slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
		dst = append(dst, "{\n"...)
		for i := range ms {
			dst = append(dst, inner...)
			dst = appendCanonicalString(dst, ms[i].key)
			dst = append(dst, ": "...)
			var err error
			if dst, err = appendIndented(dst, &ms[i].val, inner); err != nil {
				return nil, err
			}
			if i < len(ms)-1 {
				dst = append(dst, ',')
			}
			dst = append(dst, '\n')
		}
		return append(append(dst, indent...), '}'), nil
	}
	return appendCanonical(dst, v)
}

// tokenize splits text into words (letters, digits, '_'), runs of
// whitespace, and single other characters.
func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case isWordRune(r):
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) {
					break
				}
				j += n
			}
		case unicode.IsSpace(r):
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += n
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// diffWords is Myers' O(ND) diff over tokens, with common prefix and
// suffix trimmed first and the edit distance bounded by maxDiffEdits.
func diffWords(a, b []string) []DiffChunk {
	var chunks []DiffChunk
	emit := func(op DiffOp, toks []string) {
		if len(toks) == 0 {
			return
		}
		text := strings.Join(toks, "")
		if n := len(chunks); n > 0 && chunks[n-1].Op == op {
			chunks[n-1].Text += text
			return
		}
		chunks = append(chunks, DiffChunk{Op: op, Text: text})
	}
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	emit(DiffEqual, a[:pre])
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	ops, ok := myers(am, bm)
	if !ok {
		emit(DiffDelete, am)
		emit(DiffInsert, bm)
	} else {
		ai, bi := 0, 0
		for _, op := range ops {
			switch op {
			case DiffEqual:
				emit(DiffEqual, am[ai:ai+1])
				ai++
				bi++
			case DiffDelete:
				emit(DiffDelete, am[ai:ai+1])
				ai++
			case DiffInsert:
				emit(DiffInsert, bm[bi:bi+1])
				bi++
			}
		}
	}
	emit(DiffEqual, a[len(a)-suf:])
	return chunks
}

// myers returns the edit script turning a into b, one op per token, or
// false when more than maxDiffEdits edits are needed.
func myers(a, b []string) ([]DiffOp, bool) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		ops := make([]DiffOp, 0, n+m)
		for range n {
			ops = append(ops, DiffDelete)
		}
		for range m {
			ops = append(ops, DiffInsert)
		}
		return ops, true
	}
	maxD := min(n+m, maxDiffEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		trace = append(trace, slices.Clone(v[off-d-1:off+d+2]))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m, d), true
			}
		}
	}
	return nil, false
}

// backtrack walks the saved frontiers back from (n, m). trace[d] holds
// v[-d-1 .. d+1] as it was before step d.
func backtrack(trace [][]int, n, m, dEnd int) []DiffOp {
	var ops []DiffOp
	x, y := n, m
	for d := dEnd; d > 0; d-- {
		// The frontier after step d-1 is the one saved before step d.
		prev := trace[d]
		at := func(k int) int { return prev[k+d+1] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			ops = append(ops, DiffEqual)
			x--
			y--
		}
		if pk == k+1 {
			ops = append(ops, DiffInsert)
		} else {
			ops = append(ops, DiffDelete)
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		ops = append(ops, DiffEqual)
		x--
		y--
	}
	slices.Reverse(ops)
	return ops
}
