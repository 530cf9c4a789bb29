package toolguard

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"sorted keys", `{"b":1,"a":2}`, `{"a":2,"b":1}`},
		{"whitespace", " {\n\t\"a\" : [ 1 , 2 ] ,\r\n\"b\":{ } }\n", `{"a":[1,2],"b":{}}`},
		{"nested sort", `{"z":{"y":1,"x":[{"d":1,"c":2}]}}`, `{"z":{"x":[{"c":2,"d":1}],"y":1}}`},
		{"escapes resolved", `"\u0041\/\u00e9"`, `"A/é"`},
		{"controls escaped", `"a\u0001b\n\t\"\\"`, `"a\u0001b\n\t\"\\"`},
		{"surrogate pair", `"\ud83d\ude00"`, `"😀"`},
		{"invisible kept", `"a\u200bb"`, "\"a\u200bb\""},
		{"tag kept", `"x\udb40\udc41"`, "\"x\U000E0041\""},
		{"literals", `[true,false,null]`, `[true,false,null]`},
		{"int", `42`, `42`},
		{"negative zero", `-0`, `0`},
		{"zero forms", `[0.0,0e5,-0.000]`, `[0,0,0]`},
		{"trailing zeros", `1.500`, `1.5`},
		{"one forms", `[1,1.0,10e-1,1E0,0.1e1,100e-2]`, `[1,1,1,1,1,1]`},
		{"big int exact", `[9007199254740993,9007199254740992]`, `[9007199254740993,9007199254740992]`},
		{"large", `1e21`, `1e+21`},
		{"just under large", `123456789012345678901`, `123456789012345678901`},
		{"small", `0.000001`, `0.000001`},
		{"smaller", `0.0000001`, `1e-7`},
		{"sci mantissa", `-12.5e30`, `-1.25e+31`},
		{"fraction", `3.14159`, `3.14159`},
		{"exp plus", `5E+2`, `500`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tt.in))
			if err != nil {
				t.Fatalf("Canonicalize(%q): %v", tt.in, err)
			}
			if string(got) != tt.want {
				t.Errorf("Canonicalize(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalizeRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"duplicate key", `{"a":1,"a":2}`},
		{"duplicate key in big object", `{"a0":0,"a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"b0":0,"b1":1,"b2":2,"b3":3,"b4":4,"b5":5,"b6":6,"a3":3}`},
		{"lone high surrogate", `"\ud800"`},
		{"lone low surrogate", `"\udc00x"`},
		{"invalid utf-8", "\"\xff\""},
		{"raw control", "\"a\x01\""},
		{"leading zero", `01`},
		{"bare dot", `1.`},
		{"huge exponent", `1e9999999`},
		{"trailing", `{} x`},
		{"unterminated", `{"a":`},
		{"single quotes", `{'a':1}`},
		{"nan", `NaN`},
		{"empty", ``},
		{"deep", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tt.in))
			if err == nil {
				t.Fatalf("Canonicalize(%q) = %s, want error", tt.in, got)
			}
			if !errors.Is(err, errSyntax) && !strings.Contains(err.Error(), "exponent") {
				t.Errorf("error %v does not wrap errSyntax", err)
			}
		})
	}
}

const sampleTool = `{"name":"read_file","title":"Read file","description":"Read a file.","inputSchema":{"type":"object","properties":{"path":{"type":"string","description":"Path"}},"required":["path"]},"annotations":{"readOnlyHint":true}}`

