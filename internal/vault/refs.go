package vault

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// RefPrefix starts a secret reference: "secret:NAME".
const RefPrefix = "secret:"

// EnvRef is a parsed "KEY=secret:NAME" spec (shim --env).
type EnvRef struct {
	Key    string // environment variable name
	Secret string // secret name
}

// HeaderRef is a parsed "Name: value" spec (shim --header) whose value may
// hold "secret:NAME" tokens anywhere, e.g. "Authorization: Bearer secret:linear".
type HeaderRef struct {
	Name    string   // header field name
	Value   string   // value with the tokens still in it
	Secrets []string // referenced names in order of appearance, without repeats
}

// ParseEnvSpec parses "KEY=secret:NAME". The whole value must be one
// reference: a literal value or text around the reference is refused, so
// a plaintext key never rides along in a shim argument. The error wraps
// ErrInvalidReference or ErrInvalidName.
func ParseEnvSpec(spec string) (EnvRef, error) {
	key, val, ok := strings.Cut(spec, "=")
	if !ok {
		return EnvRef{}, fmt.Errorf("%w: env spec %q has no '=': want KEY=secret:NAME", ErrInvalidReference, spec)
	}
	if !validEnvKey(key) {
		return EnvRef{}, fmt.Errorf("%w: env spec: %q is not a variable name (letters, digits and '_', not starting with a digit)", ErrInvalidReference, key)
	}
	name, ok := strings.CutPrefix(val, RefPrefix)
	if !ok {
		// The value is not echoed: it may be a plaintext key.
		return EnvRef{}, fmt.Errorf("%w: env spec for %s must be %s=secret:NAME; store the value with countersign secrets set NAME", ErrInvalidReference, key, key)
	}
	if err := ValidateName(name); err != nil {
		return EnvRef{}, fmt.Errorf("env spec for %s: %w", key, err)
	}
	return EnvRef{Key: key, Secret: name}, nil
}

// ParseHeaderSpec parses "Name: value". Each "secret:" that starts a word
// (at the start of the value or after a byte that cannot be in a name) is a
// reference to the name made of the name bytes that follow it. A header
// without references is a plain header and is accepted.
func ParseHeaderSpec(spec string) (HeaderRef, error) {
	name, val, ok := strings.Cut(spec, ":")
	if !ok {
		return HeaderRef{}, fmt.Errorf("%w: header spec has no ':': want 'Name: value'", ErrInvalidReference)
	}
	if !validHeaderName(name) {
		return HeaderRef{}, fmt.Errorf("%w: header spec: %q is not a header name", ErrInvalidReference, name)
	}
	val = strings.TrimSpace(val)
	if strings.ContainsAny(val, "\r\n\x00") {
		return HeaderRef{}, fmt.Errorf("%w: header %s: the value contains a line break or NUL", ErrInvalidReference, name)
	}
	var refs []string
	for _, t := range headerTokens(val) {
		if t.name == "" {
			return HeaderRef{}, fmt.Errorf("%w: header %s: %q is not followed by a secret name", ErrInvalidReference, name, RefPrefix)
		}
		if err := ValidateName(t.name); err != nil {
			return HeaderRef{}, fmt.Errorf("header %s: %w", name, err)
		}
		if !slices.Contains(refs, t.name) {
			refs = append(refs, t.name)
		}
	}
	return HeaderRef{Name: name, Value: val, Secrets: refs}, nil
}

