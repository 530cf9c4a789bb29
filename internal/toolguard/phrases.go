package toolguard

import (
	"bytes"
	"math/bits"
	"regexp"
	"strings"
)

// The phrase rules run on ASCII-lower-cased text. Each has a cheap gate
// (substrings that must occur) so the regular expressions only run on the
// rare strings that could match; real descriptions pass the gates rarely.
//
// They look for text addressed to the model rather than describing the
// tool. Third-person descriptions ("Reads the file", "Ignores hidden
// files") do not match: the verbs are the imperative forms.
var (
	reIgnore = regexp.MustCompile(`\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|every|the|your|of|these|those|my)\s+)*(?:previous|prior|above|earlier|preceding|former|original|system|existing|other|safety|security)\s+(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|messages|context|commands|constraints|policies)\b` +
		`|\b(?:ignore|disregard)\s+(?:all|any)\s+(?:instructions?|rules|guidelines)\b` +
		`|\bforget\s+(?:everything|all)\s+(?:you|above|before|previously)\b`)
	reConceal = regexp.MustCompile(`\b(?:do\s+not|don'?t|dont|never|must\s+not|should\s+not|shouldn'?t|without)\s+(?:ever\s+)?(?:tell(?:ing)?|mention(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|reveal(?:ing)?|disclos(?:e|ing))\b[^.!?\n]{0,80}?\b(?:users?|human|requester)(?:[^'’\w]|$)` +
		`|\b(?:do\s+not|don'?t|never)\s+let\s+(?:the\s+)?(?:users?|human)\s+(?:know|see|notice)\b` +
		`|\b(?:hide|conceal)\b[^.!?\n]{0,40}?\bfrom\s+(?:the\s+)?(?:users?|human)(?:[^'’\w]|$)` +
		`|\b(?:users?|human)\s+(?:must|should|does|do|need|needs|will)\s*(?:not|n't)\s+(?:know|see|notice|find\s+out|be\s+(?:told|informed|notified))\b` +
		`|\bsecret\s+from\s+(?:the\s+)?(?:users?|human)\b`)
	reDirectiveTag = regexp.MustCompile(`<\s*/?\s*(?:important|system|system[-_ ]?(?:prompt|message|reminder|instructions?|note)|instructions?|secret|hidden|admin|assistant|critical|ai[-_ ]?instructions?|note[-_ ]to[-_ ](?:ai|model|assistant|llm|agent))\s*>` +
		`|<\|im_(?:start|end|sep)\|>|<\|(?:system|assistant|user)\|>|\[/?inst\]|\[/?system\]`)
	// reImperative finds an order to read or send something: an imperative
	// verb at the start of a clause or after "you must", "first", ….
	reImperative = regexp.MustCompile(`(?:^|[,;:]\s*|\b(?:you\s+(?:must|should|need\s+to|have\s+to)|please|first|then|always|also)\s+)(?:read|cat|open|include|pass|send|upload|attach|copy|fetch|load|print|output|append|paste|post|forward|extract|dump)\b` +
		`|\bbefore\s+(?:using|calling|invoking|running)\b`)
)

