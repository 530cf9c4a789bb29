package vault

import (
	"bytes"
	"slices"
	"strings"
)

// pemMaxBody bounds the search for a private key's END line (the largest
// RSA keys are about 13 KiB, JSON-escaped a little more).
const pemMaxBody = 64 << 10

// A shape finds one kind of well-known secret that starts with prefix.
// Detection is two-step: a short anchor (a rare byte of the prefix, such as
// '_' or '-') is located with bytes.Index, which is SIMD-fast, and only
// there is the prefix compared and a hand-written matcher run over the
// bytes that follow. Shapes sharing an anchor share one pass over the
// input, so a 64 MiB argument takes a handful of passes, and no regular
// expression ever runs.
type shape struct {
	kind   string
	prefix string
	anchor string // a substring of prefix; its first occurrence is used
	// match checks the secret that starts at i (where prefix is) and
	// returns its end, or ok=false.
	match func(b []byte, i int) (end int, ok bool)
}

// shapes is every detector. Each rule is as narrow as the vendor's format
// allows, so that ordinary text ("task-list", "skeleton", base64 images)
// is not flagged; see shapes_test.go for the positive and negative cases.
var shapes = []shape{
	// OpenAI (sk-..., sk-proj-..., sk-svcacct-...) and Anthropic
	// (sk-ant-api03-...): a long random body.
	{"openai-or-anthropic-key", "sk-", "-", token(3, isURLSafe, 20, 0, randomRun)},
	{"github-token", "ghp_", "_", token(4, isAlnum, 30, 0, mixed)},
	{"github-token", "gho_", "_", token(4, isAlnum, 30, 0, mixed)},
	{"github-token", "ghu_", "_", token(4, isAlnum, 30, 0, mixed)},
	{"github-token", "ghs_", "_", token(4, isAlnum, 30, 0, mixed)},
	{"github-token", "ghr_", "_", token(4, isAlnum, 30, 0, mixed)},
	{"github-token", "github_pat_", "_", token(11, isWord, 40, 0, mixed)},
	// Slack: bot, user, app (and refresh, session) tokens.
	{"slack-token", "xoxb-", "-", token(5, isSlack, 10, 0, hasDigit)},
	{"slack-token", "xoxp-", "-", token(5, isSlack, 10, 0, hasDigit)},
	{"slack-token", "xoxa-", "-", token(5, isSlack, 10, 0, hasDigit)},
	{"slack-token", "xoxr-", "-", token(5, isSlack, 10, 0, hasDigit)},
	{"slack-token", "xoxs-", "-", token(5, isSlack, 10, 0, hasDigit)},
	// AWS access key ids: exactly 16 upper-case letters or digits.
	{"aws-access-key-id", "AKIA", "A", token(4, isUpperDigit, 16, 16, nil)},
	{"aws-access-key-id", "ASIA", "A", token(4, isUpperDigit, 16, 16, nil)},
	// Google API keys: AIza + exactly 35 URL-safe characters.
	{"google-api-key", "AIza", "A", token(4, isURLSafe, 35, 35, nil)},
	{"stripe-key", "sk_live_", "_", token(8, isAlnum, 20, 0, mixed)},
	{"stripe-key", "rk_live_", "_", token(8, isAlnum, 20, 0, mixed)},
	{"jwt", "eyJ", "J", jwt},
	{"private-key", "-----BEGIN ", "-", pem},
	{"bearer-token", "Bearer ", "earer ", bearer},
	{"bearer-token", "bearer ", "earer ", bearer},
	{"bearer-token", "BEARER ", "EARER ", bearer},
}

// shapeGroup is the shapes that share one anchor, hence one pass.
type shapeGroup struct {
	anchor []byte
	shapes []shapeAt
}

type shapeAt struct {
	*shape
	off int // where the anchor sits in the prefix
}

var shapeGroups = groupShapes(shapes)

func groupShapes(all []shape) []shapeGroup {
	var groups []shapeGroup
	for i := range all {
		s := &all[i]
		off := strings.Index(s.prefix, s.anchor)
		if off < 0 {
			panic("vault: shape anchor " + s.anchor + " not in prefix " + s.prefix)
		}
		g := slices.IndexFunc(groups, func(g shapeGroup) bool { return string(g.anchor) == s.anchor })
		if g < 0 {
			groups = append(groups, shapeGroup{anchor: []byte(s.anchor)})
			g = len(groups) - 1
		}
		groups[g].shapes = append(groups[g].shapes, shapeAt{s, off})
	}
	return groups
}

// ContainsSecretShape reports whether b contains a well-known key shape
// (see shapes). Used by the policy's secret-in-arguments guard.
func ContainsSecretShape(b []byte) bool {
	found := false
	for i := range shapeGroups {
		findShapes(b, &shapeGroups[i], func(*shape, int, int) bool { found = true; return false })
		if found {
			return true
		}
	}
	return false
}

