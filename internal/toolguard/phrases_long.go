package toolguard

import (
	"bytes"
	"math/bits"
	"strings"
)

// longText is the length above which tool-result text is judged in windows
// around the words the phrase rules start from, instead of running every
// expression over the whole text. Go's expressions run in linear time, but
// on tens of KiB of ordinary text that matches a gate ("user", '<') that
// is milliseconds per result; windows keep it to microseconds. Listings
// never take this path: a description is judged whole.
const longText = 2 << 10

// Windows around a trigger, in bytes. The expressions match short spans:
// an ignore-instructions phrase starts at its verb, a concealment sits
// within a sentence of the word "user", a directive tag starts at '<' or
// '['.
const (
	ignoreAfter   = 200
	concealBefore = 130
	concealAfter  = 50
	credSpan      = 200
	tagAfter      = 96
)

// next returns the first position at or after from where one of the
// needles starts, with the bits of the needles found there (-1 if none).
func (n *needleSet) next(s string, from int) (int, uint64) {
	for i := from; i+2 < len(s); i++ {
		if !n.pairs.has(s[i], s[i+1]) {
			continue
		}
		m := n.first[s[i]] & n.second[s[i+1]] & n.third[s[i+2]]
		if m == 0 {
			continue
		}
		var found uint64
		for m != 0 {
			b := bits.TrailingZeros64(m)
			m &= m - 1
			if hasPrefixFold(s[i:], n.needles[b]) {
				found |= 1 << b
			}
		}
		if found != 0 {
			return i, found
		}
	}
	return -1, 0
}

// concealCandidate is a cheap look at a lower-cased window around "user"
// for what every concealment phrase has: "hide", "conceal" or "secret", or
// a negation whose next word (after "ever") is a verb of telling, letting
// or knowing.
func concealCandidate(w []byte) bool {
	if hasAny(w, []string{"hide", "conceal", "secret"}) {
		return true
	}
	for _, neg := range [...]string{"not", "n't", "never", "without", "dont"} {
		for off := 0; ; {
			i := bytes.Index(w[off:], []byte(neg))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if neg != "n't" && i > 0 && isWordByte(w[i-1]) {
				continue
			}
			next := nextWord(w, i+len(neg))
			if string(next) == "ever" {
				next = nextWord(w, i+len(neg)+1+bytes.Index(w[i+len(neg):], []byte("ever"))+3)
			}
			for _, v := range [...]string{"tell", "mention", "inform", "notif", "alert", "reveal", "disclos", "let", "know", "see", "notice", "find", "be"} {
				if bytes.HasPrefix(next, []byte(v)) {
					return true
				}
			}
		}
	}
	return false
}

// nextWord returns the word after the whitespace at i (nil when i is not
// followed by whitespace).
func nextWord(w []byte, i int) []byte {
	j := i
	for j < len(w) && (w[j] == ' ' || w[j] == '\t' || w[j] == '\n' || w[j] == '\r') {
		j++
	}
	if j == i {
		return nil
	}
	k := j
	for k < len(w) && isWordByte(w[k]) {
		k++
	}
	return w[j:k]
}

// ignoreTargets: one of them is among the few words after the verb of
// every ignore-instructions phrase ("ignore all previous instructions",
// "forget everything above").
var ignoreTargets = map[string]bool{
	"previous": true, "prior": true, "above": true, "earlier": true, "preceding": true, "former": true, "original": true,
	"system": true, "existing": true, "other": true, "safety": true, "security": true, "everything": true, "all": true,
	"instruction": true, "instructions": true, "rules": true, "guidelines": true,
}

// ignoreCandidate is a cheap look at the (up to eight) words after the
// verb at p for one of ignoreTargets.
func ignoreCandidate(text string, p int) bool {
	i := p
	for i < len(text) && isWordByte(text[i]) {
		i++
	}
	for n := 0; n < 8; n++ {
		j := i
		for j < len(text) && (text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
			j++
		}
		if j == i {
			return false
		}
		k := j
		for k < len(text) && isWordByte(text[k]) {
			k++
		}
		if k-j <= 12 {
			var buf [12]byte
			w := buf[:0]
			for _, c := range []byte(text[j:k]) {
				w = append(w, c|0x20)
			}
			if ignoreTargets[string(w)] {
				return true
			}
		}
		i = k
	}
	return false
}