// credentialTokens are paths whose mention next to an order to read or
// pass them on is the classic "read ~/.ssh/id_rsa first" poisoning.
var credentialTokens = []string{
	".ssh", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".aws/credentials", ".aws/config",
	".netrc", ".npmrc", ".pypirc", ".pgpass", "/etc/passwd", "/etc/shadow", ".kube/config",
	".git-credentials", ".docker/config.json", "mcp.json", "claude_desktop_config.json",
	".gnupg", "credentials.json", "credentials file", "wallet.dat", ".bash_history", ".zsh_history",
	".env",
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(buf []byte, s string) []byte {
	buf = append(buf[:0], s...)
	for i, c := range buf {
		if c >= 'A' && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	return buf
}

// needleSet finds which of up to 64 words occur in a text in one pass:
// three bytes are a candidate only when some word starts with them.
type needleSet struct {
	needles              [][]byte
	first, second, third [256]uint64
	// pairs holds the first two bytes of every needle in every ASCII case:
	// one lookup rules out most positions of ordinary text.
	pairs pairSet
}

// newNeedleSet builds a set of lower-case words matched ignoring ASCII
// case.
func newNeedleSet(words ...string) *needleSet {
	n := &needleSet{}
	for i, w := range words {
		if len(w) < 3 || i >= 64 || w != strings.ToLower(w) {
			panic("toolguard: bad needle " + w)
		}
		n.needles = append(n.needles, []byte(w))
		for _, c := range []byte{w[0], upper(w[0])} {
			n.first[c] |= 1 << i
		}
		for _, c := range []byte{w[1], upper(w[1])} {
			n.second[c] |= 1 << i
		}
		for _, c := range []byte{w[2], upper(w[2])} {
			n.third[c] |= 1 << i
		}
		for _, a := range []byte{w[0], upper(w[0])} {
			for _, b := range []byte{w[1], upper(w[1])} {
				n.pairs.add(string([]byte{a, b}))
			}
		}
	}
	return n
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// present returns the bit set of the needles found in s, ignoring ASCII
// case.
func (n *needleSet) present(s string) uint64 {
	var found uint64
	for i := 0; i+2 < len(s); i++ {
		if !n.pairs.has(s[i], s[i+1]) {
			continue
		}
		m := n.first[s[i]] & n.second[s[i+1]] & n.third[s[i+2]] &^ found
		for m != 0 {
			b := bits.TrailingZeros64(m)
			m &= m - 1
			if hasPrefixFold(s[i:], n.needles[b]) {
				found |= 1 << b
			}
		}
	}
	return found
}

// hasPrefixFold reports whether s starts with the lower-case word w,
// ignoring ASCII case.
func hasPrefixFold(s string, w []byte) bool {
	if len(s) < len(w) {
		return false
	}
	for i, c := range w {
		d := s[i]
		if d >= 'A' && d <= 'Z' {
			d += 'a' - 'A'
		}
		if d != c {
			return false
		}
	}
	return true
}

// gates: the words a phrase rule needs before its expression is worth
// running. Bits 0–4 gate reIgnore, 5–7 reConceal, the rest the credential
// rule (every credential token contains one of them).
var gates = newNeedleSet(
	"ignore", "disregard", "forget", "override", "bypass",
	"user", "human", "requester",
	".ssh", "id_", ".aws", "netrc", "npmrc", "pypirc", ".pgpass", "/etc/", ".kube", "credentials",
	".docker", "mcp.json", "_config.json", ".gnupg", "wallet.dat", "_history", ".env",
)

const (
	gateIgnore     = 0b11111
	gateConceal    = 0b111 << 5
	gateCredential = ^uint64(0) &^ 0xff
)

// phrases applies the instruction rules to text (invisible characters
// already removed). where is appended to the detail.
func (s *scanner) phrases(text, where string) {
	if len(text) < 8 {
		return
	}
	if !s.listing && len(text) > longText {
		s.phrasesWindows(text, where)
		return
	}
	found := gates.present(text)
	tags := strings.IndexByte(text, '<') >= 0 || strings.IndexByte(text, '[') >= 0
	if found == 0 && !tags {
		return
	}
	s.lowerBuffer = asciiLower(s.lowerBuffer, text)
	lower := s.lowerBuffer
	report := func(rule string, loc []int, detail string) {
		s.add(Finding{Kind: FindingInstruction, Rule: rule, Severity: SeverityHigh,
			Excerpt: excerpt(text, loc[0], loc[1]), Detail: strings.TrimPrefix(detail+where, " ")})
	}
	if found&gateIgnore != 0 {
		if loc := reIgnore.FindIndex(lower); loc != nil {
			report("ignore-instructions", loc, "tells the model to drop its instructions")
		}
	}
	if found&gateConceal != 0 {
		if loc := reConceal.FindIndex(lower); loc != nil {
			report("conceal-from-user", loc, "tells the model to keep something from the user")
		}
	}
	if tags {
		if loc := reDirectiveTag.FindIndex(lower); loc != nil {
			report("directive-tag", loc, "pseudo-system markup addressed to the model")
		}
	}
	if found&gateCredential != 0 {
		if loc, token := credentialMention(lower); loc != nil {
			sent := sentenceAround(lower, loc[0], loc[1])
			clause := bytes.TrimLeft(lower[sent[0]:sent[1]], " \t\r\n-*•>`'\"0123456789.)")
			if reImperative.Match(clause) {
				report("credential-access", loc, "asks for "+token+" to be read or passed on")
			}
		}
	}
}

// credentialMention finds the first credential path in lower.
func credentialMention(lower []byte) ([]int, string) {
	for _, tok := range credentialTokens {
		off := 0
		for {
			i := bytes.Index(lower[off:], []byte(tok))
			if i < 0 {
				break
			}
			i += off
			end := i + len(tok)
			if tok != ".env" || envBounded(lower, i, end) {
				return []int{i, end}, tok
			}
			off = end
		}
	}
	return nil, ""
}

// envBounded accepts ".env" as a file name, not as part of ".environment"
// or "process.env.X" (a code reference, not a file).
func envBounded(s []byte, i, end int) bool {
	if i > 0 {
		switch s[i-1] {
		case ' ', '/', '~', '`', '\'', '"', '(', '\t', '\n':
		default:
			return false
		}
	}
	if end < len(s) {
		c := s[end]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' && end+1 < len(s) && s[end+1] != ' ' && s[end+1] != '\n' {
			return false
		}
	}
	return true
}

// sentenceAround returns the span of the sentence holding [from, to): it
// ends at '!', '?', a newline, or a '.' followed by a space or the end.
func sentenceAround(s []byte, from, to int) [2]int {
	start := 0
	for i := from - 1; i >= 0; i-- {
		if isSentenceEnd(s, i) {
			start = i + 1
			break
		}
	}
	end := len(s)
	for i := to; i < len(s); i++ {
		if isSentenceEnd(s, i) {
			end = i
			break
		}
	}
	return [2]int{start, end}
}

func isSentenceEnd(s []byte, i int) bool {
	switch s[i] {
	case '!', '?', '\n':
		return true
	case '.':
		return i+1 == len(s) || s[i+1] == ' '
	}
	return false
}

// toolReferences flags names of other servers' tools in a description or
// title. Names that look like ordinary words ("search", "fetch") only
// count when quoted or back-ticked; distinctive names (with '_', '-', '.',
// a digit or an inner capital) count as bare words too.
func (s *scanner) toolReferences(text string) {
	var reported map[string]bool
	for i := 0; i+1 < len(text); i++ {
		// Only a word start whose first two bytes begin some name is
		// looked at further.
		if !s.otherStarts.has(text[i], text[i+1]) || (i > 0 && isNameByte(text[i-1])) {
			continue
		}
		j := i
		for j < len(text) && isNameByte(text[j]) {
			j++
		}
		end := j
		for end > i && (text[end-1] == '.' || text[end-1] == '-') {
			end--
		}
		word := text[i:end]
		if s.otherLens&(1<<min(len(word), 63)) != 0 && s.others[word] && !reported[word] && (distinctiveName(word) || quotedAt(text, i, end)) {
			if reported == nil {
				reported = map[string]bool{}
			}
			reported[word] = true
			s.add(Finding{Kind: FindingToolReference, Rule: "other-server-tool", Severity: SeverityMedium,
				Excerpt: excerpt(text, i, end), Detail: "names " + word + ", a tool of another server"})
		}
		i = j - 1
	}
	// A one-byte name cannot be told from prose; names shorter than two
	// bytes are never matched.
}

// pairSet is a set of byte pairs (the first two bytes of names).
type pairSet [65536 / 64]uint64

func (p *pairSet) add(name string) {
	if len(name) >= 2 {
		i := uint16(name[0])<<8 | uint16(name[1])
		p[i>>6] |= 1 << (i & 63)
	}
}

func (p *pairSet) has(a, b byte) bool {
	i := uint16(a)<<8 | uint16(b)
	return p[i>>6]&(1<<(i&63)) != 0
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

func distinctiveName(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || (i > 0 && c >= 'A' && c <= 'Z') {
			return true
		}
	}
	return false
}

func quotedAt(s string, from, to int) bool {
	if from == 0 || to >= len(s) {
		return false
	}
	q := s[from-1]
	return (q == '`' || q == '\'' || q == '"') && s[to] == q
}