// SecretShapes returns the kinds of well-known key shapes found in b
// ("github-token", "jwt", ...), each once, sorted; nil if none.
func SecretShapes(b []byte) []string {
	var kinds []string
	for i := range shapeGroups {
		findShapes(b, &shapeGroups[i], func(s *shape, _, _ int) bool {
			if !slices.Contains(kinds, s.kind) {
				kinds = append(kinds, s.kind)
			}
			return true
		})
	}
	slices.Sort(kinds)
	return kinds
}

// findShapes calls each(shape, start, end) for every match of g's shapes
// in b, stopping when each returns false.
func findShapes(b []byte, g *shapeGroup, each func(s *shape, start, end int) bool) {
	for pos := 0; pos < len(b); {
		j := bytes.Index(b[pos:], g.anchor)
		if j < 0 {
			return
		}
		at := pos + j
		next := at + 1
		for _, s := range g.shapes {
			i := at - s.off
			if i < 0 || !bytes.HasPrefix(b[i:], []byte(s.prefix)) {
				continue
			}
			end, ok := s.match(b, i)
			if !ok {
				continue
			}
			if !each(s.shape, i, end) {
				return
			}
			next = max(next, end)
		}
		pos = next
	}
}

// token matches a prefix of prefixLen bytes and a body: a run of bytes
// accepted by in, at least minBody long and, when maxBody > 0, at most
// maxBody long and not followed by a letter or digit. check, if set,
// validates the body further.
func token(prefixLen int, in func(byte) bool, minBody, maxBody int, check func([]byte) bool) func([]byte, int) (int, bool) {
	return func(b []byte, i int) (int, bool) {
		if !boundaryBefore(b, i) {
			return 0, false
		}
		s := i + prefixLen
		e := s
		for e < len(b) && in(b[e]) {
			e++
		}
		n := e - s
		if n < minBody || (maxBody > 0 && n > maxBody) {
			return 0, false
		}
		if maxBody > 0 && e < len(b) && isAlnum(b[e]) {
			return 0, false
		}
		if check != nil && !check(b[s:e]) {
			return 0, false
		}
		return e, true
	}
}

// jwt matches header.payload.signature where header and payload are
// base64url JSON objects (both start "eyJ", i.e. `{"`). The signature may
// be empty (alg none).
func jwt(b []byte, i int) (int, bool) {
	if !boundaryBefore(b, i) {
		return 0, false
	}
	e := i
	for seg := range 3 {
		s := e
		if seg == 1 && !bytes.HasPrefix(b[s:], []byte("eyJ")) {
			return 0, false
		}
		for e < len(b) && isURLSafe(b[e]) {
			e++
		}
		if seg < 2 {
			if e-s < 10 || e >= len(b) || b[e] != '.' {
				return 0, false
			}
			e++ // the dot
		}
	}
	return e, true
}

// pem matches a private key block from "-----BEGIN ... PRIVATE KEY-----"
// to the end of its END line. Without an END line it takes the header and
// the base64 body that follows (escaped newlines included), failing closed
// on a truncated key.
func pem(b []byte, i int) (int, bool) {
	h := i + len("-----BEGIN ")
	limit := min(len(b), h+64)
	label := bytes.Index(b[h:limit], []byte("-----"))
	if label < 0 || !bytes.Contains(b[h:h+label], []byte("PRIVATE KEY")) {
		return 0, false
	}
	body := h + label + 5
	// Keys are a few KiB; a bounded search keeps many headers linear.
	if end := bytes.Index(b[body:min(len(b), body+pemMaxBody)], []byte("-----END ")); end >= 0 {
		tail := body + end + len("-----END ")
		limit := min(len(b), tail+64)
		if c := bytes.Index(b[tail:limit], []byte("-----")); c >= 0 {
			return tail + c + 5, true
		}
	}
	e := body
	for e < len(b) && (isAlnum(b[e]) || strings.IndexByte("+/=\\ \t\r\n:-", b[e]) >= 0) {
		e++
	}
	return e, true
}

// bearer matches "Bearer <token>" with a token of 16 or more token68
// characters that looks random.
func bearer(b []byte, i int) (int, bool) {
	if !boundaryBefore(b, i) {
		return 0, false
	}
	s := i + len("Bearer ")
	for s < len(b) && b[s] == ' ' {
		s++
	}
	e := s
	for e < len(b) && isToken68(b[e]) {
		e++
	}
	if e-s < 16 || !randomRun(b[s:e]) {
		return 0, false
	}
	return e, true
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

func isSlack(c byte) bool      { return isAlnum(c) || c == '-' }
func isURLSafe(c byte) bool    { return isAlnum(c) || c == '-' || c == '_' }
func isWord(c byte) bool       { return isAlnum(c) || c == '_' }
func isUpperDigit(c byte) bool { return isUpper(c) || isDigit(c) }
func isHex(c byte) bool        { return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') }
func isToken68(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}
