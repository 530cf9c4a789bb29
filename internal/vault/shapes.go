package vault

import (
	"bytes"
	"strings"
)

// pemMaxBody bounds the search for a private key's END line (the largest
// RSA keys are about 13 KiB, JSON-escaped a little more).
const pemMaxBody = 64 << 10

// A shape finds one kind of well-known secret. Detection is two-step: a
// literal anchor is located with bytes.Index (SIMD-fast, so inputs of tens
// of MiB stay cheap), then a hand-written matcher checks the bytes around
// it. No regular expression runs over the input.
type shape struct {
	kind   string
	anchor string
	// match reports the end of the secret that starts at i (where the
	// anchor was found), or ok=false. It may also move the start.
	match func(b []byte, i int) (start, end int, ok bool)
}

// shapes is every detector. Each rule is as narrow as the vendor's format
// allows, so that ordinary text ("task-list", "skeleton", base64 images)
// is not flagged; see shapes_test.go for the positive and negative cases.
var shapes = []shape{
	// OpenAI (sk-..., sk-proj-..., sk-svcacct-...) and Anthropic
	// (sk-ant-api03-...): a long random body.
	{kind: "openai-or-anthropic-key", anchor: "sk-", match: token("sk-", isURLSafe, 20, 0, randomRun)},
	{kind: "github-token", anchor: "ghp_", match: token("ghp_", isAlnum, 30, 0, mixed)},
	{kind: "github-token", anchor: "gho_", match: token("gho_", isAlnum, 30, 0, mixed)},
	{kind: "github-token", anchor: "ghu_", match: token("ghu_", isAlnum, 30, 0, mixed)},
	{kind: "github-token", anchor: "ghs_", match: token("ghs_", isAlnum, 30, 0, mixed)},
	{kind: "github-token", anchor: "ghr_", match: token("ghr_", isAlnum, 30, 0, mixed)},
	{kind: "github-token", anchor: "github_pat_", match: token("github_pat_", isWord, 40, 0, mixed)},
	// Slack: xoxb-, xoxp-, xoxa- (and refresh/session xoxr-, xoxs-).
	{kind: "slack-token", anchor: "xox", match: slack},
	// AWS access key ids: exactly 16 upper-case letters or digits.
	{kind: "aws-access-key-id", anchor: "AKIA", match: token("AKIA", isUpperDigit, 16, 16, nil)},
	{kind: "aws-access-key-id", anchor: "ASIA", match: token("ASIA", isUpperDigit, 16, 16, nil)},
	// Google API keys: AIza + exactly 35 URL-safe characters.
	{kind: "google-api-key", anchor: "AIza", match: token("AIza", isURLSafe, 35, 35, nil)},
	{kind: "stripe-key", anchor: "sk_live_", match: token("sk_live_", isAlnum, 20, 0, mixed)},
	{kind: "stripe-key", anchor: "rk_live_", match: token("rk_live_", isAlnum, 20, 0, mixed)},
	{kind: "jwt", anchor: "eyJ", match: jwt},
	{kind: "private-key", anchor: "-----BEGIN ", match: pem},
	{kind: "bearer-token", anchor: "earer ", match: bearer},
	{kind: "bearer-token", anchor: "EARER ", match: bearer},
}

// ContainsSecretShape reports whether b contains a well-known key shape
// (see shapes). Used by the policy's secret-in-arguments guard.
func ContainsSecretShape(b []byte) bool {
	for i := range shapes {
		if findShape(b, &shapes[i], func(int, int) bool { return false }) {
			return true
		}
	}
	return false
}

// SecretShapes returns the kinds of well-known key shapes found in b
// ("github-token", "jwt", ...), each once, in a fixed order; nil if none.
func SecretShapes(b []byte) []string {
	var kinds []string
	for i := range shapes {
		s := &shapes[i]
		if len(kinds) > 0 && kinds[len(kinds)-1] == s.kind {
			continue
		}
		if findShape(b, s, func(int, int) bool { return false }) {
			kinds = append(kinds, s.kind)
		}
	}
	return kinds
}

// findShape calls each(start, end) for every match of s in b, stopping
// when each returns false; it reports whether anything matched.
func findShape(b []byte, s *shape, each func(start, end int) bool) bool {
	found := false
	for off := 0; off < len(b); {
		j := bytes.Index(b[off:], []byte(s.anchor))
		if j < 0 {
			break
		}
		i := off + j
		start, end, ok := s.match(b, i)
		if !ok {
			off = i + 1
			continue
		}
		found = true
		if !each(start, end) {
			break
		}
		off = max(end, i+1)
	}
	return found
}

// token matches prefix + body, the body being a run of bytes accepted by
// in, at least minBody long and, when maxBody > 0, exactly at most maxBody
// long with no more body bytes or letters after it. check, if set,
// validates the body further.
func token(prefix string, in func(byte) bool, minBody, maxBody int, check func([]byte) bool) func([]byte, int) (int, int, bool) {
	return func(b []byte, i int) (int, int, bool) {
		if !boundaryBefore(b, i) {
			return 0, 0, false
		}
		s := i + len(prefix)
		e := s
		for e < len(b) && in(b[e]) {
			e++
		}
		n := e - s
		if n < minBody || (maxBody > 0 && n > maxBody) {
			return 0, 0, false
		}
		if maxBody > 0 && e < len(b) && isAlnum(b[e]) {
			return 0, 0, false
		}
		if check != nil && !check(b[s:e]) {
			return 0, 0, false
		}
		return i, e, true
	}
}

