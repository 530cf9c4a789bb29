package oauth

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []Challenge
		err  string
	}{
		{"mcp bearer", `Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="files:read files:write"`,
			[]Challenge{{Scheme: "bearer", Params: map[string]string{"resource_metadata": "https://mcp.example.com/.well-known/oauth-protected-resource/mcp", "scope": "files:read files:write"}}}, ""},
		{"scheme only", "Bearer", []Challenge{{Scheme: "bearer"}}, ""},
		{"case and spaces", `BEARER  Realm = "x" ,  Error=invalid_token`, []Challenge{{Scheme: "bearer", Params: map[string]string{"realm": "x", "error": "invalid_token"}}}, ""},
		{"two challenges", `Basic realm="a", Bearer error="invalid_token", error_description="expired"`,
			[]Challenge{{Scheme: "basic", Params: map[string]string{"realm": "a"}}, {Scheme: "bearer", Params: map[string]string{"error": "invalid_token", "error_description": "expired"}}}, ""},
		{"token68", "Negotiate abc+/def==, Bearer", []Challenge{{Scheme: "negotiate", Token68: "abc+/def=="}, {Scheme: "bearer"}}, ""},
		{"escaped quote", `Bearer error_description="a \"b\" \\c"`, []Challenge{{Scheme: "bearer", Params: map[string]string{"error_description": `a "b" \c`}}}, ""},
		{"comma inside quotes", `Bearer scope="a,b", realm=x`, []Challenge{{Scheme: "bearer", Params: map[string]string{"scope": "a,b", "realm": "x"}}}, ""},
		{"empty list elements", ` , Bearer realm=x ,, `, []Challenge{{Scheme: "bearer", Params: map[string]string{"realm": "x"}}}, ""},
		{"duplicate parameter", `Bearer scope="a", scope="b"`, nil, "given twice"},
		{"unterminated", `Bearer scope="a`, nil, "unterminated"},
		{"control character", "Bearer scope=\"a\x01\"", nil, "control character"},
		{"missing value", `Bearer scope=, realm=x`, nil, "after the scheme"},
		{"missing value at the end", `Bearer realm=x, scope=`, nil, "has no value"},
		{"junk", `"Bearer"`, nil, "expected an auth scheme"},
		{"junk after param", `Bearer scope="a" "b"`, nil, "expected a comma"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseChallenges(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q (got %+v)", err, tc.err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestBearerParams(t *testing.T) {
	if p := BearerParams(`Basic realm="x", Bearer scope="a b"`); p["scope"] != "a b" {
		t.Errorf("params %v", p)
	}
	if p := BearerParams(`Basic realm="x"`); p != nil {
		t.Errorf("no bearer challenge gave %v", p)
	}
	if p := BearerParams(`Bearer scope="a`); p != nil {
		t.Errorf("a broken header gave %v", p)
	}
}

// formatChallenges writes challenges back as a header value.
func formatChallenges(cs []Challenge) string {
	var parts []string
	for _, c := range cs {
		s := c.Scheme
		if c.Token68 != "" {
			s += " " + c.Token68
		}
		var ps []string
		for k, v := range c.Params {
			ps = append(ps, k+`="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v)+`"`)
		}
		if len(ps) > 0 {
			s += " " + strings.Join(ps, ", ")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
