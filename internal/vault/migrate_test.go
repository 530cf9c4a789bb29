package vault

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSecretLooking(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"GITHUB_TOKEN", "abc123", true},
		{"OPENAI_API_KEY", "whatever", true},
		{"PGPASSWORD", "hunter2", true},
		{"CLIENT_SECRET", "x", true},
		{"GITLAB_PAT", "x", true},
		{"TOKEN", "x", true},
		{"DEBUG", "1", false},
		{"PATH", "/usr/bin", false},
		{"KEYBOARD", "us", false},
		{"ANY", "ghp_" + body(36), true}, // shape, whatever the name
		{"NOTE", "key is AKIAIOSFODNN7EXAMPLE here", true},
		{"GITHUB_TOKEN", "", false},
		{"GITHUB_TOKEN", "   ", false},
		{"GITHUB_TOKEN", "${env:GITHUB_TOKEN}", false},
		{"GITHUB_TOKEN", "${input:gh}", false},
		{"GITHUB_TOKEN", "$GITHUB_TOKEN", false},
		{"GITHUB_TOKEN", "%GITHUB_TOKEN%", false},
		{"GITHUB_TOKEN", "{env:GITHUB_TOKEN}", false},
		{"GITHUB_TOKEN", "<YOUR_TOKEN>", false},
	} {
		t.Run(tc.key+"/"+tc.value, func(t *testing.T) {
			if got := SecretLooking(tc.key, tc.value); got != tc.want {
				t.Errorf("SecretLooking(%q, %q) = %v, want %v", tc.key, tc.value, got, tc.want)
			}
		})
	}
}

func TestDerivedName(t *testing.T) {
	for _, tc := range []struct{ server, key, want string }{
		{"github", "GITHUB_TOKEN", "github-github_token"},
		{"My Server/1", "API_KEY", "my-server-1-api_key"},
		{"--evil", "K", "evil-k"},
		{"", "K", "k"},
		{"ünï", "K", "n-k"}, // non-ASCII bytes become '-', leading '-' dropped
		{strings.Repeat("s", 200), "K", strings.Repeat("s", MaxNameLen)},
	} {
		t.Run(tc.server, func(t *testing.T) {
			got := DerivedName(tc.server, tc.key)
			if got != tc.want {
				t.Errorf("DerivedName(%q, %q) = %q, want %q", tc.server, tc.key, got, tc.want)
			}
			if err := ValidateName(got); err != nil {
				t.Errorf("derived name is invalid: %v", err)
			}
		})
	}
}

func FuzzDerivedName(f *testing.F) {
	f.Add("github", "GITHUB_TOKEN")
	f.Add("a/b c", "x")
	f.Add("", "")
	f.Add("\x00\xff", "-")
	f.Fuzz(func(t *testing.T, server, key string) {
		if err := ValidateName(DerivedName(server, key)); err != nil {
			t.Fatalf("DerivedName(%q, %q): %v", server, key, err)
		}
	})
}

