package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func login(t *testing.T, f *fakeAS, store *Store, authorize func(string) error) (*Grant, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return Login(ctx, store, LoginOptions{Server: "srv", URL: f.mcpURL(), Authorize: authorize, Timeout: 10 * time.Second})
}

func TestLoginPKCEResourceAndStorage(t *testing.T) {
	f := newFakeAS(t)
	kc := newMemKeychain()
	store := NewStore(kc)
	var authURL string
	g, err := login(t, f, store, func(u string) error { authURL = u; return follow(t)(u) })
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, authURL)
	for k, want := range map[string]string{"code_challenge_method": "S256", "resource": f.mcpURL(), "client_id": "client-1", "scope": "mcp:read"} {
		if q.Get(k) != want {
			t.Errorf("authorization URL %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if len(q.Get("state")) < 32 || q.Get("code_verifier") != "" {
		t.Errorf("state %q too short, or the verifier leaked into the URL", q.Get("state"))
	}
	if !strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
		t.Errorf("redirect_uri %q is not loopback", q.Get("redirect_uri"))
	}
	if len(f.tokenLog) != 1 || f.tokenLog[0].Get("code_verifier") == "" || f.tokenLog[0].Get("resource") != f.mcpURL() {
		t.Errorf("token requests: %v", f.tokenLog)
	}
	got, err := store.Load(context.Background(), "srv")
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != g.AccessToken || got.RefreshToken == "" || got.Resource != f.mcpURL() || got.Issuer != f.as.URL || got.ClientID != "client-1" || !got.Registered {
		t.Errorf("stored grant %+v", got.Info())
	}
	if names, _ := store.Servers(context.Background()); len(names) != 1 || names[0] != "srv" {
		t.Errorf("index %v", names)
	}
	if in := got.Info(); in.Expiry.Before(time.Now().Add(50*time.Minute)) || !in.Refreshable {
		t.Errorf("info %+v", in)
	}
}

// A redirect with another state (a forged or stale redirect) ends the
// login; nothing is exchanged or stored.
func TestLoginStateMismatch(t *testing.T) {
	f := newFakeAS(t)
	store := NewStore(newMemKeychain())
	_, err := login(t, f, store, func(u string) error {
		q := mustQuery(t, u)
		cb, _ := url.Parse(q.Get("redirect_uri"))
		cb.RawQuery = url.Values{"code": {"code-x"}, "state": {q.Get("state") + "x"}}.Encode()
		go http.Get(cb.String())
		return nil
	})
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
	if len(f.tokenLog) != 0 {
		t.Errorf("a code was exchanged after a state mismatch")
	}
	if _, err := store.Load(context.Background(), "srv"); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("something was stored: %v", err)
	}
}

// The iss of the redirect (RFC 9207) must be the issuer.
func TestLoginIssParameterMismatch(t *testing.T) {
	f := newFakeAS(t)
	f.iss = "https://evil.example"
	_, err := login(t, f, NewStore(newMemKeychain()), follow(t))
	if err == nil || !strings.Contains(err.Error(), "RFC 9207") {
		t.Fatalf("err = %v", err)
	}
}

// Metadata that the login must refuse, each before any browser opens.
func TestLoginRefusesBadMetadata(t *testing.T) {
	for _, tc := range []struct {
		name string
		bend func(f *fakeAS)
		want string
	}{
		{"issuer mismatch", func(f *fakeAS) { f.wrongIssuer = "https://other.example" }, "refusing metadata of another issuer"},
		{"http token endpoint off loopback", func(f *fakeAS) { f.tokenEndpoint = "http://auth.example.com/token" }, "http is allowed only for a loopback host"},
		{"resource on another origin", func(f *fakeAS) { f.resourceOrigin = "http://127.0.0.1:1" }, "does not cover the server"},
		{"no PKCE S256", func(f *fakeAS) { f.noS256 = true }, "does not advertise PKCE S256"},
		{"no registration, no client id", func(f *fakeAS) { f.noRegistration = true }, "--oauth-client-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t)
			tc.bend(f)
			opened := false
			_, err := login(t, f, NewStore(newMemKeychain()), func(string) error { opened = true; return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if opened {
				t.Errorf("the browser step started despite the bad metadata")
			}
		})
	}
}

// A configured client id replaces registration.
func TestLoginConfiguredClientID(t *testing.T) {
	f := newFakeAS(t)
	f.noRegistration = true
	store := NewStore(newMemKeychain())
	var authURL string
	ctx := context.Background()
	_, err := Login(ctx, store, LoginOptions{Server: "srv", URL: f.mcpURL(), ClientID: "my-client", Timeout: 10 * time.Second,
		Authorize: func(u string) error { authURL = u; return follow(t)(u) }})
	if err != nil {
		t.Fatal(err)
	}
	if mustQuery(t, authURL).Get("client_id") != "my-client" {
		t.Errorf("authorization URL %s", authURL)
	}
	if g, _ := store.Load(ctx, "srv"); g == nil || g.Registered || g.ClientID != "my-client" {
		t.Errorf("stored %+v", g)
	}
}

func TestLoginRefusesPlainHTTPServer(t *testing.T) {
	_, err := Login(context.Background(), NewStore(newMemKeychain()), LoginOptions{Server: "srv", URL: "http://mcp.example.com/mcp", Authorize: func(string) error { return nil }})
	if !errors.Is(err, ErrInsecure) {
		t.Fatalf("err = %v, want ErrInsecure", err)
	}
}

// PKCE as x/oauth2 builds it: S256 of the verifier, base64url without
// padding (RFC 7636 §4.2), and a fresh verifier of at least 43 characters
// from the unreserved alphabet each time.
func TestPKCEChallenge(t *testing.T) {
	for range 20 {
		v := oauth2.GenerateVerifier()
		if len(v) < 43 || len(v) > 128 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
			t.Fatalf("verifier %q", v)
		}
		sum := sha256.Sum256([]byte(v))
		if got, want := oauth2.S256ChallengeFromVerifier(v), base64.RawURLEncoding.EncodeToString(sum[:]); got != want {
			t.Fatalf("challenge %q, want %q", got, want)
		}
	}
	if oauth2.GenerateVerifier() == oauth2.GenerateVerifier() {
		t.Error("two verifiers are equal")
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
