package toolguard

import (
	"slices"
	"strings"
	"testing"
)

func TestServerID(t *testing.T) {
	a := ServerID("fs", []string{"npx", "-y", "@modelcontextprotocol/server-filesystem", "/home"})
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"same", ServerID("fs", []string{"npx", "-y", "@modelcontextprotocol/server-filesystem", "/home"}), true},
		{"other arg", ServerID("fs", []string{"npx", "-y", "@modelcontextprotocol/server-filesystem", "/"}), false},
		{"other name", ServerID("fs2", []string{"npx", "-y", "@modelcontextprotocol/server-filesystem", "/home"}), false},
		{"args joined differently", ServerID("fs", []string{"npx -y", "@modelcontextprotocol/server-filesystem", "/home"}), false},
		{"url", RemoteServerID("fs", "npx"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.other == a) != tt.same {
				t.Errorf("%s vs %s: same=%v", a, tt.other, !tt.same)
			}
		})
	}
	if !strings.HasPrefix(a, "fs#") || len(a) != len("fs#")+32 {
		t.Errorf("format %q", a)
	}
	if ServerID("x", []string{"", ""}) == ServerID("x", []string{""}) {
		t.Error("empty arguments collapse")
	}
	if RemoteServerID("r", "https://a/mcp") == RemoteServerID("r", "https://a/mcp/") {
		t.Error("url not exact")
	}
	if got := ServerName(RemoteServerID("my#srv", "https://x")); got != "my#srv" {
		t.Errorf("ServerName = %q", got)
	}
}

func TestCollisions(t *testing.T) {
	got := Collisions(map[string][]string{
		"fs":     {"read_file", "write_file", "read_file"},
		"github": {"search", "create_issue"},
		"evil":   {"read_file", "search", "unique"},
		"empty":  nil,
	})
	want := []Collision{{Name: "read_file", Servers: []string{"evil", "fs"}}, {Name: "search", Servers: []string{"evil", "github"}}}
	if !slices.EqualFunc(got, want, func(a, b Collision) bool { return a.Name == b.Name && slices.Equal(a.Servers, b.Servers) }) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := Collisions(map[string][]string{"a": {"x"}, "b": {"y"}}); len(got) != 0 {
		t.Errorf("no collisions expected, got %+v", got)
	}
}

func TestDiff(t *testing.T) {
	oldDef := `{"name":"add","description":"Adds two numbers.","inputSchema":{"type":"object","properties":{"a":{"type":"number"}}}}`
	tests := []struct {
		name, newDef string
		want         []string // substrings of FormatDiff output
	}{
		{"word changed", strings.Replace(oldDef, "two", "three", 1), []string{"Adds [-two-]{+three+} numbers."}},
		{"hidden char shows", strings.Replace(oldDef, "numbers.", `numbers.\u200b\udb40\udc41`, 1), []string{"numbers.{+<U+200B>\\u{E0041}+}"}},
		{"schema change", strings.Replace(oldDef, `"number"`, `"string","description":"Sidenote"`, 1), []string{`type": "[-number-]{+string+}"`, `{+description": "Sidenote",`}},
		{"same", oldDef, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := Diff([]byte(oldDef), []byte(tt.newDef))
			if err != nil {
				t.Fatal(err)
			}
			out := FormatDiff(chunks)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("diff lacks %q:\n%s", w, out)
				}
			}
			if tt.want == nil && (len(chunks) != 1 || chunks[0].Op != DiffEqual) {
				t.Errorf("identical definitions diff as %+v", chunks)
			}
			// Reassembling the old side (equal+delete) and the new side
			// (equal+insert) gives back the two rendered definitions.
			var oldSide, newSide strings.Builder
			for _, c := range chunks {
				if c.Op != DiffInsert {
					oldSide.WriteString(c.Text)
				}
				if c.Op != DiffDelete {
					newSide.WriteString(c.Text)
				}
			}
			wantOld, _ := DefinitionText([]byte(oldDef))
			wantNew, _ := DefinitionText([]byte(tt.newDef))
			if oldSide.String() != wantOld || newSide.String() != wantNew {
				t.Errorf("chunks do not rebuild the sides:\n%q\n%q", oldSide.String(), newSide.String())
			}
		})
	}
	chunks, err := Diff(nil, []byte(oldDef))
	if err != nil || len(chunks) != 1 || chunks[0].Op != DiffInsert {
		t.Errorf("diff from nothing: %+v %v", chunks, err)
	}
	if _, err := Diff([]byte(oldDef), []byte(`{`)); err == nil {
		t.Error("invalid definition accepted")
	}
}

func TestDiffLargeFallsBack(t *testing.T) {
	var a, b strings.Builder
	for i := range 3000 {
		a.WriteString("w" + strings.Repeat("x", i%7) + " ")
		b.WriteString("v" + strings.Repeat("y", i%5) + " ")
	}
	chunks := diffWords(tokenize(a.String()), tokenize(b.String()))
	var oldSide, newSide strings.Builder
	for _, c := range chunks {
		if c.Op != DiffInsert {
			oldSide.WriteString(c.Text)
		}
		if c.Op != DiffDelete {
			newSide.WriteString(c.Text)
		}
	}
	if oldSide.String() != a.String() || newSide.String() != b.String() {
		t.Error("fallback diff does not rebuild both sides")
	}
}

func FuzzDiffWords(f *testing.F) {
	f.Add("the quick brown fox", "the slow brown dog")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		var oldSide, newSide strings.Builder
		for _, c := range diffWords(tokenize(a), tokenize(b)) {
			if c.Op != DiffInsert {
				oldSide.WriteString(c.Text)
			}
			if c.Op != DiffDelete {
				newSide.WriteString(c.Text)
			}
		}
		if oldSide.String() != a || newSide.String() != b {
			t.Fatalf("diff of %q and %q does not rebuild them", a, b)
		}
	})
}
