package toolguard

import (
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

// phrases applies the instruction rules to text (invisible characters
// already removed). where is appended to the detail.
func (s *scanner) phrases(text, where string) {
	if len(text) < 8 {
		return
	}
	s.lowerBuffer = asciiLower(s.lowerBuffer, text)
	lower := string(s.lowerBuffer)
	report := func(rule string, loc []int, detail string) {
		s.add(Finding{Kind: FindingInstruction, Rule: rule, Severity: SeverityHigh,
			Excerpt: excerpt(text, loc[0], loc[1]), Detail: strings.TrimPrefix(detail+where, " ")})
	}
	if containsAny(lower, "ignore", "disregard", "forget", "override", "bypass") {
		if loc := reIgnore.FindStringIndex(lower); loc != nil {
			report("ignore-instructions", loc, "tells the model to drop its instructions")
		}
	}
	if containsAny(lower, "user", "human", "requester") {
		if loc := reConceal.FindStringIndex(lower); loc != nil {
			report("conceal-from-user", loc, "tells the model to keep something from the user")
		}
	}
	if strings.ContainsAny(lower, "<[") {
		if loc := reDirectiveTag.FindStringIndex(lower); loc != nil {
			report("directive-tag", loc, "pseudo-system markup addressed to the model")
		}
	}
	if loc, token := credentialMention(lower); loc != nil {
		sent := sentenceAround(lower, loc[0], loc[1])
		if reImperative.MatchString(strings.TrimLeft(lower[sent[0]:sent[1]], " \t\r\n-*•>`'\"0123456789.)")) {
			report("credential-access", loc, "asks for "+token+" to be read or passed on")
		}
	}
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// credentialMention finds the first credential path in lower.
func credentialMention(lower string) ([]int, string) {
	for _, tok := range credentialTokens {
		off := 0
		for {
			i := strings.Index(lower[off:], tok)
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
func envBounded(s string, i, end int) bool {
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
func sentenceAround(s string, from, to int) [2]int {
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

func isSentenceEnd(s string, i int) bool {
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
	reported := map[string]bool{}
	for i := 0; i < len(text); {
		if !isNameByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isNameByte(text[j]) {
			j++
		}
		word := strings.TrimRight(text[i:j], ".-")
		end := i + len(word)
		if s.others[word] && !reported[word] && (distinctiveName(word) || quotedAt(text, i, end)) {
			reported[word] = true
			s.add(Finding{Kind: FindingToolReference, Rule: "other-server-tool", Severity: SeverityMedium,
				Excerpt: excerpt(text, i, end), Detail: "names " + word + ", a tool of another server"})
		}
		i = j
	}
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
