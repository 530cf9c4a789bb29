package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/vault"
)

// grantKind marks a keychain item as a Countersign sign-in, so a secret the
// user stored under the same name is never read as one, nor overwritten.
const grantKind = "countersign-oauth/v1"

// indexName is the keychain item listing the signed-in servers (names only).
const indexName = "oauth-index"

// Grant is everything one sign-in holds, stored as one JSON keychain item.
// It contains secrets (tokens, client secret): it is never printed or
// logged; [Grant.Info] is the printable part.
type Grant struct {
	Kind               string    `json:"kind"`
	Server             string    `json:"server"`
	URL                string    `json:"url"`      // the MCP server URL signed in to
	Resource           string    `json:"resource"` // RFC 8707 resource the tokens are bound to
	Issuer             string    `json:"issuer"`
	TokenEndpoint      string    `json:"token_endpoint"`
	RevocationEndpoint string    `json:"revocation_endpoint,omitempty"`
	ClientID           string    `json:"client_id"`
	ClientSecret       string    `json:"client_secret,omitempty"`
	AuthMethod         string    `json:"token_endpoint_auth_method,omitempty"`
	Registered         bool      `json:"registered"` // the client was registered dynamically
	Scopes             []string  `json:"scopes,omitempty"`
	AccessToken        string    `json:"access_token"`
	RefreshToken       string    `json:"refresh_token,omitempty"`
	Expiry             time.Time `json:"expiry,omitzero"`
	Obtained           time.Time `json:"obtained,omitzero"` // when the access token was issued to us
	SignedIn           time.Time `json:"signed_in"`
}

// Info is what may be shown about a sign-in: no token, no client secret.
type Info struct {
	Server      string
	URL         string
	Issuer      string
	Resource    string
	Scopes      []string
	Expiry      time.Time // zero when the server gave no lifetime
	SignedIn    time.Time
	Refreshable bool
}

// Info returns the printable part of g.
func (g *Grant) Info() Info {
	return Info{Server: g.Server, URL: g.URL, Issuer: g.Issuer, Resource: g.Resource,
		Scopes: slices.Clone(g.Scopes), Expiry: g.Expiry, SignedIn: g.SignedIn, Refreshable: g.RefreshToken != ""}
}

// refreshDue reports whether the access token should be refreshed now: a
// minute before it expires, or in the last quarter of a shorter lifetime.
func (g *Grant) refreshDue(now time.Time) bool {
	ahead := refreshAhead
	if !g.Obtained.IsZero() && g.Expiry.After(g.Obtained) {
		ahead = min(ahead, g.Expiry.Sub(g.Obtained)/4)
	}
	return g.expiresWithin(now, ahead)
}

// expiresWithin reports whether the access token ends within d of now.
func (g *Grant) expiresWithin(now time.Time, d time.Duration) bool {
	return !g.Expiry.IsZero() && !now.Add(d).Before(g.Expiry)
}

// ErrNotSignedIn: the keychain holds no sign-in for the server.
var ErrNotSignedIn = errors.New("not signed in")

// ErrForeign: the keychain item under a sign-in's name holds something
// else (a secret the user stored under that name); it is left alone.
var ErrForeign = errors.New("keychain item is not a Countersign sign-in")

// Store keeps sign-ins in a keychain: the item "oauth.SERVER" per server
// and the index item. Safe for concurrent use within one process; two
// processes changing the index at the same moment can lose one entry from
// the index (not the sign-in itself: Load still finds it).
type Store struct {
	kc vault.Keychain
	mu sync.Mutex
}

// NewStore returns a Store over kc (vault.NewOSKeychain() in production).
func NewStore(kc vault.Keychain) *Store { return &Store{kc: kc} }

// ItemName is the keychain item of a server's sign-in. Server names must
// fit the keychain's naming rules (letters, digits, '-', '_', '.').
func ItemName(server string) (string, error) {
	name := "oauth." + server
	if err := vault.ValidateName(server); err != nil {
		return "", fmt.Errorf("oauth: server name %q cannot name a keychain item: %w", server, err)
	}
	if err := vault.ValidateName(name); err != nil {
		return "", fmt.Errorf("oauth: server name %q cannot name a keychain item: %w", server, err)
	}
	return name, nil
}

// Load returns the sign-in for server; the error wraps ErrNotSignedIn when
// there is none, ErrForeign when the item is not one.
func (s *Store) Load(ctx context.Context, server string) (*Grant, error) {
	name, err := ItemName(server)
	if err != nil {
		return nil, err
	}
	v, err := s.kc.Get(ctx, name)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, fmt.Errorf("oauth: %s: %w", server, ErrNotSignedIn)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: read the sign-in for %s: %w", server, err)
	}
	return decodeGrant(server, v)
}

// decodeGrant parses a stored item; no error quotes the value.
func decodeGrant(server, v string) (*Grant, error) {
	var g Grant
	if err := json.Unmarshal([]byte(v), &g); err != nil || g.Kind != grantKind {
		return nil, fmt.Errorf("oauth: keychain item %q: %w", "oauth."+server, ErrForeign)
	}
	if g.Server != server || g.AccessToken == "" || g.TokenEndpoint == "" || g.ClientID == "" {
		return nil, fmt.Errorf("oauth: keychain item %q is an incomplete sign-in; sign in again", "oauth."+server)
	}
	return &g, nil
}