// ReferencedNames returns the sorted, distinct secret names referenced by
// env specs and header specs, or the first parse error.
func ReferencedNames(envSpecs, headerSpecs []string) ([]string, error) {
	var names []string
	for _, s := range envSpecs {
		r, err := ParseEnvSpec(s)
		if err != nil {
			return nil, err
		}
		names = append(names, r.Secret)
	}
	for _, s := range headerSpecs {
		h, err := ParseHeaderSpec(s)
		if err != nil {
			return nil, err
		}
		names = append(names, h.Secrets...)
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// ResolveEnv reads every referenced secret from kc and returns "KEY=value"
// entries in spec order. It fails closed: a bad spec, a repeated KEY, a
// missing secret, an unavailable keychain, or an empty value makes it
// return nil and an error naming the secret; it never yields a partial or
// empty environment.
func ResolveEnv(ctx context.Context, kc Keychain, specs []string) ([]string, error) {
	refs := make([]EnvRef, 0, len(specs))
	seen := map[string]bool{}
	for _, s := range specs {
		r, err := ParseEnvSpec(s)
		if err != nil {
			return nil, err
		}
		if seen[r.Key] {
			return nil, fmt.Errorf("%w: %s is given twice", ErrInvalidReference, r.Key)
		}
		seen[r.Key] = true
		refs = append(refs, r)
	}
	vals := map[string]string{}
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		v, err := lookup(ctx, kc, vals, r.Secret)
		if err != nil {
			return nil, fmt.Errorf("vault: resolve %s: %w", r.Key, err)
		}
		out = append(out, r.Key+"="+v)
	}
	return out, nil
}

// ResolveHeaders resolves header specs into an http.Header, failing closed
// like ResolveEnv. A value that would put a line break or NUL into a
// header is refused (header injection).
func ResolveHeaders(ctx context.Context, kc Keychain, specs []string) (http.Header, error) {
	h := http.Header{}
	vals := map[string]string{}
	for _, s := range specs {
		ref, err := ParseHeaderSpec(s)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		last := 0
		for _, t := range headerTokens(ref.Value) {
			v, err := lookup(ctx, kc, vals, t.name)
			if err != nil {
				return nil, fmt.Errorf("vault: resolve header %s: %w", ref.Name, err)
			}
			if strings.ContainsAny(v, "\r\n") {
				return nil, fmt.Errorf("%w: secret %q contains a line break and cannot be used in header %s", ErrInvalidValue, t.name, ref.Name)
			}
			b.WriteString(ref.Value[last:t.start])
			b.WriteString(v)
			last = t.end
		}
		b.WriteString(ref.Value[last:])
		h.Add(ref.Name, b.String())
	}
	return h, nil
}

// lookup reads name once per resolution and refuses an empty value.
func lookup(ctx context.Context, kc Keychain, cache map[string]string, name string) (string, error) {
	if v, ok := cache[name]; ok {
		return v, nil
	}
	v, err := kc.Get(ctx, name)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fmt.Errorf("%w: secret %q is empty in the keychain; store it again", ErrInvalidValue, name)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return "", fmt.Errorf("%w: secret %q contains a NUL byte", ErrInvalidValue, name)
	}
	cache[name] = v
	return v, nil
}

type refToken struct {
	start, end int // byte range of "secret:NAME" in the value
	name       string
}

// headerTokens finds the "secret:NAME" tokens of a header value.
func headerTokens(val string) []refToken {
	var out []refToken
	for i := 0; ; {
		j := strings.Index(val[i:], RefPrefix)
		if j < 0 {
			return out
		}
		start := i + j
		end := start + len(RefPrefix)
		if start > 0 && isNameByte(val[start-1]) {
			i = end // "mysecret:x" is literal text, not a reference
			continue
		}
		for end < len(val) && isNameByte(val[end]) {
			end++
		}
		out = append(out, refToken{start: start, end: end, name: val[start+len(RefPrefix) : end]})
		i = end
	}
}

func validEnvKey(k string) bool {
	if k == "" || isDigit(k[0]) {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// validHeaderName accepts an RFC 9110 token.
func validHeaderName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !isAlnum(c) && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// IsReference reports whether v is exactly one secret reference
// ("secret:NAME" with a valid NAME): text that names a keychain item and
// holds no secret itself.
func IsReference(v string) bool {
	name, ok := strings.CutPrefix(v, RefPrefix)
	return ok && ValidateName(name) == nil
}
