package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/vault"
)

// refreshAhead is how long before its expiry an access token is refreshed.
const refreshAhead = 60 * time.Second

// ErrLoginRequired: a person must sign in (`countersign auth login`); the
// error's text says how.
var ErrLoginRequired = errors.New("sign-in required")

// Session hands out the access token of one server's sign-in to a shim,
// refreshing it before it expires and after the server refuses it. It
// reads the keychain only once the server has asked for a token (a 401
// with a Bearer challenge), so a server that never asks never touches the
// keychain (which may be locked behind a prompt), at the cost of one 401
// per shim; and again whenever the server refuses a token, so a login in
// another terminal is picked up without restarting the client. It never
// starts a login. Safe for concurrent use.
type Session struct {
	store  *Store
	server string
	url    *url.URL
	hc     *http.Client
	warn   func(msg string, err error)
	now    func() time.Time

	mu      sync.Mutex
	g       *Grant
	loadErr error
}

// NewSession returns the session of server for serverURL (the shim's
// --url). A sign-in whose resource does not cover serverURL is never used.
// warn (may be nil) hears of failures that do not stop a request, such as
// a refreshed token that could not be saved; no token is ever passed to it.
func NewSession(store *Store, server, serverURL string, hc *http.Client, warn func(string, error)) (*Session, error) {
	u, err := url.Parse(serverURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("oauth: bad server URL for %s", server)
	}
	if warn == nil {
		warn = func(string, error) {}
	}
	return &Session{store: store, server: server, url: u, hc: newHTTPClient(hc), warn: warn, now: time.Now}, nil
}

// Token returns the access token to send, refreshed first when it is
// about to expire; "" when there is none to send (the server has not asked
// for one yet, not signed in, keychain unavailable, expired without a
// working refresh). It fails only when ctx ends.
func (s *Session) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.g == nil {
		return "", ctx.Err()
	}
	if s.g.RefreshToken != "" && s.g.refreshDue(s.now()) {
		if err := s.refreshLocked(ctx); err != nil {
			s.warn("refreshing the access token before it expires failed", err)
		}
	}
	if s.g.expiresWithin(s.now(), 0) {
		return "", ctx.Err()
	}
	return s.g.AccessToken, nil
}

// Renew is called after the server answered 401 to a request sent with
// stale ("" when none was sent) and the WWW-Authenticate value challenge.
// It returns a token to retry with, "" with no error when the challenge is
// not OAuth's (the 401 stands as it is), or an error wrapping
// ErrLoginRequired that tells the person what to run.
func (s *Session) Renew(ctx context.Context, stale, challenge string) (string, error) {
	params := BearerParams(challenge)
	s.mu.Lock()
	defer s.mu.Unlock()
	if params == nil && stale == "" {
		return "", nil
	}
	if params["error"] == "insufficient_scope" {
		why := "the server needs more permissions than this sign-in has"
		if sc := params["scope"]; sc != "" {
			why += fmt.Sprintf(" (scope %q)", printable(sc))
		}
		return "", s.loginError(why)
	}
	// Another request (or another process) may have a newer token already.
	if s.g != nil && s.g.AccessToken != stale && !s.g.expiresWithin(s.now(), 0) {
		return s.g.AccessToken, nil
	}
	s.load(ctx)
	if s.g == nil {
		if errors.Is(s.loadErr, ErrNotSignedIn) {
			return "", s.loginError("you are not signed in to it")
		}
		return "", s.loginError(s.loadErr.Error())
	}
	if s.g.AccessToken != stale && !s.g.expiresWithin(s.now(), 0) {
		return s.g.AccessToken, nil
	}
	if s.g.RefreshToken == "" {
		return "", s.loginError("its access token was refused and there is no refresh token")
	}
	err := s.refreshLocked(ctx)
	if errors.Is(err, errRefreshRefused) {
		// Another process may have rotated the refresh token.
		s.load(ctx)
		if s.g != nil && s.g.AccessToken != stale && !s.g.expiresWithin(s.now(), 0) {
			return s.g.AccessToken, nil
		}
		return "", s.loginError("the authorization server refused to refresh the sign-in")
	}
	if err != nil {
		return "", fmt.Errorf("oauth: %s: %w", s.server, err)
	}
	return s.g.AccessToken, nil
}

func (s *Session) loginError(why string) error {
	return fmt.Errorf("%w for %s: %s; sign in with: countersign auth login %s --url %s",
		ErrLoginRequired, s.server, why, s.server, canonicalResource(s.url))
}

// load reads the sign-in from the keychain; the caller holds s.mu.
func (s *Session) load(ctx context.Context) {
	g, err := s.store.Load(ctx, s.server)
	if err != nil {
		s.g, s.loadErr = nil, err
		return
	}
	ru, err := url.Parse(g.Resource)
	if err != nil || !covers(ru, s.url) {
		s.g, s.loadErr = nil, fmt.Errorf("the sign-in for %s is for %s, not %s", s.server, g.Resource, canonicalResource(s.url))
		return
	}
	s.g, s.loadErr = g, nil
}

// refreshLocked refreshes s.g and saves it; the caller holds s.mu. The
// refresh outlives a cancelled request: a rotated refresh token must not
// be lost half way.
func (s *Session) refreshLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requestTimeout)
	defer cancel()
	g := *s.g
	if err := refresh(ctx, s.hc, &g); err != nil {
		return err
	}
	s.g = &g
	if err := s.store.Save(ctx, &g); err != nil {
		s.warn("the refreshed sign-in could not be saved to the keychain", err)
	}
	return nil
}

// LogoutResult says what Logout did.
type LogoutResult struct {
	Revoked   bool  // the authorization server accepted the revocation
	RevokeErr error // why revocation failed or was not possible (nil when Revoked)
}

// Logout revokes the sign-in's tokens at the authorization server when it
// has a revocation endpoint (best effort) and removes the sign-in from the
// keychain. The error wraps ErrNotSignedIn when there was none.
func Logout(ctx context.Context, store *Store, server string, hc *http.Client) (LogoutResult, error) {
	var res LogoutResult
	g, err := store.Load(ctx, server)
	switch {
	case errors.Is(err, ErrNotSignedIn) || errors.Is(err, ErrForeign) || errors.Is(err, vault.ErrUnavailable):
		return res, err
	case err != nil:
		res.RevokeErr = err // an incomplete item: nothing to revoke with
	case g.RevocationEndpoint == "":
		res.RevokeErr = errors.New("the authorization server has no revocation endpoint")
	default:
		// Revoking the refresh token ends the grant (RFC 7009 §2.1); the
		// access token is revoked too where the server can (a server
		// issuing self-contained JWTs answers unsupported_token_type).
		c := newHTTPClient(hc)
		var rerr error
		if g.RefreshToken != "" {
			rerr = revoke(ctx, c, g, g.RefreshToken, "refresh_token")
		}
		aerr := revoke(ctx, c, g, g.AccessToken, "access_token")
		switch {
		case g.RefreshToken != "":
			res.RevokeErr = rerr
		default:
			res.RevokeErr = aerr
		}
		res.Revoked = res.RevokeErr == nil
	}
	if err := store.Remove(ctx, server); err != nil {
		return res, err
	}
	return res, nil
}
