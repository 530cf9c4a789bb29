package toolguard

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxDescription is the description length, in characters, above
// which a description is flagged (SeverityLow) as unusually long: long
// text is where hidden instructions go, and few real tools need more.
const DefaultMaxDescription = 4000

// ScanOptions tunes the scanner.
type ScanOptions struct {
	// OtherToolNames are the tool names offered by the client's other
	// servers. A description or title naming one of them is flagged
	// (cross-server shadowing). Names of the scanned listing itself are
	// never flagged: tools of one server refer to each other legitimately.
	OtherToolNames []string
	// MaxDescription overrides DefaultMaxDescription when positive.
	MaxDescription int
}

// ScanList scans every item of a list result (tools/list,
// prompts/list or resources/templates/list) — every string and member name
// anywhere in each item, including nested schema descriptions, enum
// values, defaults and examples — and returns the findings, with locations
// like tools[3].inputSchema.properties.path.description.
func ScanList(kind ItemKind, result []byte, opts ScanOptions) ([]Finding, error) {
	spec, err := specFor(kind)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	v, release, err := parsePooled(result)
	if err != nil {
		return nil, fmt.Errorf("scan %s list: %w", kind, err)
	}
	defer release()
	items, err := listItems(spec, &v)
	if err != nil {
		return nil, fmt.Errorf("scan %s list: %w", kind, err)
	}
	s := newScanner(opts, ownNames(spec, items), true)
	for i := range items {
		s.item(spec.listKey, i, &items[i].val)
	}
	return s.findings, nil
}

// ScanText scans one string as if it were found at location. field is the
// name of the member holding it ("description", "title", …), which decides
// whether the length and tool-reference rules apply.
func ScanText(location, field, text string, opts ScanOptions) []Finding {
	s := newScanner(opts, nil, true)
	s.root = location
	s.text(text, field, false, false)
	return s.findings
}

func ownNames(spec itemSpec, items []member) map[string]bool {
	own := make(map[string]bool, len(items))
	for i := range items {
		if k, ok := itemKey(spec, &items[i].val); ok {
			own[k] = true
		}
	}
	return own
}

type scanner struct {
	others      map[string]bool
	otherStarts *pairSet // first two bytes of each name in others
	otherLens   uint64   // bit n: some name in others is n bytes long (bit 63: 63 or more)
	listing     bool     // judge listing-only rules (length, tool references)
	maxDesc     int
	root        string
	rootIdx     int // when > 0, root is followed by [rootIdx-1] (built only for a finding)
	segs        []pathSeg
	findings    []Finding
	lowerBuffer []byte
}

func newScanner(opts ScanOptions, own map[string]bool, listing bool) *scanner {
	s := &scanner{listing: listing, maxDesc: DefaultMaxDescription}
	if opts.MaxDescription > 0 {
		s.maxDesc = opts.MaxDescription
	}
	for _, n := range opts.OtherToolNames {
		if n == "" || own[n] {
			continue
		}
		if s.others == nil {
			s.others = make(map[string]bool)
			s.otherStarts = &pairSet{}
		}
		s.others[n] = true
		s.otherStarts.add(n)
		s.otherLens |= 1 << min(len(n), 63)
	}
	return s
}

// item scans one listed item; its findings are located under root[i].
func (s *scanner) item(root string, i int, v *value) {
	s.root, s.rootIdx = root, i+1
	s.segs = s.segs[:0]
	s.walk(v, "")
}

func (s *scanner) walk(v *value, field string) {
	switch v.kind {
	case kindString:
		s.text(v.str, field, false, v.printable)
	case kindArray:
		for i := range v.members {
			s.segs = append(s.segs, pathSeg{index: i, isIdx: true})
			s.walk(&v.members[i].val, field)
			s.segs = s.segs[:len(s.segs)-1]
		}
	case kindObject:
		for i := range v.members {
			m := &v.members[i]
			s.segs = append(s.segs, pathSeg{key: m.key})
			s.text(m.key, "", true, false)
			s.walk(&m.val, m.key)
			s.segs = s.segs[:len(s.segs)-1]
		}
	}
}

func (s *scanner) add(f Finding) {
	root := s.root
	if s.rootIdx > 0 {
		root += "[" + strconv.Itoa(s.rootIdx-1) + "]"
	}
	f.Location = formatPath(root, s.segs)
	// Excerpts may be substrings of a whole listing; do not keep it alive.
	f.Excerpt, f.Detail = strings.Clone(f.Excerpt), strings.Clone(f.Detail)
	s.findings = append(s.findings, f)
}