// TestMigrateEnvPlan checks the pure decisions (which keys, which names,
// reuse and suffixes) on the in-memory keychain; storage itself is checked
// against the real Secret Service in TestMigrateEnvKeychain.
func TestMigrateEnvPlan(t *testing.T) {
	ctx := context.Background()
	kc := newMemKeychain(map[string]string{
		"gh-github_token": "ghp_same_value",  // same value: reused
		"gh-api_key":      "a different one", // taken: -2
	})
	m, err := MigrateEnv(ctx, kc, "gh", map[string]string{
		"GITHUB_TOKEN": "ghp_same_value",
		"API_KEY":      "k-123",
		"DEBUG":        "1",
		"OTHER_TOKEN":  "${env:X}",
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSpecs := []string{"API_KEY=secret:gh-api_key-2", "GITHUB_TOKEN=secret:gh-github_token"}
	if !reflect.DeepEqual(m.Specs, wantSpecs) {
		t.Errorf("Specs = %q, want %q", m.Specs, wantSpecs)
	}
	if !reflect.DeepEqual(m.Created, []string{"gh-api_key-2"}) {
		t.Errorf("Created = %q, want only gh-api_key-2", m.Created)
	}
	if len(m.Moved) != 2 || m.Moved["API_KEY"] != "gh-api_key-2" {
		t.Errorf("Moved = %v", m.Moved)
	}
	for _, spec := range m.Specs {
		if _, err := ParseEnvSpec(spec); err != nil {
			t.Errorf("spec %q does not parse: %v", spec, err)
		}
	}
	if v := kc.vals["gh-api_key"]; v != "a different one" {
		t.Error("an existing secret with another value was overwritten")
	}
	if err := m.Rollback(ctx, kc); err != nil {
		t.Fatal(err)
	}
	if _, ok := kc.vals["gh-api_key-2"]; ok {
		t.Error("Rollback left the created item")
	}
	if _, ok := kc.vals["gh-github_token"]; !ok {
		t.Error("Rollback deleted a reused item")
	}
}

func TestMigrateEnvKeychain(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	server := "cstest-" + randHex(t)
	t.Cleanup(func() {
		for _, a := range accounts(t, server) {
			_ = k.Delete(ctx, a)
		}
	})
	token := "ghp_" + body(36)
	env := map[string]string{"GITHUB_TOKEN": token, "PGPASSWORD": "hunter2 with spaces", "LOG_LEVEL": "debug"}
	m, err := MigrateEnv(ctx, k, server, env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GITHUB_TOKEN=secret:" + server + "-github_token", "PGPASSWORD=secret:" + server + "-pgpassword"}
	if !reflect.DeepEqual(m.Specs, want) {
		t.Fatalf("Specs = %q, want %q", m.Specs, want)
	}
	// Outside Countersign, the values are in the keychain.
	if v, ok := toolLookup(t, server+"-github_token"); !ok || v != token {
		t.Errorf("secret-tool lookup of the token: found=%v, value matches=%v", ok, v == token)
	}
	// What the shim will do with the specs gives the server the same env.
	resolved, err := ResolveEnv(ctx, k, m.Specs)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resolved, []string{"GITHUB_TOKEN=" + token, "PGPASSWORD=hunter2 with spaces"}) {
		t.Error("resolved environment differs from the plaintext one")
	}
	// Running it again (a second client with the same server) reuses.
	again, err := MigrateEnv(ctx, k, server, env)
	if err != nil || len(again.Created) != 0 || !reflect.DeepEqual(again.Specs, m.Specs) {
		t.Fatalf("second migration = %+v, %v; want the same specs, nothing created", again, err)
	}
}

func TestMigrateEnvAllOrNothing(t *testing.T) {
	k := requireKeyring(t)
	ctx := context.Background()
	server := "cstest-" + randHex(t)
	t.Cleanup(func() {
		for _, a := range accounts(t, server) {
			_ = k.Delete(ctx, a)
		}
	})
	for _, tc := range []struct {
		name string
		env  map[string]string
		is   error
	}{
		// A_TOKEN sorts first and is stored, then B_TOKEN fails: A must go.
		{"value with NUL", map[string]string{"A_TOKEN": "good-value", "B_TOKEN": "bad\x00value"}, ErrInvalidValue},
		{"too large", map[string]string{"A_TOKEN": "good-value", "B_TOKEN": strings.Repeat("x", MaxValueLen+1)}, ErrInvalidValue},
		{"bad key", map[string]string{"A_TOKEN": "good-value", "B.SECRET": "v"}, ErrInvalidReference},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := MigrateEnv(ctx, k, server, tc.env)
			if !errors.Is(err, tc.is) || m != nil {
				t.Fatalf("MigrateEnv = %v, %v; want nil and %v", m, err, tc.is)
			}
			if strings.Contains(err.Error(), "good-value") || strings.Contains(err.Error(), "bad") && strings.Contains(err.Error(), "value\x00") {
				t.Errorf("error carries a value: %v", err)
			}
			if left := accounts(t, server); len(left) != 0 {
				t.Errorf("items left after a failed migration: %v", left)
			}
		})
	}
}
