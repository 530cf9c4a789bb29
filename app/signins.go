package app

import (
	"context"
	"fmt"
	"time"

	"github.com/countersign/countersign/internal/oauth"
)

// SignIns is bound to the window: the remote servers signed in with OAuth
// (`countersign auth login`), read from the keychain. It never returns a
// token.
type SignIns struct {
	store *oauth.Store
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