// text applies every rule to one string. isKey marks a member name;
// printable says the string is known to be printable ASCII.
func (s *scanner) text(str, field string, isKey, printable bool) {
	where := ""
	if isKey {
		where = " in a member name"
	}
	clean := str
	if !printable && needsCheck(str) {
		clean = s.characters(str, where)
	}
	if !isKey {
		s.phrases(clean, where)
		if s.listing && (field == "description" || field == "title") {
			if s.others != nil {
				s.toolReferences(clean)
			}
			if field == "description" {
				if len(str) > s.maxDesc && utf8.RuneCountInString(str) > s.maxDesc {
					n := utf8.RuneCountInString(str)
					s.add(Finding{Kind: FindingLongDescription, Rule: "long-description", Severity: SeverityLow,
						Excerpt: excerpt(str, 0, 0), Detail: fmt.Sprintf("%d characters (threshold %d)", n, s.maxDesc)})
				}
			}
		}
	}
}

// charStat gathers the occurrences of one rune class in a string.
type charStat struct {
	count    int
	from, to int // byte span of the first run
}

// characters reports invisible, escape and control characters and returns
// str without its invisible characters, for the phrase rules (so
// "ig\u200bnore previous instructions" is still read as an instruction).
func (s *scanner) characters(str, where string) string {
	var stats [classControl + 1]charStat
	var hidden strings.Builder // text carried by tag characters
	var clean strings.Builder
	clean.Grow(len(str))
	prev := rune(-1)
	for i := 0; i < len(str); {
		r, size := utf8.DecodeRuneInString(str[i:])
		c := classify(r)
		if c != classPlain && allowedInContext(str, i, size, r, prev) {
			c = classPlain
		}
		if c == classPlain || c == classEscape || c == classControl {
			clean.WriteString(str[i : i+size])
		}
		if c != classPlain {
			st := &stats[c]
			if st.count == 0 {
				st.from, st.to = i, i+size
			} else if st.to == i {
				st.to = i + size
			}
			st.count++
			if c == classTag && r >= 0xE0020 && r <= 0xE007E {
				hidden.WriteRune(r - 0xE0000)
			}
		}
		prev = r
		i += size
	}
	type rule struct {
		class    runeClass
		kind     FindingKind
		rule     string
		severity Severity
		what     string
	}
	for _, r := range [...]rule{
		{classTag, FindingInvisibleUnicode, "tag-characters", SeverityHigh, "Unicode tag character"},
		{classZeroWidth, FindingInvisibleUnicode, "zero-width", SeverityHigh, "zero-width character"},
		{classBidi, FindingInvisibleUnicode, "bidi-control", SeverityHigh, "bidirectional control"},
		{classVariation, FindingInvisibleUnicode, "variation-selectors", SeverityHigh, "stray variation selector"},
		{classFormat, FindingInvisibleUnicode, "format-character", SeverityMedium, "invisible format character"},
		{classEscape, FindingTerminalEscape, "terminal-escape", SeverityHigh, "terminal escape"},
		{classControl, FindingControlCharacter, "control-character", SeverityMedium, "control character"},
	} {
		st := stats[r.class]
		if st.count == 0 {
			continue
		}
		detail := fmt.Sprintf("%d %s(s)%s", st.count, r.what, where)
		if r.class == classTag && hidden.Len() > 0 {
			detail += "; hidden text: " + strconv.Quote(hidden.String())
		}
		s.add(Finding{Kind: r.kind, Rule: r.rule, Severity: r.severity, Excerpt: excerpt(str, st.from, st.to), Detail: detail})
	}
	if hidden.Len() > 0 {
		h := hidden.String()
		s.phrases(h, " in text hidden in tag characters")
	}
	return clean.String()
}

// allowedInContext spares the few invisible characters real text needs:
// a zero-width joiner inside an emoji sequence, ZWJ/ZWNJ between letters of
// scripts that use them, and a single variation selector after a
// non-ASCII character (emoji presentation). Runs of variation selectors
// (a known way to smuggle bytes) are never spared.
func allowedInContext(str string, i, size int, r, prev rune) bool {
	next, _ := utf8.DecodeRuneInString(str[i+size:])
	switch {
	case r == 0x200D:
		if isEmojiPart(prev) && isEmoji(next) {
			return true
		}
		return joiningScript(prev) && joiningScript(next)
	case r == 0x200C:
		return joiningScript(prev) && joiningScript(next)
	case r >= 0xFE00 && r <= 0xFE0F:
		return prev >= 0x80 && classify(prev) == classPlain && classify(next) != classVariation
	}
	return false
}

func isEmoji(r rune) bool {
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x2300 && r <= 0x23FF) || (r >= 0x2B00 && r <= 0x2BFF)
}

func isEmojiPart(r rune) bool {
	return isEmoji(r) || r == 0xFE0F || (r >= 0x1F3FB && r <= 0x1F3FF)
}

var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Devanagari, unicode.Bengali,
	unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala, unicode.Khmer, unicode.Myanmar, unicode.Tibetan, unicode.Hebrew,
}

func joiningScript(r rune) bool {
	return r >= 0x0590 && (unicode.IsLetter(r) || unicode.IsMark(r)) && unicode.In(r, joiningScripts...)
}
