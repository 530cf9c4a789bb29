package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// shimPrefix is the argv Countersign puts before the original launch vector.
// env holds "KEY=secret:NAME" specs, each passed as --env.
func shimPrefix(name, client string, env []string) []string {
	out := []string{"shim", "--name", name, "--client", client}
	for _, e := range env {
		out = append(out, "--env", e)
	}
	return append(out, "--")
}

// wrapSplices computes the edits that wrap one entry, and whether an args
// key had to be added.
func wrapSplices(src []byte, f Format, e *entry, opts WrapOptions, env []string) ([]splice, bool, error) {
	l := e.launch
	prefix := shimPrefix(e.Name, opts.ClientID, env)
	if l.argv {
		toks := []string{quote(f, opts.ShimPath, !l.cmd.block)}
		for _, p := range prefix {
			toks = append(toks, quote(f, p, !l.cmd.block))
		}
		sp, err := insertElems(src, l.cmd, toks)
		return []splice{sp}, false, err
	}
	flowArgs := l.args == nil || !l.args.block
	cmdTok := string(src[l.cmd.start:l.cmd.end])
	if f == FormatYAML && !yamlScalarIs(cmdTok, l.cmd.str, flowArgs) {
		cmdTok = quote(f, l.cmd.str, flowArgs) // exact restore then needs the Record
	}
	// Follow the list's quoting: a YAML list of double-quoted items gets
	// double-quoted items.
	dq := f == FormatYAML && l.args != nil && len(l.args.elems) > 0 && src[l.args.elems[0].start] == '"'
	toks := make([]string, 0, len(prefix)+1)
	for _, p := range prefix {
		if dq {
			toks = append(toks, quote(FormatJSON, p, flowArgs))
			continue
		}
		toks = append(toks, quote(f, p, flowArgs))
	}
	toks = append(toks, cmdTok)
	out := []splice{{l.cmd.start, l.cmd.end, quote(f, opts.ShimPath, l.holder.flow)}}
	if l.args == nil {
		sp, err := insertArgs(src, f, l, toks)
		return append(out, sp), true, err
	}
	sp, err := insertElems(src, l.args, toks)
	return append(out, sp), false, err
}

// unwrapSplices computes the edits that restore one wrapped entry, from its
// Record when one matches, else from the argv after "--".
func unwrapSplices(src []byte, f Format, e *entry, recs []Record) (sp []splice, fromRecord, argsDeleted bool, err error) {
	for _, r := range recs {
		if r.Locator != e.Locator || r.Server != e.Name {
			continue
		}
		if sp, ok := recordSplices(src, e.node.start, r); ok {
			return sp, true, r.ArgsAdded, nil
		}
	}
	l := e.launch
	if l.argv {
		k := shimSep(strs(l.cmd), 2)
		return []splice{{l.cmd.elems[0].start, l.cmd.elems[k+1].start, ""}}, false, false, nil
	}
	a := l.args
	k := shimSep(strs(a), 1)
	orig := a.elems[k+1]
	raw := string(src[orig.start:orig.end])
	if f == FormatYAML && !yamlScalarIs(raw, orig.str, l.holder.flow) {
		raw = quote(f, orig.str, l.holder.flow)
	}
	sp = []splice{{l.cmd.start, l.cmd.end, raw}}
	switch {
	case k+2 < len(a.elems) && a.block:
		sp = append(sp, splice{a.elems[0].lineStart, a.elems[k+2].lineStart, ""})
	case k+2 < len(a.elems):
		sp = append(sp, splice{a.elems[0].start, a.elems[k+2].start, ""})
	case a.block:
		return nil, false, false, fmt.Errorf("no journal record: cannot restore an empty YAML block list exactly")
	default:
		sp = append(sp, splice{a.elems[0].start, orig.end, ""})
	}
	return sp, false, false, nil
}

// recordSplices reverses a Record if every wrapped span is still in place.
func recordSplices(src []byte, anchor int, r Record) ([]splice, bool) {
	var sp []splice
	for _, ed := range r.Edits {
		off := anchor + ed.Offset
		if off < 0 || off+len(ed.Wrapped) > len(src) || string(src[off:off+len(ed.Wrapped)]) != ed.Wrapped {
			return nil, false
		}
		sp = append(sp, splice{off, off + len(ed.Wrapped), ed.Original})
	}
	return sp, len(sp) > 0
}

func strs(a *node) []string {
	out := make([]string, len(a.elems))
	for i, el := range a.elems {
		out[i] = el.str
	}
	return out
}