// tagWords are the words a directive tag can open with after '<' or '['.
var tagWords = [...]string{"important", "system", "instruction", "secret", "hidden", "admin", "assistant", "critical", "ai", "note", "im", "inst"}

// tagCandidate is a cheap look at what follows '<' or '[' at i: '|', or
// (after spaces and '/') letters that start like a directive tag.
func tagCandidate(text string, i int) bool {
	j := i + 1
	for j < len(text) && (text[j] == ' ' || text[j] == '/' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
		j++
	}
	if j < len(text) && text[j] == '|' {
		return true
	}
	var buf [12]byte
	w := buf[:0]
	for k := j; k < len(text) && len(w) < len(buf); k++ {
		c := text[k] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		w = append(w, c)
	}
	for _, t := range tagWords {
		if len(w) >= len(t) && string(w[:len(t)]) == t {
			return true
		}
	}
	return false
}

// wordStart moves a window start forward past a partial word, so \b at the
// window's edge does not match inside a word.
func wordStart(text string, a int) int {
	if a == 0 {
		return 0
	}
	for a < len(text) && isWordByte(text[a-1]) && isWordByte(text[a]) {
		a++
	}
	return a
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func hasAny(b []byte, words []string) bool {
	for _, w := range words {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}

// phrasesWindows is phrases for long text: each rule runs only on windows
// around its triggers, and reports at most once, like phrases.
func (s *scanner) phrasesWindows(text, where string) {
	var done uint8 // rules reported
	const (
		ruleIgnore = 1 << iota
		ruleConceal
		ruleCred
	)
	report := func(rule string, from, to int, detail string) {
		s.add(Finding{Kind: FindingInstruction, Rule: rule, Severity: SeverityHigh,
			Excerpt: excerpt(text, from, to), Detail: strings.TrimPrefix(detail+where, " ")})
	}
	// lowerAt lower-cases text[a:b] into the scanner's buffer.
	lowerAt := func(a, b int) []byte {
		s.lowerBuffer = asciiLower(s.lowerBuffer, text[a:b])
		return s.lowerBuffer
	}
	concealEnd, credEnd := -1, -1
	for pos := 0; done != ruleIgnore|ruleConceal|ruleCred; {
		p, found := gates.next(text, pos)
		if p < 0 {
			break
		}
		pos = p + 1
		if found&gateIgnore != 0 && done&ruleIgnore == 0 && ignoreCandidate(text, p) {
			a, b := wordStart(text, p), min(len(text), p+ignoreAfter)
			if loc := reIgnore.FindIndex(lowerAt(a, b)); loc != nil {
				report("ignore-instructions", a+loc[0], a+loc[1], "tells the model to drop its instructions")
				done |= ruleIgnore
			}
		}
		if found&gateConceal != 0 && done&ruleConceal == 0 && p >= concealEnd {
			a, b := wordStart(text, max(0, p-concealBefore)), min(len(text), p+concealAfter)
			if w := lowerAt(a, b); concealCandidate(w) {
				concealEnd = b - 32
				if loc := reConceal.FindIndex(w); loc != nil {
					report("conceal-from-user", a+loc[0], a+loc[1], "tells the model to keep something from the user")
					done |= ruleConceal
				}
			}
		}
		if found&gateCredential != 0 && done&ruleCred == 0 && p >= credEnd {
			a, b := wordStart(text, max(0, p-credSpan)), min(len(text), p+credSpan)
			credEnd = b - 64
			lower := lowerAt(a, b)
			if loc, token := credentialMention(lower); loc != nil {
				sent := sentenceAround(lower, loc[0], loc[1])
				clause := bytes.TrimLeft(lower[sent[0]:sent[1]], " \t\r\n-*•>`'\"0123456789.)")
				if reImperative.Match(clause) {
					report("credential-access", a+loc[0], a+loc[1], "asks for "+token+" to be read or passed on")
					done |= ruleCred
				}
			}
		}
	}
	for i := 0; i < len(text); i++ {
		j := strings.IndexAny(text[i:], "<[")
		if j < 0 {
			break
		}
		i += j
		if !tagCandidate(text, i) {
			continue
		}
		b := min(len(text), i+tagAfter)
		if loc := reDirectiveTag.FindIndex(lowerAt(i, b)); loc != nil && loc[0] == 0 {
			report("directive-tag", i+loc[0], i+loc[1], "pseudo-system markup addressed to the model")
			break
		}
	}
}