// slack matches xox[bpars]-<digits and letters, with '-'>.
func slack(b []byte, i int) (int, int, bool) {
	if i+4 >= len(b) || b[i+4] != '-' {
		return 0, 0, false
	}
	switch b[i+3] {
	case 'b', 'p', 'a', 'r', 's':
	default:
		return 0, 0, false
	}
	return token("xoxb-", func(c byte) bool { return isAlnum(c) || c == '-' }, 10, 0, hasDigit)(b, i)
}

// jwt matches header.payload.signature where header and payload are
// base64url JSON objects (both start "eyJ", i.e. `{"`). The signature may
// be empty (alg none).
func jwt(b []byte, i int) (int, int, bool) {
	if !boundaryBefore(b, i) {
		return 0, 0, false
	}
	e := i
	for seg := range 3 {
		s := e
		if seg == 1 && !bytes.HasPrefix(b[s:], []byte("eyJ")) {
			return 0, 0, false
		}
		for e < len(b) && isURLSafe(b[e]) {
			e++
		}
		if seg < 2 {
			if e-s < 10 || e >= len(b) || b[e] != '.' {
				return 0, 0, false
			}
			e++ // the dot
		}
	}
	return i, e, true
}

// pem matches a private key block from "-----BEGIN ... PRIVATE KEY-----"
// to the end of its END line. Without an END line it takes the header and
// the base64 body that follows (escaped newlines included), failing closed
// on a truncated key.
func pem(b []byte, i int) (int, int, bool) {
	h := i + len("-----BEGIN ")
	limit := min(len(b), h+64)
	label := bytes.Index(b[h:limit], []byte("-----"))
	if label < 0 || !bytes.Contains(b[h:h+label], []byte("PRIVATE KEY")) {
		return 0, 0, false
	}
	body := h + label + 5
	// Keys are a few KiB; a bounded search keeps many headers linear.
	if end := bytes.Index(b[body:min(len(b), body+pemMaxBody)], []byte("-----END ")); end >= 0 {
		tail := body + end + len("-----END ")
		limit := min(len(b), tail+64)
		if c := bytes.Index(b[tail:limit], []byte("-----")); c >= 0 {
			return i, tail + c + 5, true
		}
	}
	e := body
	for e < len(b) && (isAlnum(b[e]) || strings.IndexByte("+/=\\ \t\r\n:-", b[e]) >= 0) {
		e++
	}
	return i, e, true
}

// bearer matches "Bearer <token>" (any case of the B) with a token of 16
// or more token68 characters that looks random.
func bearer(b []byte, i int) (int, int, bool) {
	if i == 0 || (b[i-1] != 'B' && b[i-1] != 'b') || !boundaryBefore(b, i-1) {
		return 0, 0, false
	}
	if b[i] == 'E' && b[i-1] != 'B' { // "bEARER" is not a scheme anyone writes
		return 0, 0, false
	}
	s := i + len("earer ")
	for s < len(b) && b[s] == ' ' {
		s++
	}
	e := s
	for e < len(b) && isToken68(b[e]) {
		e++
	}
	if e-s < 16 || !randomRun(b[s:e]) {
		return 0, 0, false
	}
	return i - 1, e, true
}

// boundaryBefore reports whether a secret may start at i: at the start,
// after a byte that is not a letter or digit, or right after a JSON
// escape (\n, \t, \u0020 ...) whose last byte happens to be one.
func boundaryBefore(b []byte, i int) bool {
	if i == 0 || !isAlnum(b[i-1]) {
		return true
	}
	if i >= 2 && b[i-2] == '\\' && strings.IndexByte("nrtbf", b[i-1]) >= 0 {
		return true
	}
	if i >= 6 && b[i-6] == '\\' && b[i-5] == 'u' && isHex(b[i-4]) && isHex(b[i-3]) && isHex(b[i-2]) && isHex(b[i-1]) {
		return true
	}
	return false
}

// mixed reports at least two of: upper-case letter, lower-case letter, digit.
func mixed(body []byte) bool {
	var up, lo, di bool
	for _, c := range body {
		up = up || isUpper(c)
		lo = lo || isLower(c)
		di = di || isDigit(c)
	}
	n := 0
	for _, x := range []bool{up, lo, di} {
		if x {
			n++
		}
	}
	return n >= 2
}

// randomRun reports whether body has a run of 16 or more letters and
// digits mixing at least two classes: random keys have long runs,
// kebab-case words ("sk-learn-model-2024-v2") do not.
func randomRun(body []byte) bool {
	s := 0
	for e := 0; e <= len(body); e++ {
		if e < len(body) && isAlnum(body[e]) {
			continue
		}
		if e-s >= 16 && mixed(body[s:e]) {
			return true
		}
		s = e + 1
	}
	return false
}

func hasDigit(body []byte) bool { return bytes.ContainsAny(body, "0123456789") }

func isURLSafe(c byte) bool    { return isAlnum(c) || c == '-' || c == '_' }
func isWord(c byte) bool       { return isAlnum(c) || c == '_' }
func isUpperDigit(c byte) bool { return isUpper(c) || isDigit(c) }
func isHex(c byte) bool        { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }
func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}