// insertElems inserts toks as the first elements of arr, in the array's
// own layout, so that removing the bytes from the first element up to the
// first original element restores the array exactly.
func insertElems(src []byte, arr *node, toks []string) (splice, error) {
	if arr.block {
		e0 := arr.elems[0]
		pre := string(src[e0.lineStart:e0.start])
		if strings.TrimLeft(strings.TrimRight(pre, " "), " \t") != "-" {
			return splice{}, fmt.Errorf("unsupported YAML list layout")
		}
		nl := lineEnding(src, e0.start)
		var b strings.Builder
		for _, t := range toks {
			b.WriteString(pre + t + nl)
		}
		return splice{e0.lineStart, e0.lineStart, b.String()}, nil
	}
	if len(arr.elems) == 0 {
		return splice{arr.open, arr.open, strings.Join(toks, ", ")}, nil
	}
	s := elemSep(src, arr)
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t + "," + s)
	}
	return splice{arr.elems[0].start, arr.elems[0].start, b.String()}, nil
}

// elemSep is the text the array puts after a comma: the gap after the
// first element's comma, or a newline plus the first element's indent for
// one-element multi-line arrays, or one space.
func elemSep(src []byte, arr *node) string {
	e0 := arr.elems[0]
	if len(arr.elems) > 1 {
		gap := src[e0.end:arr.elems[1].start]
		if i := bytes.IndexByte(gap, ','); i >= 0 && isBlank(gap[:i]) && isBlank(gap[i+1:]) {
			return string(gap[i+1:])
		}
	}
	lead := src[arr.open:e0.start]
	if i := bytes.LastIndexByte(lead, '\n'); i >= 0 && isBlank(lead[i:]) {
		if i > 0 && lead[i-1] == '\r' {
			i--
		}
		return string(lead[i:])
	}
	return " "
}

func isBlank(b []byte) bool {
	return len(bytes.Trim(b, " \t\r\n")) == 0
}

// lineEnding returns the newline sequence ending the line that holds off,
// or the file's first newline style when that line is the last one.
func lineEnding(src []byte, off int) string {
	i := bytes.IndexByte(src[off:], '\n')
	if i < 0 {
		if bytes.Contains(src, []byte("\r\n")) {
			return "\r\n"
		}
		return "\n"
	}
	if i > 0 && src[off+i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// insertArgs adds an args key after the command of an entry that had none.
func insertArgs(src []byte, f Format, l *launch, toks []string) (splice, error) {
	list := "[" + strings.Join(toks, ", ") + "]"
	if f == FormatJSON {
		// a file written without spaces ("command":"x") gets none either
		if l.cmd.start > 0 && src[l.cmd.start-1] == ':' {
			return splice{l.cmd.end, l.cmd.end, `,"args":[` + strings.Join(toks, ",") + "]"}, nil
		}
		return splice{l.cmd.end, l.cmd.end, `, "args": ` + list}, nil
	}
	kv := "args = " + list
	if f == FormatYAML {
		kv = "args: " + list
	}
	if l.holder.flow {
		return splice{l.cmd.end, l.cmd.end, ", " + kv}, nil
	}
	var m member
	for _, x := range l.holder.members {
		if x.val == l.cmd {
			m = x
		}
	}
	lineStart := bytes.LastIndexByte(src[:m.keyStart], '\n') + 1
	indent := []byte(string(src[lineStart:m.keyStart]))
	for i, c := range indent {
		if c != ' ' && c != '\t' {
			indent[i] = ' ' // "- cmd: x" in a YAML list item
		}
	}
	pos := len(src)
	if i := bytes.IndexByte(src[l.cmd.end:], '\n'); i >= 0 {
		pos = l.cmd.end + i
		if pos > 0 && src[pos-1] == '\r' {
			pos--
		}
	}
	return splice{pos, pos, lineEnding(src, l.cmd.end) + string(indent) + m.keyPrefix + kv}, nil
}

// quote encodes s as a string token of format f. JSON strings from Go's
// encoder (HTML escaping off) are valid TOML basic strings and YAML
// double-quoted scalars; YAML gets a plain scalar when that reads back as
// the same string.
func quote(f Format, s string, flow bool) string {
	if f == FormatYAML && plainSafe.MatchString(s) && yamlScalarIs(s, s, flow) {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9_./][A-Za-z0-9_./@=+-]*$|^--?[A-Za-z0-9][A-Za-z0-9_.=-]*$`)

// yamlScalarIs reports whether raw, written as a list item (flow or block),
// reads back as the string want.
func yamlScalarIs(raw, want string, flow bool) bool {
	doc := "- " + raw + "\n"
	if flow {
		doc = "[" + raw + "]"
	}
	var got []any
	if err := yaml.Unmarshal([]byte(doc), &got); err != nil || len(got) != 1 {
		return false
	}
	s, ok := got[0].(string)
	return ok && s == want
}
