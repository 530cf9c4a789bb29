package store

import (
	"context"
	"strings"
	"testing"
)

func TestSettings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, ok, err := s.Setting(ctx, "retention"); err != nil || ok {
		t.Fatalf("missing setting = %v, %v; want false, nil", ok, err)
	}
	steps := []struct{ key, value string }{
		{"retention", "90d"},
		{"timeout.fs", "30s"},
		{"retention", "30d"}, // replace
		{"empty", ""},        // an empty value is a value
	}
	for _, st := range steps {
		if err := s.SetSetting(ctx, st.key, st.value); err != nil {
			t.Fatalf("SetSetting(%q): %v", st.key, err)
		}
	}
	s = reopen(t, s)
	for _, tc := range []struct{ key, want string }{{"retention", "30d"}, {"timeout.fs", "30s"}, {"empty", ""}} {
		t.Run(tc.key, func(t *testing.T) {
			v, ok, err := s.Setting(ctx, tc.key)
			if err != nil || !ok || v != tc.want {
				t.Errorf("Setting(%q) = %q, %v, %v; want %q, true, nil", tc.key, v, ok, err, tc.want)
			}
		})
	}
	for _, bad := range []struct{ key, value string }{{"", "v"}, {strings.Repeat("k", maxSettingKey+1), "v"}, {"k", strings.Repeat("v", maxSettingValue+1)}} {
		if err := s.SetSetting(ctx, bad.key, bad.value); err == nil {
			t.Errorf("SetSetting(len %d, len %d) succeeded, want error", len(bad.key), len(bad.value))
		}
	}
}
