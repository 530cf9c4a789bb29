package policy

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
)

// ArgOp is how an ArgCond compares the argument's value.
type ArgOp string

const (
	OpGlob  ArgOp = "glob"  // PATH=GLOB   doublestar glob on the (path-normalised) text; the default
	OpRegex ArgOp = "regex" // PATH~=RE    Go regexp matching the WHOLE (path-normalised) text
	OpEq    ArgOp = "eq"    // PATH==VALUE the (path-normalised) text equals VALUE; numbers compare by value
	OpLt    ArgOp = "lt"    // PATH<N      a JSON number below N
	OpLe    ArgOp = "le"    // PATH<=N
	OpGt    ArgOp = "gt"    // PATH>N
	OpGe    ArgOp = "ge"    // PATH>=N
)

// argOps lists the command-line operators, two-character ones first so
// "<=" is not read as "<".
var argOps = []struct {
	text string
	op   ArgOp
}{{"~=", OpRegex}, {"==", OpEq}, {"<=", OpLe}, {">=", OpGe}, {"<", OpLt}, {">", OpGt}, {"=", OpGlob}}

// ArgCond narrows a rule to calls whose argument at Path (dot-separated keys
// into the arguments object, e.g. "path" or "options.mode") is a string,
// number or boolean satisfying Op. A glob keeps its pattern in Glob (the
// original JSON shape, so rules written before Op existed read the same);
// every other operator keeps its operand in Value.
type ArgCond struct {
	Path  string `json:"path"`
	Op    ArgOp  `json:"op,omitempty"` // empty means OpGlob
	Glob  string `json:"glob,omitempty"`
	Value string `json:"value,omitempty"`
}

// ParseArgCond parses the command-line forms PATH=GLOB, PATH~=REGEX,
// PATH==VALUE, PATH<N, PATH<=N, PATH>N and PATH>=N. The path ends at the
// first operator character.
func ParseArgCond(s string) (ArgCond, error) {
	i := strings.IndexAny(s, "~=<>")
	if i <= 0 {
		return ArgCond{}, fmt.Errorf("argument condition %q: want PATH=GLOB, PATH~=REGEX, PATH==VALUE or PATH<N (<=, >, >=)", s)
	}
	for _, o := range argOps {
		if !strings.HasPrefix(s[i:], o.text) {
			continue
		}
		c := ArgCond{Path: s[:i], Op: o.op}
		operand := s[i+len(o.text):]
		if o.op == OpGlob {
			c.Op, c.Glob = "", operand
		} else {
			c.Value = operand
		}
		if err := c.validate(); err != nil {
			return ArgCond{}, fmt.Errorf("argument condition %q: %w", s, err)
		}
		return c, nil
	}
	return ArgCond{}, fmt.Errorf("argument condition %q: unknown operator (want =, ~=, ==, <, <=, > or >=)", s)
}

// String renders the condition in its command-line form.
func (c ArgCond) String() string {
	for _, o := range argOps {
		if o.op == c.op() {
			if c.op() == OpGlob {
				return c.Path + o.text + c.Glob
			}
			return c.Path + o.text + c.Value
		}
	}
	return c.Path + "?" + string(c.Op) + "?" + c.Value
}

func (c ArgCond) op() ArgOp {
	if c.Op == "" {
		return OpGlob
	}
	return c.Op
}

func (c ArgCond) validate() error {
	if c.Path == "" {
		return fmt.Errorf("no argument path")
	}
	switch c.op() {
	case OpGlob:
		if !doublestar.ValidatePattern(c.Glob) {
			return fmt.Errorf("invalid glob %q", c.Glob)
		}
	case OpRegex:
		if _, err := compiled(c.Value); err != nil {
			return fmt.Errorf("invalid regular expression: %w", err)
		}
	case OpEq:
	case OpLt, OpLe, OpGt, OpGe:
		if _, ok := number(c.Value); !ok {
			return fmt.Errorf("%q is not a number", c.Value)
		}
	default:
		return fmt.Errorf("unknown operator %q", c.Op)
	}
	return nil
}

// matches reports whether an argument value satisfies the condition. text
// is its text, isNum whether it is a JSON number.
func (c ArgCond) matches(text string, isNum bool) bool {
	switch op := c.op(); op {
	case OpLt, OpLe, OpGt, OpGe:
		if !isNum {
			return false // "9" as a string is not a number: the server may read it otherwise
		}
		v, ok1 := number(text)
		n, ok2 := number(c.Value)
		if !ok1 || !ok2 {
			return false
		}
		cmp := v.Cmp(n)
		return (op == OpLt && cmp < 0) || (op == OpLe && cmp <= 0) || (op == OpGt && cmp > 0) || (op == OpGe && cmp >= 0)
	case OpEq:
		if isNum {
			v, ok1 := number(text)
			n, ok2 := number(c.Value)
			return ok1 && ok2 && v.Cmp(n) == 0
		}
	}
	v, ok := normalize(text)
	if !ok {
		return false
	}
	switch c.op() {
	case OpGlob:
		m, _ := doublestar.Match(c.Glob, v)
		return m
	case OpRegex:
		re, err := compiled(c.Value)
		return err == nil && re.MatchString(v)
	case OpEq:
		return v == c.Value
	}
	return false
}

// number reads a decimal number with 256 bits of mantissa (exact for
// integers of up to 77 digits, so 9007199254740993 stays distinct from
// 9007199254740992). It never expands a huge exponent (arguments come from
// the model): beyond big.Float's range a value is ±infinity or zero.
func number(s string) (*big.Float, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "_xXpPnN") { // no Go literal forms, Inf or NaN
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err == nil {
		return f, true
	}
	mant, exp, ok := strings.Cut(strings.ToLower(s), "e")
	if !ok {
		return nil, false
	}
	m, _, err := big.ParseFloat(mant, 10, 256, big.ToNearestEven)
	if err != nil {
		return nil, false
	}
	if strings.HasPrefix(exp, "-") || m.Sign() == 0 {
		return new(big.Float), true
	}
	return new(big.Float).SetInf(m.Sign() < 0), true
}

// regexps caches compiled expressions: rules are evaluated on every call.
var regexps sync.Map // string → *regexp.Regexp

// compiled returns the expression anchored to match the whole value.
func compiled(expr string) (*regexp.Regexp, error) {
	if re, ok := regexps.Load(expr); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, err
	}
	regexps.Store(expr, re)
	return re, nil
}
