package toolguard

import (
	"strconv"
	"strings"
)

// FindingKind says what sort of risk a Finding is.
type FindingKind string

const (
	// FindingInvisibleUnicode: tag characters, zero-width characters, bidi
	// controls, variation-selector runs or other format characters.
	FindingInvisibleUnicode FindingKind = "invisible_unicode"
	// FindingTerminalEscape: ESC or a C1 CSI/OSC introducer (ANSI/terminal
	// escape sequences).
	FindingTerminalEscape FindingKind = "terminal_escape"
	// FindingControlCharacter: another C0/C1 control character or DEL.
	FindingControlCharacter FindingKind = "control_character"
	// FindingInstruction: text aimed at the model (ignore previous
	// instructions, keep it from the user, <IMPORTANT> blocks, read a
	// credential file first).
	FindingInstruction FindingKind = "instruction"
	// FindingToolReference: a description names a tool offered by another
	// server of the same client (cross-server shadowing).
	FindingToolReference FindingKind = "tool_reference"
	// FindingLongDescription: a description longer than the threshold.
	FindingLongDescription FindingKind = "long_description"
	// FindingMalformed: an item that cannot be pinned (no key, or JSON that
	// parsers could read differently).
	FindingMalformed FindingKind = "malformed"
	// FindingDuplicateName: two items of one listing share a key.
	FindingDuplicateName FindingKind = "duplicate_name"
)

// Severity orders findings. An item with a finding of SeverityMedium or
// above is quarantined on first sight; SeverityLow findings are shown only.
type Severity string

const (
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Rank orders severities: low 1, medium 2, high 3, anything else 3 (an
// unknown severity is treated as the worst).
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 1
	case SeverityMedium:
		return 2
	}
	return 3
}

// Finding is one risk the scanner found. Location is a JSON path from the
// listing (tools[3].inputSchema.properties.path.description) or the tool
// result (content[0].text); Excerpt is the surrounding text with invisible
// characters made visible (see Visible), on one line.
type Finding struct {
	Kind     FindingKind `json:"kind"`
	Rule     string      `json:"rule"`
	Severity Severity    `json:"severity"`
	Location string      `json:"location"`
	Excerpt  string      `json:"excerpt"`
	// Detail adds what the excerpt cannot show: the text hidden in tag
	// characters, a count, the tool named.
	Detail string `json:"detail,omitempty"`
}

// Blocking reports whether findings hold an item back on first sight (any
// finding of medium severity or above).
func Blocking(findings []Finding) bool {
	for _, f := range findings {
		if f.Severity.Rank() >= SeverityMedium.Rank() {
			return true
		}
	}
	return false
}

// pathSeg is one step of a JSON path: an object key or an array index.
type pathSeg struct {
	key   string
	index int
	isIdx bool
}

func formatPath(root string, segs []pathSeg) string {
	var b strings.Builder
	b.WriteString(root)
	for _, s := range segs {
		if s.isIdx {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
			continue
		}
		if isPlainKey(s.key) {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
			continue
		}
		b.WriteByte('[')
		b.WriteString(Visible(string(appendCanonicalString(nil, s.key))))
		b.WriteByte(']')
	}
	return b.String()
}

func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c == '-') {
			return false
		}
	}
	return true
}

// excerptRadius is how many bytes of context an excerpt keeps each side.
const excerptRadius = 48

// excerpt cuts s around [from, to) and makes it visible on one line.
func excerpt(s string, from, to int) string {
	start := max(0, from-excerptRadius)
	end := min(len(s), to+excerptRadius)
	if to-from > 4*excerptRadius {
		end = min(len(s), from+4*excerptRadius)
	}
	for start > 0 && !runeStart(s[start]) {
		start--
	}
	for end < len(s) && !runeStart(s[end]) {
		end++
	}
	out := Visible(s[start:end])
	out = strings.NewReplacer("\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(out)
	if start > 0 {
		out = "…" + out
	}
	if end < len(s) {
		out += "…"
	}
	return out
}

func runeStart(b byte) bool { return b&0xC0 != 0x80 }
