package oauth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// signedIn logs in to a fresh fake and returns it with its store.
func signedIn(t *testing.T, expiresIn int) (*fakeAS, *Store, *Grant) {
	t.Helper()
	f := newFakeAS(t)
	f.expiresIn = expiresIn
	store := NewStore(newMemKeychain())
	g, err := login(t, f, store, follow(t))
	if err != nil {
		t.Fatal(err)
	}
	return f, store, g
}

func newTestSession(t *testing.T, store *Store, serverURL string) *Session {
	t.Helper()
	s, err := NewSession(store, "srv", serverURL, nil, func(msg string, err error) { t.Logf("warn: %s: %v", msg, err) })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSessionRefreshesBeforeExpiry(t *testing.T) {
	f, store, g := signedIn(t, 3600)
	s := newTestSession(t, store, f.mcpURL())
	ctx := context.Background()
	if tok, _ := s.Token(ctx); tok != "" {
		t.Fatalf("a token before the server asked for one")
	}
	tok, err := s.Renew(ctx, "", `Bearer resource_metadata="x"`)
	if err != nil || tok != g.AccessToken {
		t.Fatalf("stored token on the first 401: %q %v", tok, err)
	}
	if tok, err := s.Token(ctx); err != nil || tok != g.AccessToken {
		t.Fatalf("fresh token: %q %v", tok, err)
	}
	s.now = func() time.Time { return time.Now().Add(58 * time.Minute) }
	if tok, _ := s.Token(ctx); tok != g.AccessToken || len(f.tokenLog) != 1 {
		t.Fatalf("refreshed two minutes before expiry (%d token requests)", len(f.tokenLog))
	}
	// Less than a minute before it expires the token is refreshed, with
	// the resource parameter, and stored.
	s.now = func() time.Time { return time.Now().Add(59*time.Minute + 30*time.Second) }
	tok2, err := s.Token(ctx)
	if err != nil || tok2 == g.AccessToken || tok2 == "" {
		t.Fatalf("token 30 s before expiry: %q %v", tok2, err)
	}
	last := f.tokenLog[len(f.tokenLog)-1]
	if last.Get("grant_type") != "refresh_token" || last.Get("resource") != f.mcpURL() || last.Get("client_id") != "client-1" {
		t.Errorf("refresh request %v", last)
	}
	stored, _ := store.Load(ctx, "srv")
	if stored.AccessToken != tok2 || stored.RefreshToken == g.RefreshToken {
		t.Errorf("the refreshed (and rotated) tokens were not stored")
	}
}

func TestSessionRenewAfter401(t *testing.T) {
	f, store, g := signedIn(t, 3600)
	s := newTestSession(t, store, f.mcpURL())
	ctx := context.Background()
	challenge := `Bearer error="invalid_token", resource_metadata="` + f.rs.URL + `/.well-known/oauth-protected-resource/mcp"`
	// The server revoked the access token: the refresh token gets a new one.
	f.mu.Lock()
	delete(f.access, g.AccessToken)
	f.mu.Unlock()
	tok, err := s.Renew(ctx, g.AccessToken, challenge)
	if err != nil || tok == "" || tok == g.AccessToken {
		t.Fatalf("renew: %q %v", tok, err)
	}
	// Concurrent 401s for the same stale token share that refresh.
	n := len(f.tokenLog)
	if tok2, err := s.Renew(ctx, g.AccessToken, challenge); err != nil || tok2 != tok || len(f.tokenLog) != n {
		t.Errorf("second renew for the same stale token: %q %v, %d more token requests", tok2, err, len(f.tokenLog)-n)
	}
	// A refused refresh (revoked grant) asks for a login, naming the command.
	f.refuseRefresh = true
	_, err = s.Renew(ctx, tok, challenge)
	if !errors.Is(err, ErrLoginRequired) || !strings.Contains(err.Error(), "countersign auth login srv --url "+f.mcpURL()) {
		t.Fatalf("refused refresh: %v", err)
	}
	if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), g.RefreshToken) {
		t.Errorf("the error carries a token: %v", err)
	}
}

func TestSessionRenewCases(t *testing.T) {
	f, store, g := signedIn(t, 3600)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		server    string
		stale     string
		challenge string
		wantTok   bool
		wantErr   string
	}{
		{"not oauth: a Basic challenge to an unauthenticated request", "other", "", `Basic realm="x"`, false, ""},
		{"not signed in", "other", "", `Bearer resource_metadata="x"`, false, "you are not signed in"},
		{"insufficient scope", "srv", g.AccessToken, `Bearer error="insufficient_scope", scope="mcp:admin"`, false, `scope "mcp:admin"`},
		{"first 401 without a token uses the stored one", "srv", "", `Bearer resource_metadata="x"`, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSession(store, tc.server, f.mcpURL(), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.Renew(ctx, tc.stale, tc.challenge)
			if (tok != "") != tc.wantTok {
				t.Errorf("token given: %v, want %v", tok != "", tc.wantTok)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// A sign-in is used only for the resource it was issued for: the same
// server name with a URL on another origin (or outside the resource's
// path) gets no token.
func TestSessionTokenOnlyForItsResource(t *testing.T) {
	f, store, _ := signedIn(t, 3600)
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:1/mcp", strings.Replace(f.mcpURL(), "127.0.0.1", "localhost", 1), f.rs.URL + "/other"} {
		s := newTestSession(t, store, u)
		if _, err := s.Renew(ctx, "", `Bearer scope="x"`); !errors.Is(err, ErrLoginRequired) || !strings.Contains(err.Error(), "is for "+f.mcpURL()) {
			t.Errorf("%s: renew err %v", u, err)
		}
		if tok, err := s.Token(ctx); tok != "" || err != nil {
			t.Errorf("%s got a token (%v)", u, err)
		}
	}
	s := newTestSession(t, store, f.mcpURL()+"/sub")
	if tok, _ := s.Renew(ctx, "", `Bearer scope="x"`); tok == "" {
		t.Errorf("a URL under the resource's path got no token")
	}
}

func TestLogoutRevokesAndRemoves(t *testing.T) {
	f, store, g := signedIn(t, 3600)
	ctx := context.Background()
	res, err := Logout(ctx, store, "srv", nil)
	if err != nil || !res.Revoked {
		t.Fatalf("logout: %+v %v", res, err)
	}
	f.mu.Lock()
	live := f.refresh[g.RefreshToken] || f.access[g.AccessToken]
	f.mu.Unlock()
	if live {
		t.Errorf("tokens still valid at the server after logout")
	}
	if _, err := store.Load(ctx, "srv"); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("still stored: %v", err)
	}
	if names, _ := store.Servers(ctx); len(names) != 0 {
		t.Errorf("index %v", names)
	}
	if _, err := Logout(ctx, store, "srv", nil); !errors.Is(err, ErrNotSignedIn) {
		t.Errorf("second logout: %v", err)
	}
}
