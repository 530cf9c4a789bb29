package clients

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzEdit checks the properties every edit path must keep on any input
// the format's parser accepts: wrap either fails cleanly or returns a file
// that parses, keeps every other entry (validate runs inside Wrap), and
// unwraps back to the exact input bytes with its records.
func fuzzEdit(t *testing.T, src []byte, a Adapter, client string) {
	if len(src) > 1<<16 {
		return
	}
	orig := bytes.Clone(src)
	out, changes, err := Wrap(src, a, nil, WrapOptions{ShimPath: testShim, ClientID: client})
	if !bytes.Equal(src, orig) {
		t.Fatal("wrap modified its input")
	}
	if err != nil {
		return // unparseable or refused input: nothing returned, nothing to check
	}
	var recs []Record
	var locs []string
	for _, c := range changes {
		if c.Action == ActionWrapped {
			recs = append(recs, *c.Record)
			locs = append(locs, c.Locator)
		}
	}
	if len(recs) == 0 {
		if !bytes.Equal(out, src) {
			t.Fatal("no entry wrapped but bytes changed")
		}
		return
	}
	if _, err := decodeAny(a.Format, out); err != nil {
		t.Fatalf("wrapped output does not parse: %v\n%s", err, out)
	}
	back, _, err := Unwrap(out, a, locs, UnwrapOptions{Records: recs})
	if err != nil {
		t.Fatalf("unwrap: %v\ninput:\n%q\nwrapped:\n%q", err, src, out)
	}
	if !bytes.Equal(back, src) {
		t.Fatalf("unwrap(wrap(x)) != x\ninput:\n%q\nwrapped:\n%q\nback:\n%q", src, out, back)
	}
}

func addSeeds(f *testing.F, glob string) {
	ms, _ := filepath.Glob(glob)
	for _, m := range ms {
		b, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzJSONCEdit(f *testing.F) {
	addSeeds(f, "testdata/fixtures/*/*.json")
	addSeeds(f, "testdata/fixtures/*/.*.json")
	addSeeds(f, "testdata/fixtures/*/*.jsonc")
	addSeeds(f, "testdata/golden/c[lu]*.in")
	f.Add([]byte(`{"mcpServers":{"a":{"command":"x","args":[/*c*/"y",]}}}`))
	f.Add([]byte("{\"mcpServers\":{\"a\":{\"command\":\"x\"\r\n}}}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fuzzEdit(t, src, AdapterMCPServers, "cursor")
		fuzzEdit(t, src, AdapterOpencode, "opencode")
		fuzzEdit(t, src, AdapterZed, "zed")
	})
}

func FuzzTOMLEdit(f *testing.F) {
	addSeeds(f, "testdata/fixtures/codex/*.toml")
	addSeeds(f, "testdata/golden/codex-*.in")
	f.Add([]byte("[mcp_servers.a]\ncommand = \"x\" # c\nargs = [\"y\", # c\n]\n"))
	f.Add([]byte("[mcp_servers]\na = { command = 'x' }\nb.command = \"y\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		fuzzEdit(t, src, AdapterCodex, "codex")
	})
}

func FuzzYAMLEdit(f *testing.F) {
	addSeeds(f, "testdata/fixtures/*/*.yaml")
	addSeeds(f, "testdata/golden/goose-*.in")
	addSeeds(f, "testdata/golden/continue-*.in")
	f.Fuzz(func(t *testing.T, src []byte) {
		fuzzEdit(t, src, AdapterGoose, "goose")
		fuzzEdit(t, src, AdapterContinue, "continue")
	})
}
