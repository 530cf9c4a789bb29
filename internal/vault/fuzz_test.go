package vault

import (
	"encoding/json"
	"strings"
	"testing"
)

func FuzzParseEnvSpec(f *testing.F) {
	for _, s := range []string{"GITHUB_TOKEN=secret:github", "K=secret:", "=secret:x", "K=v", "K=secret:a/b", "K=secret:é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := ParseEnvSpec(spec)
		if err != nil {
			return
		}
		if r.Key+"="+RefPrefix+r.Secret != spec {
			t.Fatalf("parsed %q as %+v, which does not print back", spec, r)
		}
		if ValidateName(r.Secret) != nil || !validEnvKey(r.Key) {
			t.Fatalf("accepted invalid parts %+v", r)
		}
	})
}

func FuzzParseHeaderSpec(f *testing.F) {
	for _, s := range []string{"Authorization: Bearer secret:linear", "X: secret:a,secret:b", "X: mysecret:x", "X: secret:", "X:\r\nY: z", ": v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		h, err := ParseHeaderSpec(spec)
		if err != nil {
			return
		}
		if strings.ContainsAny(h.Value, "\r\n\x00") || !validHeaderName(h.Name) {
			t.Fatalf("accepted an unsafe header %+v", h)
		}
		for _, n := range h.Secrets {
			if ValidateName(n) != nil || !strings.Contains(h.Value, RefPrefix+n) {
				t.Fatalf("bad reference %q in %+v", n, h)
			}
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	m, _, _ := newManifest(strings.Repeat("x", 3*itemLimit))
	f.Add(m.String())
	f.Add(manifestPrefix + "gen=0123456789abcdef n=1 len=1 sha256=" + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseManifest(s)
		if err != nil {
			return
		}
		if m.String() != s {
			t.Fatalf("accepted %q, which prints as %q", s, m.String())
		}
	})
}

// FuzzRedact: redacting valid JSON gives valid JSON when the stored value
// can only occur inside JSON strings (a value such as "0" or "true" also
// matches JSON syntax and is masked there too, a documented limit), and
// the value does not survive outside the markers.
func FuzzRedact(f *testing.F) {
	f.Add(`{"a":"ghp_`+body(36)+`"}`, "value-123")
	f.Add(`["x\"y", "tail\\"]`, `x"y`)
	f.Add(`{"k":"-----BEGIN `+`PRIVATE KEY-----\nabc\\"}`, `tail\`)
	f.Add(`"\u00e9\u003c"`, "é<")
	f.Fuzz(func(t *testing.T, doc, value string) {
		if value == "" {
			return
		}
		r, err := NewRedactor(map[string]string{"k": value})
		if err != nil {
			t.Fatal(err)
		}
		out := r.Redact([]byte(doc))
		if json.Valid([]byte(doc)) && onlyInStrings(value) && !json.Valid(out) {
			t.Fatalf("valid JSON %q redacted to invalid %q", doc, out)
		}
		rest := strings.NewReplacer(Marker("k"), "", RedactedMarker, "").Replace(string(out))
		if strings.Contains(rest, value) && !strings.Contains(Marker("k")+RedactedMarker, value) {
			// The value may straddle a marker boundary, e.g. value "»x".
			if !strings.ContainsAny(value, "«»") {
				t.Fatalf("value %q survives in %q", value, out)
			}
		}
	})
}

// onlyInStrings reports whether value can occur in valid JSON only inside
// a string literal: it has a byte that JSON syntax outside strings never
// uses, and no quote that could end a string.
func onlyInStrings(value string) bool {
	const syntax = "0123456789+-.eE{}[],: \t\r\ntruefalsn"
	if strings.ContainsRune(value, '"') {
		return false
	}
	for i := 0; i < len(value); i++ {
		if strings.IndexByte(syntax, value[i]) < 0 {
			return true
		}
	}
	return false
}
