package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseEnvSpec(t *testing.T) {
	tests := []struct {
		spec    string
		want    EnvRef
		wantErr error
	}{
		{"GITHUB_TOKEN=secret:github", EnvRef{"GITHUB_TOKEN", "github"}, nil},
		{"_X=secret:a.b-c_d", EnvRef{"_X", "a.b-c_d"}, nil},
		{"GITHUB_TOKEN", EnvRef{}, ErrInvalidReference},
		{"=secret:github", EnvRef{}, ErrInvalidReference},
		{"1KEY=secret:github", EnvRef{}, ErrInvalidReference},
		{"MY-KEY=secret:github", EnvRef{}, ErrInvalidReference},
		{"KEY=ghp_plaintextvalue", EnvRef{}, ErrInvalidReference},
		{"KEY=prefix secret:github", EnvRef{}, ErrInvalidReference},
		{"KEY=secret:", EnvRef{}, ErrInvalidName},
		{"KEY=secret:my key", EnvRef{}, ErrInvalidName},
		{"KEY=secret:a/b", EnvRef{}, ErrInvalidName},
		{"KEY=SECRET:github", EnvRef{}, ErrInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseEnvSpec(tt.spec)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseEnvSpec(%q) error = %v, want %v", tt.spec, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("ParseEnvSpec(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
	// A plaintext value given by mistake is not echoed back.
	_, err := ParseEnvSpec("KEY=ghp_plaintextvalue")
	if strings.Contains(err.Error(), "plaintextvalue") {
		t.Errorf("error echoes the value: %v", err)
	}
}

func TestParseHeaderSpec(t *testing.T) {
	tests := []struct {
		spec    string
		want    HeaderRef
		wantErr error
	}{
		{"Authorization: Bearer secret:linear", HeaderRef{"Authorization", "Bearer secret:linear", []string{"linear"}}, nil},
		{"X-Keys: secret:a,secret:b;secret:a", HeaderRef{"X-Keys", "secret:a,secret:b;secret:a", []string{"a", "b"}}, nil},
		{"Cookie: s=secret:sess", HeaderRef{"Cookie", "s=secret:sess", []string{"sess"}}, nil},
		{"X-Org:acme", HeaderRef{"X-Org", "acme", nil}, nil},
		{"X-Note: mysecret:x is literal", HeaderRef{"X-Note", "mysecret:x is literal", nil}, nil},
		{"Authorization Bearer secret:x", HeaderRef{}, ErrInvalidReference},
		{"Bad Name: secret:x", HeaderRef{}, ErrInvalidReference},
		{": secret:x", HeaderRef{}, ErrInvalidReference},
		{"X: Bearer secret:", HeaderRef{}, ErrInvalidReference},
		{"X: Bearer secret:/etc", HeaderRef{}, ErrInvalidReference},
		{"X: Bearer secret:-x", HeaderRef{}, ErrInvalidName},
		{"X: a\r\nInjected: 1", HeaderRef{}, ErrInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := ParseHeaderSpec(tt.spec)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseHeaderSpec(%q) error = %v, want %v", tt.spec, err, tt.wantErr)
			}
			if got.Name != tt.want.Name || got.Value != tt.want.Value || !slices.Equal(got.Secrets, tt.want.Secrets) {
				t.Fatalf("ParseHeaderSpec(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestReferencedNames(t *testing.T) {
	got, err := ReferencedNames(
		[]string{"A=secret:zeta", "B=secret:alpha"},
		[]string{"Authorization: Bearer secret:alpha", "X-Other: secret:mid"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "mid", "zeta"}; !slices.Equal(got, want) {
		t.Fatalf("ReferencedNames = %v, want %v", got, want)
	}
	if _, err := ReferencedNames([]string{"A=plain"}, nil); !errors.Is(err, ErrInvalidReference) {
		t.Fatalf("bad env spec: %v", err)
	}
	if _, err := ReferencedNames(nil, []string{"nocolon"}); !errors.Is(err, ErrInvalidReference) {
		t.Fatalf("bad header spec: %v", err)
	}
}

func TestResolveEnv(t *testing.T) {
	ctx := context.Background()
	kc := newMemKeychain(map[string]string{"github": "gh-value-1", "openai": "oa value\nwith newline", "empty": ""})
	tests := []struct {
		desc    string
		specs   []string
		want    []string
		wantErr error
		errHas  string
	}{
		{"two", []string{"GITHUB_TOKEN=secret:github", "OPENAI_API_KEY=secret:openai"},
			[]string{"GITHUB_TOKEN=gh-value-1", "OPENAI_API_KEY=oa value\nwith newline"}, nil, ""},
		{"same secret twice", []string{"A=secret:github", "B=secret:github"}, []string{"A=gh-value-1", "B=gh-value-1"}, nil, ""},
		{"none", nil, []string{}, nil, ""},
		{"missing", []string{"GITHUB_TOKEN=secret:github", "X=secret:nope"}, nil, ErrNotFound,
			`resolve X: secret "nope" not found: store it with: printf %s "$VALUE" | countersign secrets set nope`},
		{"empty value", []string{"E=secret:empty"}, nil, ErrInvalidValue, `secret "empty" is empty`},
		{"repeated key", []string{"A=secret:github", "A=secret:openai"}, nil, ErrInvalidReference, "A is given twice"},
		{"bad spec", []string{"A=secret:github", "B=literal"}, nil, ErrInvalidReference, "B=secret:NAME"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := ResolveEnv(ctx, kc, tt.specs)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("ResolveEnv error = %v, want %v saying %q", err, tt.wantErr, tt.errHas)
				}
				if got != nil {
					t.Fatalf("ResolveEnv returned %d entries with an error; want none", len(got))
				}
				if strings.Contains(err.Error(), "gh-value-1") {
					t.Fatal("error holds a value")
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ResolveEnv = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestResolveEnvKeychainUnavailable(t *testing.T) {
	kc := newMemKeychain(nil)
	kc.fail = &unavailableError{name: "github", op: "read", cause: fmt.Errorf("no session bus")}
	got, err := ResolveEnv(context.Background(), kc, []string{"T=secret:github"})
	if !errors.Is(err, ErrUnavailable) || got != nil {
		t.Fatalf("ResolveEnv = %q, %v; want ErrUnavailable and nothing", got, err)
	}
}

func TestResolveEnvReadsEachSecretOnce(t *testing.T) {
	kc := newMemKeychain(map[string]string{"k": "v1234"})
	if _, err := ResolveEnv(context.Background(), kc, []string{"A=secret:k", "B=secret:k", "C=secret:k"}); err != nil {
		t.Fatal(err)
	}
	if kc.gets != 1 {
		t.Fatalf("keychain read %d times, want 1", kc.gets)
	}
}

func TestResolveHeaders(t *testing.T) {
	ctx := context.Background()
	kc := newMemKeychain(map[string]string{"linear": "lin_api_123", "a": "AAA", "nl": "bad\r\nInjected: yes"})
	h, err := ResolveHeaders(ctx, kc, []string{
		"Authorization: Bearer secret:linear",
		"X-Pair: secret:a:secret:a",
		"X-Org: acme",
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Authorization": "Bearer lin_api_123", "X-Pair": "AAA:AAA", "X-Org": "acme"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, err := ResolveHeaders(ctx, kc, []string{"X: secret:nl"}); !errors.Is(err, ErrInvalidValue) || strings.Contains(err.Error(), "Injected") {
		t.Fatalf("line break in header value: %v", err)
	}
	h, err = ResolveHeaders(ctx, kc, []string{"X-Org: acme", "Authorization: Bearer secret:missing"})
	if !errors.Is(err, ErrNotFound) || h != nil {
		t.Fatalf("missing secret: %v, %v", h, err)
	}
}
