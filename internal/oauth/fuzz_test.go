package oauth

import (
	"reflect"
	"testing"
)

// FuzzParseChallenges: the WWW-Authenticate parser never panics, and what
// it accepts survives being written back and parsed again unchanged.
func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource", scope="a b"`,
		`Basic realm="a", Bearer error="invalid_token"`,
		`Negotiate abc==, Bearer`,
		`Bearer error_description="a \"b\" \\c"`,
		`Bearer scope="a,b", realm=x`,
		` , Bearer realm=x ,, `,
		`Bearer scope="a`,
		"Bearer scope=\"\x00\"",
		`Bearer a=b=c`,
		`Bearer ==`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cs, err := ParseChallenges(in)
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Scheme == "" || (c.Token68 != "" && c.Params != nil) {
				t.Fatalf("bad challenge %+v from %q", c, in)
			}
		}
		again, err := ParseChallenges(formatChallenges(cs))
		if err != nil {
			t.Fatalf("%q parsed to %+v, whose text %q does not parse: %v", in, cs, formatChallenges(cs), err)
		}
		if !reflect.DeepEqual(cs, again) && !(len(cs) == 0 && len(again) == 0) {
			t.Fatalf("round trip of %q: %+v != %+v", in, cs, again)
		}
	})
}
