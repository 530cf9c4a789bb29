package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/vault"
)

func testGrant(server string) *Grant {
	return &Grant{Server: server, URL: "https://mcp.example.com/mcp", Resource: "https://mcp.example.com/mcp", Issuer: "https://auth.example.com",
		TokenEndpoint: "https://auth.example.com/token", ClientID: "c", AccessToken: "at-secret", RefreshToken: "rt-secret",
		Expiry: time.Now().Add(time.Hour).UTC().Round(time.Second), SignedIn: time.Now().UTC().Round(time.Second)}
}

// storeChecks is one checker for every keychain the store runs on.
func storeChecks(t *testing.T, kc vault.Keychain, a, b string) {
	ctx := context.Background()
	s := NewStore(kc)
	t.Cleanup(func() { s.Remove(ctx, a); s.Remove(ctx, b); kc.Delete(ctx, "oauth."+b) })
	if _, err := s.Load(ctx, a); !errors.Is(err, ErrNotSignedIn) {
		t.Fatalf("load before save: %v", err)
	}
	saved := testGrant(a)
	if err := s.Save(ctx, saved); err != nil {
		t.Fatal(err)
	}
	g, err := s.Load(ctx, a)
	// compared with what was saved: a second testGrant could round to another second
	if err != nil || g.AccessToken != "at-secret" || g.RefreshToken != "rt-secret" || !g.Expiry.Equal(saved.Expiry) {
		t.Fatalf("load: %+v %v", g, err)
	}
	if names, _ := s.Servers(ctx); !contains(names, a) {
		t.Errorf("index %v lacks %s", names, a)
	}
	// A secret the user stored under a sign-in's name is neither read as
	// one nor overwritten.
	if err := kc.Set(ctx, "oauth."+b, "my own secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, b); !errors.Is(err, ErrForeign) {
		t.Errorf("load of a foreign item: %v", err)
	}
	if err := s.Save(ctx, testGrant(b)); !errors.Is(err, ErrForeign) {
		t.Errorf("save over a foreign item: %v", err)
	}
	if err := s.Remove(ctx, b); !errors.Is(err, ErrForeign) {
		t.Errorf("remove of a foreign item: %v", err)
	}
	if v, _ := kc.Get(ctx, "oauth."+b); v != "my own secret" {
		t.Errorf("the foreign item changed")
	}
	if err := s.Remove(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, a); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("load after remove: %v", err)
	}
	if names, _ := s.Servers(ctx); contains(names, a) {
		t.Errorf("index %v still has %s", names, a)
	}
	if err := s.Remove(ctx, a); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("second remove: %v", err)
	}
}

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func TestAuthStoreMemory(t *testing.T) { storeChecks(t, newMemKeychain(), "a", "b") }

// The same checks against the OS keychain (a real Secret Service under
// scripts/with-keyring.sh); large JWT-sized values are chunked by vault.
func TestAuthStoreOSKeychain(t *testing.T) {
	kc := vault.NewOSKeychain()
	if _, err := kc.Get(context.Background(), "cstest-oauth-probe"); !errors.Is(err, vault.ErrNotFound) {
		if os.Getenv("COUNTERSIGN_REQUIRE_KEYRING") == "1" {
			t.Fatalf("COUNTERSIGN_REQUIRE_KEYRING=1 but the keychain does not answer: %v", err)
		}
		t.Skipf("no usable keychain (%v): run under scripts/with-keyring.sh", err)
	}
	suffix := time.Now().Format("150405.000000")
	storeChecks(t, kc, "cstest-a-"+suffix, "cstest-b-"+suffix)
}

func TestItemName(t *testing.T) {
	for name, ok := range map[string]bool{"linear": true, "my-server_1.x": true, "": false, "a b": false, "a:b": false, "-x": false} {
		if _, err := ItemName(name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

// SignIns shows each stored sign-in's status at a given time, never a
// token; a sign-in whose item cannot be decoded is listed as unreadable.
func TestSignIns(t *testing.T) {
	ctx := context.Background()
	kc := newMemKeychain()
	s := NewStore(kc)
	live, old := testGrant("live"), testGrant("old")
	old.Expiry = time.Now().Add(-time.Minute).UTC().Round(time.Second)
	old.RefreshToken = ""
	for _, g := range []*Grant{live, old, testGrant("broken")} {
		if err := s.Save(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := kc.Set(ctx, "oauth.broken", `{"kind":"countersign-oauth","server":`); err != nil {
		t.Fatal(err)
	}
	got, err := s.SignIns(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]SignIn{}
	for _, in := range got {
		status[in.Server] = in
	}
	if in := status["live"]; in.Status != "signed_in" || !in.Refreshable || in.ExpiresAt == nil || in.Issuer != live.Issuer {
		t.Errorf("live: %+v", in)
	}
	if in := status["old"]; in.Status != "expired" || in.Refreshable {
		t.Errorf("old: %+v", in)
	}
	if in := status["broken"]; in.Status != "unreadable" {
		t.Errorf("broken: %+v", in)
	}
	if b, _ := json.Marshal(got); strings.Contains(string(b), "secret") {
		t.Errorf("a token is in the listing: %s", b)
	}
}
