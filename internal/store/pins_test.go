package store

import (
	"context"
	"testing"
)

func TestPins(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if got, err := s.Pins(ctx, "fs#1", "tool"); err != nil || len(got) != 0 {
		t.Fatalf("Pins on an empty store = %v, %v; want none", got, err)
	}
	if err := s.ReplacePins(ctx, "fs#1", "tool", map[string][]byte{"read": []byte(`{"n":1}`), "write": []byte(`{"n":2}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplacePins(ctx, "fs#1", "prompt", map[string][]byte{"deploy": []byte(`{"p":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplacePins(ctx, "gh#2", "tool", map[string][]byte{"read": []byte(`{"g":1}`)}); err != nil {
		t.Fatal(err)
	}
	// Replacing drops names that are gone and keeps other servers and kinds.
	if err := s.ReplacePins(ctx, "fs#1", "tool", map[string][]byte{"read": []byte(`{"n":3}`)}); err != nil {
		t.Fatal(err)
	}
	// A bad document leaves everything as it was.
	if err := s.ReplacePins(ctx, "fs#1", "tool", map[string][]byte{"read": []byte(`{`)}); err == nil {
		t.Fatal("ReplacePins with invalid JSON succeeded")
	}
	if err := s.ReplacePins(ctx, "", "tool", nil); err == nil {
		t.Fatal("ReplacePins without a server succeeded")
	}
	s = reopen(t, s)
	tests := []struct {
		name         string
		server, kind string
		want         []string // name=doc
	}{
		{"replaced", "fs#1", "tool", []string{`read={"n":3}`}},
		{"other kind kept", "fs#1", "prompt", []string{`deploy={"p":1}`}},
		{"other server kept", "gh#2", "tool", []string{`read={"g":1}`}},
		{"unknown", "nope#3", "tool", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Pins(ctx, tc.server, tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range got {
				if p.Server != tc.server || p.Kind != tc.kind || p.UpdatedAt.IsZero() {
					t.Errorf("pin %+v: wrong key or no time", p)
				}
				names = append(names, p.Name+"="+string(p.Doc))
			}
			if len(names) != len(tc.want) || (len(names) > 0 && names[0] != tc.want[0]) {
				t.Errorf("Pins = %q, want %q", names, tc.want)
			}
		})
	}
	all, err := s.AllPins(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range all {
		keys = append(keys, p.Server+"/"+p.Kind+"/"+p.Name)
	}
	want := []string{"fs#1/prompt/deploy", "fs#1/tool/read", "gh#2/tool/read"}
	if len(keys) != len(want) {
		t.Fatalf("AllPins = %q, want %q", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Errorf("AllPins[%d] = %q, want %q", i, keys[i], want[i])
		}
	}
}
