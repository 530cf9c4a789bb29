package vault

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestRedactStoredSecrets(t *testing.T) {
	r := mustRedactor(t, map[string]string{
		"openai":  "oa-" + body(30),
		"pw":      `p"a\ss/wörd<1>`,
		"emoji":   "key😀tail",
		"short":   "abc",
		"long":    "abcdef-long-value",
		"empty":   "",
		"newline": "line1\nline2",
	})
	tests := []struct {
		desc, in, want string
		names          []string
	}{
		{"raw in text", "key is oa-" + body(30) + ".", "key is «secret:openai».", []string{"openai"}},
		{"twice", "oa-" + body(30) + " oa-" + body(30), "«secret:openai» «secret:openai»", []string{"openai"}},
		{"raw with quotes", `p"a\ss/wörd<1>`, "«secret:pw»", []string{"pw"}},
		{"json.stringify form", `{"a":"p\"a\\ss/wörd<1>"}`, `{"a":"«secret:pw»"}`, []string{"pw"}},
		{"go json form", `{"a":"p\"a\\ss/wörd\u003c1\u003e"}`, `{"a":"«secret:pw»"}`, []string{"pw"}},
		{"ascii-only form", `{"a":"p\"a\\ss/w\u00f6rd<1>"}`, `{"a":"«secret:pw»"}`, []string{"pw"}},
		{"upper-hex form", `{"a":"p\"a\\ss/w\u00F6rd<1>"}`, `{"a":"«secret:pw»"}`, []string{"pw"}},
		{"escaped slash form", `{"a":"p\"a\\ss\/wörd<1>"}`, `{"a":"«secret:pw»"}`, []string{"pw"}},
		{"surrogate pair form", `"key\ud83d\ude00tail"`, `"«secret:emoji»"`, []string{"emoji"}},
		{"newline escaped", `"line1\nline2"`, `"«secret:newline»"`, []string{"newline"}},
		{"overlap picks the longer secret", "xx abcdef-long-value yy", "xx «secret:long» yy", []string{"long", "short"}},
		{"short value too", "abc", "«secret:short»", []string{"short"}},
		{"secret and shape", "oa-" + body(30) + " ghp_" + body(36), "«secret:openai» «redacted»", []string{"openai"}},
		{"clean", "nothing to see", "nothing to see", nil},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			if got := string(r.Redact([]byte(tt.in))); got != tt.want {
				t.Errorf("Redact:\n got %q\nwant %q", got, tt.want)
			}
			if got := r.RedactString(tt.in); got != tt.want {
				t.Errorf("RedactString = %q", got)
			}
			if got := r.Contains([]byte(tt.in)); !slices.Equal(got, tt.names) {
				t.Errorf("Contains = %v, want %v", got, tt.names)
			}
		})
	}
}

func TestRedactSecretInsideJSONStaysValid(t *testing.T) {
	secrets := map[string]string{
		"a": `x"y`,   // only ever appears escaped in JSON
		"b": `tail\`, // raw match would end on a backslash
		"c": "\\u00", // raw match looks like half an escape
		"d": "né",
	}
	r := mustRedactor(t, secrets)
	for name, v := range secrets {
		for _, doc := range []any{
			map[string]any{"arg": v},
			map[string]any{"arg": "pre " + v + " post"},
			[]any{v + v, 1, true},
			map[string]any{"arg": `\` + v + `"`},
		} {
			b, _ := json.Marshal(doc)
			out := r.Redact(b)
			if !json.Valid(out) {
				t.Fatalf("secret %s: redacting %s gave invalid JSON %s", name, b, out)
			}
			if !slices.Contains(r.Contains(b), name) {
				t.Errorf("secret %s: Contains(%s) = %v", name, b, r.Contains(b))
			}
			var back any
			_ = json.Unmarshal(out, &back)
			s, _ := json.Marshal(back)
			if strings.Contains(string(s), v) && name != "c" {
				t.Errorf("secret %s still in %s", name, out)
			}
		}
	}
}

func TestRedactReturnsInputWhenClean(t *testing.T) {
	r := mustRedactor(t, map[string]string{"k": "value-1234"})
	in := []byte("clean text")
	out := r.Redact(in)
	if &out[0] != &in[0] {
		t.Error("Redact copied an input without matches")
	}
	var nilR *Redactor
	if got := nilR.Redact([]byte("ghp_" + body(36))); string(got) != RedactedMarker {
		t.Errorf("nil Redactor does not mask shapes: %q", got)
	}
	if nilR.Contains([]byte("value-1234")) != nil {
		t.Error("nil Redactor reports secrets")
	}
	if mustRedactor(t, nil).RedactString("") != "" {
		t.Error("empty string")
	}
}

func TestNewRedactorRejectsBadName(t *testing.T) {
	if _, err := NewRedactor(map[string]string{`a"b`: "v"}); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("NewRedactor with a bad name: %v", err)
	}
}

func TestMarker(t *testing.T) {
	if got := Marker("github"); got != "«secret:github»" {
		t.Fatalf("Marker = %q", got)
	}
}
