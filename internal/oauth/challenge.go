package oauth

import (
	"errors"
	"fmt"
	"strings"
)

// Challenge is one challenge of a WWW-Authenticate header (RFC 9110
// §11.6.1): a scheme with either a token68 or named parameters.
type Challenge struct {
	Scheme  string            // lower case
	Token68 string            // "" when the challenge has parameters
	Params  map[string]string // names in lower case; nil without parameters
}

// maxChallengeLen bounds the header text the parser reads.
const maxChallengeLen = 16 << 10

// ParseChallenges parses the value(s) of WWW-Authenticate headers (several
// header lines are joined with ", " by the caller). It is strict where the
// grammar is: a parameter given twice in one challenge, an unterminated
// quoted string or a stray character is an error.
func ParseChallenges(h string) ([]Challenge, error) {
	if len(h) > maxChallengeLen {
		return nil, fmt.Errorf("oauth: WWW-Authenticate is %d bytes, more than %d", len(h), maxChallengeLen)
	}
	p := &challengeParser{s: h}
	var out []Challenge
	for {
		p.skipListSep()
		if p.eof() {
			return out, nil
		}
		scheme := p.token()
		if scheme == "" {
			return nil, p.errorf("expected an auth scheme")
		}
		c := Challenge{Scheme: strings.ToLower(scheme)}
		if !p.eof() && !p.isWS() && p.peek() != ',' {
			return nil, p.errorf("unexpected character after the scheme")
		}
		p.skipWS()
		if t, ok := p.token68(); ok {
			c.Token68 = t
		} else if err := p.params(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
		p.skipWS()
		if !p.eof() && p.peek() != ',' {
			return nil, p.errorf("expected a comma between challenges")
		}
	}
}

// Bearer returns the first Bearer challenge in cs.
func Bearer(cs []Challenge) (Challenge, bool) {
	for _, c := range cs {
		if c.Scheme == "bearer" {
			return c, true
		}
	}
	return Challenge{}, false
}

// BearerParams parses a WWW-Authenticate value and returns the parameters
// of its Bearer challenge (nil when it has none, or cannot be parsed).
func BearerParams(h string) map[string]string {
	cs, err := ParseChallenges(h)
	if err != nil {
		return nil
	}
	c, ok := Bearer(cs)
	if !ok {
		return nil
	}
	if c.Params == nil {
		return map[string]string{}
	}
	return c.Params
}

type challengeParser struct {
	s string
	i int
}

func (p *challengeParser) eof() bool  { return p.i >= len(p.s) }
func (p *challengeParser) peek() byte { return p.s[p.i] }
func (p *challengeParser) isWS() bool { return p.s[p.i] == ' ' || p.s[p.i] == '\t' }

func (p *challengeParser) errorf(format string, a ...any) error {
	return fmt.Errorf("oauth: WWW-Authenticate at byte %d: %s", p.i, fmt.Sprintf(format, a...))
}

func (p *challengeParser) skipWS() {
	for !p.eof() && p.isWS() {
		p.i++
	}
}

func (p *challengeParser) skipListSep() {
	for !p.eof() && (p.isWS() || p.peek() == ',') {
		p.i++
	}
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func (p *challengeParser) token() string {
	start := p.i
	for !p.eof() && isTchar(p.peek()) {
		p.i++
	}
	return p.s[start:p.i]
}

// token68 reads 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
// *"=" when what follows it ends the challenge; otherwise it reads nothing.
func (p *challengeParser) token68() (string, bool) {
	j := p.i
	for j < len(p.s) && (isAlnum(p.s[j]) || strings.IndexByte("-._~+/", p.s[j]) >= 0) {
		j++
	}
	if j == p.i {
		return "", false
	}
	for j < len(p.s) && p.s[j] == '=' {
		j++
	}
	k := j
	for k < len(p.s) && (p.s[k] == ' ' || p.s[k] == '\t') {
		k++
	}
	if k < len(p.s) && p.s[k] != ',' {
		return "", false
	}
	// "a=" followed by a comma or the end is a parameter with an empty
	// token value in no grammar (a value is required), so token68 wins.
	t := p.s[p.i:j]
	p.i = j
	return t, true
}

// params reads auth-params until the next challenge's scheme.
func (p *challengeParser) params(c *Challenge) error {
	for {
		save := p.i
		name := p.token()
		p.skipWS()
		if name == "" || p.eof() || p.peek() != '=' {
			p.i = save
			return nil
		}
		p.i++
		p.skipWS()
		var val string
		if !p.eof() && p.peek() == '"' {
			v, err := p.quoted()
			if err != nil {
				return err
			}
			val = v
		} else {
			val = p.token()
			if val == "" {
				return p.errorf("parameter %q has no value", name)
			}
		}
		if c.Params == nil {
			c.Params = map[string]string{}
		}
		key := strings.ToLower(name)
		if _, dup := c.Params[key]; dup {
			return p.errorf("parameter %q given twice", key)
		}
		c.Params[key] = val
		p.skipWS()
		if p.eof() {
			return nil
		}
		if p.peek() != ',' {
			return p.errorf("expected a comma after parameter %q", key)
		}
		afterComma := p.i
		p.skipListSep()
		if !p.startsParam() {
			p.i = afterComma
			return nil
		}
	}
}

// startsParam reports whether a parameter (token BWS "=") starts here.
func (p *challengeParser) startsParam() bool {
	j := p.i
	for j < len(p.s) && isTchar(p.s[j]) {
		j++
	}
	if j == p.i {
		return false
	}
	for j < len(p.s) && (p.s[j] == ' ' || p.s[j] == '\t') {
		j++
	}
	return j < len(p.s) && p.s[j] == '='
}

var errUnterminated = errors.New("unterminated quoted string")

// quoted reads a quoted-string and returns its unescaped content.
func (p *challengeParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			p.i++
			if p.eof() {
				return "", p.errorf("%v", errUnterminated)
			}
			q := p.peek()
			if q < 0x20 && q != '\t' || q == 0x7f {
				return "", p.errorf("control character in a quoted string")
			}
			b.WriteByte(q)
			p.i++
		case c < 0x20 && c != '\t' || c == 0x7f:
			return "", p.errorf("control character in a quoted string")
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.errorf("%v", errUnterminated)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
