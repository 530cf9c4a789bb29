package vault

import (
	"strings"
	"testing"
)

func TestManifestRoundTrip(t *testing.T) {
	for _, n := range []int{1, itemLimit, itemLimit + 1, 3*itemLimit - 1, MaxValueLen} {
		value := strings.Repeat("v", n)
		m, chunks, err := newManifest(value)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(chunks, "") != value {
			t.Fatalf("n=%d: chunks do not join to the value", n)
		}
		for i, c := range chunks {
			if len(c) > itemLimit || c == "" {
				t.Fatalf("n=%d: chunk %d has %d bytes", n, i, len(c))
			}
		}
		got, err := parseManifest(m.String())
		if err != nil {
			t.Fatalf("n=%d: parse %q: %v", n, m.String(), err)
		}
		if *got != *m {
			t.Fatalf("n=%d: round trip %+v != %+v", n, got, m)
		}
		if err := got.verify(value); err != nil {
			t.Fatal(err)
		}
		if got.verify(value[:n-1]+"w") == nil {
			t.Fatal("verify accepted a different value")
		}
		if strings.Contains(m.String(), value) && n > 8 {
			t.Fatal("the manifest holds the value")
		}
	}
}

func TestParseManifestRejects(t *testing.T) {
	good, _, _ := newManifest(strings.Repeat("x", itemLimit+5))
	sum := good.String()[strings.Index(good.String(), "sha256="):]
	tests := map[string]string{
		"no prefix":      "gen=0123456789abcdef n=2 len=2565 " + sum,
		"missing field":  manifestPrefix + "gen=0123456789abcdef n=2 " + sum,
		"extra field":    manifestPrefix + "gen=0123456789abcdef n=2 len=2565 " + sum + " x=1",
		"short gen":      manifestPrefix + "gen=0123 n=2 len=2565 " + sum,
		"upper gen":      manifestPrefix + "gen=0123456789ABCDEF n=2 len=2565 " + sum,
		"zero count":     manifestPrefix + "gen=0123456789abcdef n=0 len=2565 " + sum,
		"leading zero":   manifestPrefix + "gen=0123456789abcdef n=02 len=2565 " + sum,
		"count mismatch": manifestPrefix + "gen=0123456789abcdef n=3 len=2565 " + sum,
		"too long":       manifestPrefix + "gen=0123456789abcdef n=27 len=65537 " + sum,
		"bad sum":        manifestPrefix + "gen=0123456789abcdef n=2 len=2565 sha256=zz",
		"swapped":        manifestPrefix + "n=2 gen=0123456789abcdef len=2565 " + sum,
	}
	for desc, s := range tests {
		t.Run(desc, func(t *testing.T) {
			if m, err := parseManifest(s); err == nil {
				t.Fatalf("parseManifest(%q) = %+v, want error", s, m)
			}
		})
	}
}
