package toolguard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The hashes below were produced by the code before the speed work on
// canonical hashing and scanning (commit 2189b25). Pins already stored in
// users' databases carry these values: if one changes, every pinned tool
// would turn "changed" and be quarantined on the next listing. Never update
// them to make a test pass.
const (
	goldenSampleToolHash = "e5e648445170051074e6622878f418a7a623026905b0051929ac253fb943a302"
	// goldenBigListDigest is the sha256 over "name hash\n" of every pin of
	// bigList(200), in pin order.
	goldenBigListDigest = "f29c45cc73149231b1758d4c67f8faf0b690872e366b3aca1a80086d1f15f427"
	// goldenCorpusDigest is the same over every tool of the npm reference
	// corpus in testdata.
	goldenCorpusDigest = "4d0adc6ae468dac40132440d38bf585801f30a324438d61a39c5699ba9727592"
)

func TestGoldenHashes(t *testing.T) {
	t.Run("sample tool", func(t *testing.T) {
		h, err := ToolHash([]byte(sampleTool))
		if err != nil {
			t.Fatal(err)
		}
		if h != goldenSampleToolHash {
			t.Errorf("ToolHash(sampleTool) = %s, want %s", h, goldenSampleToolHash)
		}
	})
	t.Run("200-tool listing", func(t *testing.T) {
		ev, err := Evaluate(server, KindTool, nil, bigList(t, 200), Options{}, fixedNow)
		if err != nil {
			t.Fatal(err)
		}
		if got := pinsDigest(ev.Pins); got != goldenBigListDigest {
			t.Errorf("digest of the 200 pins = %s, want %s", got, goldenBigListDigest)
		}
	})
	t.Run("reference corpus", func(t *testing.T) {
		got := corpusDigest(t)
		if got != goldenCorpusDigest {
			t.Errorf("digest of the corpus hashes = %s, want %s", got, goldenCorpusDigest)
		}
	})
}

func pinsDigest(pins []Pin) string {
	h := sha256.New()
	for _, p := range pins {
		h.Write([]byte(p.Name + " " + p.Hash + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// corpusDigest hashes every tool of every listing in testdata/corpus.
func corpusDigest(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.tools.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	h := sha256.New()
	n := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Tools []json.RawMessage `json:"tools"`
		}
		if err := json.Unmarshal(raw, &list); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, tool := range list.Tools {
			th, err := ToolHash(tool)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			h.Write([]byte(filepath.Base(f) + " " + th + "\n"))
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d corpus tools", n)
	}
	return hex.EncodeToString(h.Sum(nil))
}