// Save stores g under its server, refusing to overwrite an item that is not
// a sign-in, and adds the server to the index.
func (s *Store) Save(ctx context.Context, g *Grant) error {
	name, err := ItemName(g.Server)
	if err != nil {
		return err
	}
	g.Kind = grantKind
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.kc.Get(ctx, name)
	switch {
	case errors.Is(err, vault.ErrNotFound):
	case err != nil:
		return fmt.Errorf("oauth: store the sign-in for %s: %w", g.Server, err)
	default:
		var probe struct {
			Kind string `json:"kind"`
		}
		if json.Unmarshal([]byte(old), &probe) != nil || probe.Kind != grantKind {
			return fmt.Errorf("oauth: not storing the sign-in for %s: %w (a secret named %q exists; remove or rename it)", g.Server, ErrForeign, name)
		}
	}
	b, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("oauth: encode the sign-in for %s: %w", g.Server, err)
	}
	if err := s.kc.Set(ctx, name, string(b)); err != nil {
		return fmt.Errorf("oauth: store the sign-in for %s: %w", g.Server, err)
	}
	return s.editIndex(ctx, func(names []string) []string {
		if slices.Contains(names, g.Server) {
			return names
		}
		return append(names, g.Server)
	})
}

// Remove deletes the sign-in of server and its index entry. It wraps
// ErrNotSignedIn when there was none, and ErrForeign (deleting nothing)
// when the item is not a sign-in.
func (s *Store) Remove(ctx context.Context, server string) error {
	// An incomplete sign-in is still removed; a foreign item never is.
	if _, err := s.Load(ctx, server); errors.Is(err, ErrForeign) || errors.Is(err, vault.ErrUnavailable) || errors.Is(err, vault.ErrInvalidName) {
		return err
	}
	name, _ := ItemName(server)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.kc.Delete(ctx, name)
	ierr := s.editIndex(ctx, func(names []string) []string {
		return slices.DeleteFunc(names, func(n string) bool { return n == server })
	})
	if errors.Is(err, vault.ErrNotFound) {
		return fmt.Errorf("oauth: %s: %w", server, ErrNotSignedIn)
	}
	if err != nil {
		return fmt.Errorf("oauth: remove the sign-in for %s: %w", server, err)
	}
	return ierr
}

// Servers lists the servers in the index, in sign-in order.
func (s *Store) Servers(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readIndex(ctx)
}

type index struct {
	Kind    string   `json:"kind"`
	Servers []string `json:"servers"`
}

func (s *Store) readIndex(ctx context.Context) ([]string, error) {
	v, err := s.kc.Get(ctx, indexName)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: read the list of sign-ins: %w", err)
	}
	var ix index
	if json.Unmarshal([]byte(v), &ix) != nil || ix.Kind != grantKind {
		return nil, fmt.Errorf("oauth: keychain item %q: %w", indexName, ErrForeign)
	}
	return ix.Servers, nil
}

// editIndex rewrites the index; the caller holds s.mu. An empty index is
// deleted.
func (s *Store) editIndex(ctx context.Context, edit func([]string) []string) error {
	names, err := s.readIndex(ctx)
	if err != nil {
		return err
	}
	names = edit(names)
	if len(names) == 0 {
		if err := s.kc.Delete(ctx, indexName); err != nil && !errors.Is(err, vault.ErrNotFound) {
			return fmt.Errorf("oauth: update the list of sign-ins: %w", err)
		}
		return nil
	}
	b, _ := json.Marshal(index{Kind: grantKind, Servers: names})
	if err := s.kc.Set(ctx, indexName, string(b)); err != nil {
		return fmt.Errorf("oauth: update the list of sign-ins: %w", err)
	}
	return nil
}

// SignIn is one stored sign-in as a person sees it (`auth list --json`,
// the desktop app): never a token.
type SignIn struct {
	Server      string   `json:"server"`
	URL         string   `json:"url"`
	Issuer      string   `json:"issuer"`
	Resource    string   `json:"resource"`
	Scopes      []string `json:"scopes"`
	ExpiresAt   *string  `json:"expires_at"` // RFC 3339; null when the server gave no lifetime
	Status      string   `json:"status"`     // signed_in | expired | unreadable
	Refreshable bool     `json:"refreshable"`
	SignedInAt  *string  `json:"signed_in_at"`
}

// SignIns lists every stored sign-in with its status at now. An item that
// cannot be decoded is listed as "unreadable"; a keychain that does not
// answer is an error.
func (s *Store) SignIns(ctx context.Context, now time.Time) ([]SignIn, error) {
	names, err := s.Servers(ctx)
	if err != nil {
		return nil, err
	}
	out := []SignIn{}
	for _, n := range names {
		g, err := s.Load(ctx, n)
		switch {
		case errors.Is(err, ErrNotSignedIn):
			continue
		case errors.Is(err, vault.ErrUnavailable):
			return nil, err
		case err != nil:
			out = append(out, SignIn{Server: n, Scopes: []string{}, Status: "unreadable"})
			continue
		}
		out = append(out, signInOf(g.Info(), now))
	}
	return out, nil
}

func signInOf(in Info, now time.Time) SignIn {
	a := SignIn{Server: in.Server, URL: in.URL, Issuer: in.Issuer, Resource: in.Resource,
		Scopes: in.Scopes, Status: "signed_in", Refreshable: in.Refreshable}
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	if !in.Expiry.IsZero() {
		s := in.Expiry.UTC().Format(time.RFC3339)
		a.ExpiresAt = &s
		if !now.Before(in.Expiry) {
			a.Status = "expired"
		}
	}
	if !in.SignedIn.IsZero() {
		s := in.SignedIn.UTC().Format(time.RFC3339)
		a.SignedInAt = &s
	}
	return a
}
