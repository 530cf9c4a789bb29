package clients

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden .want files")

// goldenCases are hand-written inputs for the layouts the shared fixtures
// do not cover. Each <name>.in is wrapped with every server selected and
// compared with <name>.want; the round-trip checker also runs over them.
var goldenCases = []struct {
	name, client string
	adapter      Adapter
	wrapped      int // entries Wrap must rewrite
}{
	{"vscode-crlf-comments", "vscode", AdapterVSCodeMCP, 3},
	{"claude-desktop-unicode-names", "claude-desktop", AdapterMCPServers, 3},
	{"claude-desktop-empty", "claude-desktop", AdapterMCPServers, 0},
	{"claude-desktop-whitespace", "claude-desktop", AdapterMCPServers, 0},
	{"claude-desktop-other-settings", "claude-desktop", AdapterMCPServers, 0},
	{"cursor-duplicate-keys", "cursor", AdapterMCPServers, 1},
	{"cursor-bom-no-final-newline", "cursor", AdapterMCPServers, 2},
	{"cursor-already-wrapped", "cursor", AdapterMCPServers, 1},
	{"codex-crlf-forms", "codex", AdapterCodex, 5},
	{"codex-empty", "codex", AdapterCodex, 0},
	{"codex-other-settings", "codex", AdapterCodex, 0},
	{"goose-crlf", "goose", AdapterGoose, 3},
	{"continue-unicode", "continue", AdapterContinue, 3},
	{"opencode-argv", "opencode", AdapterOpencode, 2},
	{"zed-legacy-noargs", "zed", AdapterZed, 1},
}

func TestGoldenWrap(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "golden", c.name+".in"))
			if err != nil {
				t.Fatal(err)
			}
			out, changes, err := Wrap(in, c.adapter, nil, WrapOptions{ShimPath: testShim, ClientID: c.client})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ch := range changes {
				if ch.Action == ActionWrapped {
					n++
				}
			}
			if n != c.wrapped {
				t.Errorf("wrapped %d entries, want %d: %+v", n, c.wrapped, changes)
			}
			wantPath := filepath.Join("testdata", "golden", c.name+".want")
			if *update {
				if err := os.WriteFile(wantPath, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("wrap output differs from %s\n--- got\n%s\n--- want\n%s", wantPath, out, want)
			}
		})
	}
}
