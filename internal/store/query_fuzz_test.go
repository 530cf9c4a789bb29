package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"unicode"
)

// FuzzSearch feeds arbitrary text to CallQuery.Search: it must never be an
// FTS5 syntax error, and a call whose note is that very text must be found
// whenever the text holds a searchable (letter or digit) character.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{
		"", "kangaroo", `"`, `""`, "a OR b", "NOT x", "x AND", "NEAR(a b)", "col:word", "^start",
		"pre*", "(", ")", "a - b", "'; DROP TABLE calls; --", "\x00", "zero\u200bwidth", "日本語 テキスト",
		"/etc/passwd", `{"path":"/tmp/x"}`, "\u00e9t\u00e9 ete",
	} {
		f.Add(seed)
	}
	s, _ := openTemp(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, q string) {
		sum := sha256.Sum256([]byte(q))
		id := hex.EncodeToString(sum[:8])
		if err := s.Record(ctx, Call{ID: id, Note: q}); err != nil {
			t.Fatalf("Record: %v", err)
		}
		got, err := s.Calls(ctx, CallQuery{Search: q, Limit: MaxLimit})
		if err != nil {
			t.Fatalf("Calls(Search %q): %v", q, err)
		}
		searchable := strings.IndexFunc(strings.ReplaceAll(q, "\x00", " "), func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r)
		}) >= 0
		if !searchable || strings.ContainsRune(q, 0) {
			return
		}
		for _, c := range got {
			if c.ID == id {
				return
			}
		}
		if len(got) < MaxLimit {
			t.Errorf("Search %q did not find the call whose note is that text", q)
		}
	})
}