func TestToolHashStable(t *testing.T) {
	base, err := ToolHash([]byte(sampleTool))
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != 64 {
		t.Fatalf("hash %q is not 64 hex digits", base)
	}
	same := map[string]string{
		"reordered and spaced": `{
		  "annotations": { "readOnlyHint": true },
		  "inputSchema": { "required": ["path"], "properties": { "path": { "description": "Path", "type": "string" } }, "type": "object" },
		  "description": "Read a file.", "title": "Read file", "name": "read_file"
		}`,
		"escaped letters":          `{"name":"read_\u0066ile","title":"Read file","description":"Read a file.","inputSchema":{"type":"object","properties":{"path":{"type":"string","description":"Path"}},"required":["path"]},"annotations":{"readOnlyHint":true}}`,
		"unhashed members ignored": `{"_meta":{"x":1},"icons":[],"name":"read_file","title":"Read file","description":"Read a file.","inputSchema":{"type":"object","properties":{"path":{"type":"string","description":"Path"}},"required":["path"]},"annotations":{"readOnlyHint":true}}`,
	}
	for name, in := range same {
		t.Run(name, func(t *testing.T) {
			h, err := ToolHash([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if h != base {
				t.Errorf("hash changed: %s vs %s", h, base)
			}
		})
	}
	differ := map[string]string{
		"zero-width in description": strings.Replace(sampleTool, `Read a file.`, "Read a\u200b file.", 1),
		"tag char in description":   strings.Replace(sampleTool, `Read a file.`, `Read a file.\udb40\udc41`, 1),
		"bidi in property desc":     strings.Replace(sampleTool, `"Path"`, "\"Pa\u202eth\"", 1),
		"NFD instead of NFC":        strings.Replace(sampleTool, `Read a file.`, "Read a fil\u0065\u0301.", 1),
		"annotation flipped":        strings.Replace(sampleTool, `true`, `false`, 1),
		"title changed":             strings.Replace(sampleTool, `"Read file"`, `"Read  file"`, 1),
		"outputSchema added":        strings.Replace(sampleTool, `"annotations"`, `"outputSchema":{"type":"object"},"annotations"`, 1),
		"null title":                strings.Replace(sampleTool, `"Read file"`, `null`, 1),
	}
	for name, in := range differ {
		t.Run(name, func(t *testing.T) {
			h, err := ToolHash([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if h == base {
				t.Errorf("hash did not change for %s", in)
			}
		})
	}
}

func TestHashKinds(t *testing.T) {
	prompt := `{"name":"deploy","description":"Deploy","arguments":[{"name":"env","required":true}],"icons":[{"src":"x"}]}`
	h1, err := Hash(KindPrompt, []byte(prompt))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := Hash(KindPrompt, []byte(strings.Replace(prompt, `"required":true`, `"required":false`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Error("prompt argument change did not change the hash")
	}
	h3, err := Hash(KindPrompt, []byte(strings.Replace(prompt, `"src":"x"`, `"src":"y"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if h1 != h3 {
		t.Error("prompt icon (not hashed) changed the hash")
	}
	tmpl := `{"uriTemplate":"file:///{path}","name":"files","mimeType":"text/plain"}`
	t1, _ := Hash(KindResourceTemplate, []byte(tmpl))
	t2, err := Hash(KindResourceTemplate, []byte(strings.Replace(tmpl, "text/plain", "text/html", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if t1 == t2 {
		t.Error("resource template mimeType change did not change the hash")
	}
	if _, err := Hash("widget", []byte(`{}`)); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := ToolHash([]byte(`[1]`)); err == nil {
		t.Error("non-object tool accepted")
	}
}

// FuzzCanonicalize checks that canonical output is valid JSON, is a fixed
// point, and agrees with encoding/json about validity where both are
// strict.
func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{sampleTool, `{"a":[1,2.50,-0,1e400]}`, `"\ud83d\ude00\u200b"`, `[{"b":{"a":null}}]`, `1E-7`, `{"a":1,"a":2}`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Canonicalize(in)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("canonical output %q of %q is not valid JSON", out, in)
		}
		if !json.Valid(in) {
			t.Fatalf("accepted %q, which encoding/json rejects", in)
		}
		again, err := Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output %q rejected: %v", out, err)
		}
		if string(again) != string(out) {
			t.Fatalf("not a fixed point: %q -> %q -> %q", in, out, again)
		}
	})
}

// FuzzStringFlags checks the eight-bytes-at-a-time string fast path: a
// string reported printable must really be printable ASCII (else the
// scanner would skip it), and one reported unescaped must need no
// escaping.
func FuzzStringFlags(f *testing.F) {
	for _, s := range []string{"plain text here", "12345678\u200b", "abcdefg\x7f", "abcdefgh\"", `a\nb`, "\U000E0041abcdefghijk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := json.Marshal(s)
		if err != nil {
			return
		}
		for _, src := range [][]byte{enc, []byte(`"` + s + `"`)} {
			v, err := parseJSON(src)
			if err != nil {
				continue
			}
			printable := true
			for i := 0; i < len(v.str); i++ {
				if v.str[i] < 0x20 || v.str[i] >= 0x7f {
					printable = false
				}
			}
			if v.printable && !printable {
				t.Fatalf("%q reported printable", v.str)
			}
			if v.unescaped && strings.ContainsAny(v.str, "\"\\") {
				t.Fatalf("%q reported unescaped", v.str)
			}
			if v.unescaped && string(appendCanonicalString(nil, v.str)) != `"`+v.str+`"` {
				t.Fatalf("%q needs escaping", v.str)
			}
		}
	})
}
