package toolguard

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// runeClass sorts the characters the scanner cares about.
type runeClass uint8

const (
	classPlain     runeClass = iota
	classTag                 // U+E0000–U+E007F: invisible copies of ASCII
	classZeroWidth           // U+200B–U+200D, U+2060–U+2064, U+FEFF, U+034F
	classBidi                // U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C
	classVariation           // U+FE00–U+FE0F, U+E0100–U+E01EF
	classFormat              // any other format (Cf) character, Hangul fillers
	classEscape              // ESC, and the C1 CSI/OSC introducers U+009B, U+009D
	classControl             // other C0 (not \t \n \r), DEL, other C1
)

func classify(r rune) runeClass {
	switch {
	case r < 0x20:
		switch r {
		case '\t', '\n', '\r':
			return classPlain
		case 0x1b:
			return classEscape
		}
		return classControl
	case r < 0x7f:
		return classPlain
	case r <= 0x9f:
		if r == 0x9b || r == 0x9d {
			return classEscape
		}
		return classControl
	case r < 0x034f:
		if r == 0x00ad {
			return classFormat
		}
		return classPlain
	case r >= 0xE0000 && r <= 0xE007F:
		return classTag
	case r >= 0xE0100 && r <= 0xE01EF, r >= 0xFE00 && r <= 0xFE0F:
		return classVariation
	}
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x034F:
		return classZeroWidth
	case 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C:
		return classBidi
	case 0x115F, 0x1160, 0x3164, 0xFFA0:
		return classFormat
	}
	if unicode.Is(unicode.Cf, r) {
		return classFormat
	}
	return classPlain
}

// needsCheck reports whether s may contain a character classify does not
// call plain: any byte outside printable ASCII other than \t \n \r.
func needsCheck(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			return true
		}
	}
	return false
}

// Visible returns s with every invisible, formatting or control character
// written out so a person can see it: Unicode tag characters as
// \u{E0041}, C0 controls and DEL as \x1b, and zero-width, bidi, variation
// selector, other format and C1 characters as <U+200B>. Newlines and tabs
// stay as they are; invalid UTF-8 bytes appear as \xff.
func Visible(s string) string {
	if !needsCheck(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		writeVisibleRune(&b, r)
		i += size
	}
	return b.String()
}

func writeVisibleRune(b *strings.Builder, r rune) {
	switch classify(r) {
	case classPlain:
		b.WriteRune(r)
	case classTag:
		fmt.Fprintf(b, `\u{%X}`, r)
	case classEscape, classControl:
		if r < 0x80 {
			fmt.Fprintf(b, `\x%02x`, r)
		} else {
			fmt.Fprintf(b, "<U+%04X>", r)
		}
	default:
		fmt.Fprintf(b, "<U+%04X>", r)
	}
}
