package clients

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const testShim = "/opt/countersign/bin/countersign"

// fixtureFile is one config file whose client is named by its parent dir.
type fixtureFile struct {
	path, client string
	adapter      Adapter
}

// fixtureFiles lists every fixture copied from shared/fixtures/clients plus
// the golden inputs, with the adapter their client uses for that file.
func fixtureFiles(t testing.TB) []fixtureFile {
	t.Helper()
	var out []fixtureFile
	err := filepath.WalkDir("testdata/fixtures", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		client := filepath.Base(filepath.Dir(p))
		a, err := AdapterFor(client, p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, fixtureFile{p, client, a})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenCases {
		out = append(out, fixtureFile{filepath.Join("testdata", "golden", c.name+".in"), c.client, c.adapter})
	}
	if len(out) < 20 {
		t.Fatalf("only %d fixtures found", len(out))
	}
	return out
}

// checkRoundTrip is the one checker every client format must pass.
func checkRoundTrip(t *testing.T, src []byte, a Adapter, client string) {
	t.Helper()
	opts := WrapOptions{ShimPath: testShim, ClientID: client}
	pristine := bytes.Clone(src)
	defer func() {
		if !bytes.Equal(src, pristine) {
			t.Errorf("the input buffer was modified")
		}
	}()
	servers, err := Parse(src, a)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	wrapped, changes, err := Wrap(src, a, nil, opts)
	if err != nil {
		t.Fatalf("wrap: %v", err)
	}
	var recs []Record
	var locs []string
	nWrapped := 0
	for _, c := range changes {
		if c.Action == ActionWrapped {
			recs = append(recs, *c.Record)
			locs = append(locs, c.Locator)
			nWrapped++
		}
	}
	wantWrapped := 0
	for _, s := range servers {
		if s.Wrappable {
			wantWrapped++
		}
	}
	if nWrapped != wantWrapped {
		t.Fatalf("wrapped %d entries, %d were wrappable: %+v", nWrapped, wantWrapped, changes)
	}
	if nWrapped == 0 && !bytes.Equal(wrapped, src) {
		t.Fatalf("nothing wrapped but bytes changed")
	}
	// Every server reads back: wrappable ones now wrapped around the same
	// argv, every other one unchanged.
	after, err := Parse(wrapped, a)
	if err != nil {
		t.Fatalf("parse wrapped: %v", err)
	}
	if len(after) != len(servers) {
		t.Fatalf("server count %d -> %d", len(servers), len(after))
	}
	remote := false // a remote wrap can only be undone from its record
	for i, s := range servers {
		got := after[i]
		if !s.Wrappable {
			if !reflect.DeepEqual(s, got) {
				t.Errorf("untouched server %q changed:\n got %+v\nwant %+v", s.Name, got, s)
			}
			continue
		}
		if s.Transport == TransportRemote {
			if !got.Wrapped || got.Transport != TransportRemote || got.URL != s.URL || got.Command != testShim || !slices.Contains(got.Args, "--url") {
				t.Errorf("remote server %q after wrap: %+v, want a shim --url %s", s.Name, got, s.URL)
			}
			remote = true
			continue
		}
		want := append([]string{s.Command}, s.Args...)
		if !got.Wrapped || !reflect.DeepEqual(got.Inner, want) || got.Command != testShim {
			t.Errorf("server %q after wrap: %+v, want inner %q", s.Name, got, want)
		}
	}
	// Wrapping twice is a no-op.
	again, _, err := Wrap(wrapped, a, nil, opts)
	if err != nil || !bytes.Equal(again, wrapped) {
		t.Fatalf("second wrap changed bytes (err %v)", err)
	}
	if nWrapped == 0 {
		return
	}
	// Unwrap (of the entries wrapped here) with the journal records
	// restores every byte.
	back, uchanges, err := Unwrap(wrapped, a, locs, UnwrapOptions{Records: recs})
	if err != nil {
		t.Fatalf("unwrap: %v", err)
	}
	if !bytes.Equal(back, src) {
		t.Fatalf("unwrap(wrap(x)) != x\n--- got\n%s\n--- want\n%s", back, src)
	}
	for _, c := range uchanges {
		if c.Action == ActionUnwrapped && !c.FromRecord {
			t.Errorf("%s: record not used", c.Server)
		}
	}
	// Without records, every entry whose args existed is still exact.
	bare, _, err := Unwrap(wrapped, a, locs, UnwrapOptions{})
	if err != nil {
		t.Fatalf("unwrap without records: %v", err)
	}
	if !remote && !needsRecord(recs) && !bytes.Equal(bare, src) {
		t.Fatalf("record-free unwrap not exact\n--- got\n%s\n--- want\n%s", bare, src)
	}
	// Unwrapping an unwrapped file changes nothing.
	same, _, err := Unwrap(src, a, locs, UnwrapOptions{})
	if err != nil || !bytes.Equal(same, src) {
		t.Fatalf("unwrap of original changed bytes (err %v)", err)
	}
}

// needsRecord reports whether some wrap can only be undone exactly with its
// record: an added args key or a re-quoted YAML command.
func needsRecord(recs []Record) bool {
	for _, r := range recs {
		if r.ArgsAdded {
			return true
		}
		for _, e := range r.Edits {
			if strings.Contains(e.Wrapped, e.Original) {
				continue
			}
			// the command edit: its original text must appear verbatim in the args edit
			found := false
			for _, e2 := range r.Edits {
				if strings.Contains(e2.Wrapped, e.Original) {
					found = true
				}
			}
			if !found {
				return true
			}
		}
	}
	return false
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		t.Run(strings.TrimPrefix(f.path, "testdata/"), func(t *testing.T) {
			src, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, src, f.adapter, f.client)
		})
	}
}
