package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/oauth"
	"github.com/countersign/countersign/internal/vault"
)

// SignIns is bound to the window: the remote servers signed in with OAuth
// (`countersign auth login`), read from the keychain, and the servers whose
// shim reported that they need a sign-in. It never returns a token, and the
// browser opens only when the person clicks Sign in.
type SignIns struct {
	store *oauth.Store
	core  signInsCore                // nil: no shim reports (tests, binding generation)
	open  func(authURL string) error // opens the system browser
}

// signInsCore is what SignIns needs from the core; *core.Core implements it.
type signInsCore interface {
	SignInsNeeded() []localapi.SignInNeeded
	SignedIn(server string)
	SubscribeSignIns() (<-chan localapi.SignInNeeded, func())
}

// EventSignInNeeded carries a localapi.SignInNeeded: a remote server's
// shim needs a person to sign in.
const EventSignInNeeded = "signins:needed"

// EventSignInsFocus asks the window to show the Servers page (a click on a
// sign-in notification).
const EventSignInsFocus = "signins:focus"

// signInKeyPrefix marks the notification keys of sign-in requests.
const signInKeyPrefix = "signin:"

func newSignIns(c Core) *SignIns {
	s := &SignIns{store: oauth.NewStore(vault.NewOSKeychain()), open: oauth.OpenBrowser}
	s.core, _ = c.(signInsCore)
	return s
}

// Needed lists the remote servers waiting for a sign-in.
func (s *SignIns) Needed() ([]localapi.SignInNeeded, error) {
	if s.core == nil {
		return []localapi.SignInNeeded{}, nil
	}
	return s.core.SignInsNeeded(), nil
}

// SignIn signs in to the remote server name at url: discovery, registration
// and the authorization-code flow with PKCE in the system browser, which it
// opens now (the person asked). It waits for the browser's redirect (at most
// oauth.DefaultLoginTimeout) and stores the tokens in the keychain.
func (s *SignIns) SignIn(server, url string) (oauth.SignIn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), oauth.DefaultLoginTimeout+30*time.Second)
	defer cancel()
	g, err := oauth.Login(ctx, s.store, oauth.LoginOptions{Server: server, URL: url, Authorize: s.open})
	if err != nil {
		return oauth.SignIn{}, fmt.Errorf("sign in to %s: %w", server, err)
	}
	if s.core != nil {
		s.core.SignedIn(server)
	}
	list, err := s.store.SignIns(ctx, time.Now())
	if err == nil {
		for _, in := range list {
			if in.Server == g.Server {
				return in, nil
			}
		}
	}
	return oauth.SignIn{Server: g.Server, URL: g.URL, Issuer: g.Issuer, Status: "signed_in", Scopes: []string{}}, nil
}

// List returns every sign-in with its expiry and status.
func (s *SignIns) List() ([]oauth.SignIn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	list, err := s.store.SignIns(ctx, time.Now())
	if err != nil {
		return nil, fmt.Errorf("read sign-ins from the keychain: %w", err)
	}
	return list, nil
}

// SignOutResult says whether the authorization server revoked the tokens;
// the sign-in is gone from the keychain either way.
type SignOutResult struct {
	Revoked bool   `json:"revoked"`
	Note    string `json:"note,omitempty"` // why revocation did not happen
}

// SignOut revokes the server's tokens (best effort) and removes its
// sign-in from the keychain.
func (s *SignIns) SignOut(server string) (SignOutResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := oauth.Logout(ctx, s.store, server, nil)
	if err != nil {
		return SignOutResult{}, fmt.Errorf("sign out of %s: %w", server, err)
	}
	out := SignOutResult{Revoked: res.Revoked}
	if res.RevokeErr != nil {
		out.Note = "the server did not revoke the tokens: " + res.RevokeErr.Error()
	}
	return out, nil
}

// forwardSignIns emits EventSignInNeeded for each server a shim reports and
// announces it by a notification, until ctx ends. Nothing opens a browser:
// clicking the notification shows the Servers page, where Sign in does.
func (a *App) forwardSignIns(ctx context.Context, c signInsCore, emit func(string, ...any)) {
	events, cancel := c.SubscribeSignIns()
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case s, ok := <-events:
			if !ok {
				return
			}
			emit(EventSignInNeeded, s)
			a.popup.mu.Lock()
			n := a.popup.notify
			a.popup.mu.Unlock()
			if n == nil {
				continue
			}
			err := n.Notify(context.Background(), signInKeyPrefix+s.Server, notify.Notification{
				Summary: fmt.Sprintf("%s needs you to sign in", s.Server),
				Body:    "Its tool calls fail until you do. Open Countersign's Servers page and click Sign in: your browser opens only then.",
			})
			if err != nil {
				a.log.Warn("app: cannot announce a needed sign-in; the Servers page shows it", "server", s.Server, "err", err)
			}
		}
	}
}

// focusSignIn handles a click on a sign-in notification: it shows the
// window on the Servers page. It reports whether key was one.
func (a *App) focusSignIn(key string) bool {
	if _, ok := strings.CutPrefix(key, signInKeyPrefix); !ok {
		return false
	}
	a.popup.focusCall("")
	a.popup.mu.Lock()
	emit := a.popup.emit
	a.popup.mu.Unlock()
	if emit != nil {
		emit(EventSignInsFocus)
	}
	return true
}
