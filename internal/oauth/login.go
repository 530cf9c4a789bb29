package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"slices"
	"time"

	"golang.org/x/oauth2"
)

// LoginOptions says whom to sign in to and how to reach the person.
type LoginOptions struct {
	Server   string // the server's name (shim --name)
	URL      string // the MCP server URL
	ClientID string // a client registered by hand; "" registers dynamically
	// Authorize is given the authorization URL: it opens the browser or
	// prints the URL, and returns without waiting for the person.
	Authorize func(authURL string) error
	// Timeout bounds the wait for the browser's redirect (default 5 min).
	Timeout time.Duration
	// HTTPClient is the base client for requests to the resource and the
	// authorization server (nil: a default one).
	HTTPClient *http.Client
}

// DefaultLoginTimeout is how long Login waits for the person.
const DefaultLoginTimeout = 5 * time.Minute

// ErrStateMismatch: the redirect carried another state than this login's
// (a forged or stale redirect); nothing is exchanged or stored.
var ErrStateMismatch = errors.New("state mismatch")

// Login signs in to the server: discovery, client registration (or the
// configured client id), the authorization code flow with PKCE S256 and a
// loopback redirect on 127.0.0.1, and the code exchange, with the resource
// parameter on both requests. The grant is stored in store before Login
// returns it.
func Login(ctx context.Context, store *Store, o LoginOptions) (*Grant, error) {
	if _, err := ItemName(o.Server); err != nil {
		return nil, err
	}
	if o.Authorize == nil {
		return nil, errors.New("oauth: login needs a way to show the authorization URL")
	}
	server, err := CheckEndpoint("server URL", o.URL)
	if err != nil {
		return nil, err
	}
	hc := newHTTPClient(o.HTTPClient)
	challenge, err := Probe(ctx, hc, server)
	if err != nil {
		return nil, err
	}
	d, err := Discover(ctx, hc, server, challenge)
	if err != nil {
		return nil, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("oauth: open the loopback redirect listener: %w", err)
	}
	defer ln.Close()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)

	var cl client
	switch {
	case o.ClientID != "":
		cl = client{ID: o.ClientID, AuthMethod: "none"}
	case d.Meta.RegistrationEndpoint != "":
		if cl, err = register(ctx, hc, d.Meta.RegistrationEndpoint, redirect); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("oauth: the authorization server %s does not offer dynamic client registration: register Countersign there as a native app with the redirect URI http://127.0.0.1/callback (any port) and pass its client id with --oauth-client-id", d.Issuer)
	}

	cfg := oauth2Config(cl.ID, cl.Secret, cl.AuthMethod, d.Meta.AuthorizationEndpoint, d.Meta.TokenEndpoint, redirect, d.Scopes)
	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", d.Resource))

	results := make(chan callbackResult, 1)
	srv := &http.Server{
		Handler:           &callback{state: state, issuer: d.Issuer, requireIss: d.Meta.IssParameterSupported, results: results},
		ReadHeaderTimeout: 10 * time.Second,
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln)
	}()
	defer func() {
		srv.Close()
		<-served
	}()

	if err := o.Authorize(authURL); err != nil {
		return nil, fmt.Errorf("oauth: show the authorization URL: %w", err)
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultLoginTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res callbackResult
	select {
	case res = <-results:
	case <-timer.C:
		return nil, fmt.Errorf("oauth: no answer from the browser within %v; run the login again", timeout)
	case <-ctx.Done():
		return nil, fmt.Errorf("oauth: login: %w", ctx.Err())
	}
	if res.err != nil {
		return nil, res.err
	}

	tok, err := cfg.Exchange(tokenContext(ctx, hc, d.Meta.TokenEndpoint, d.Resource), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("exchange the authorization code", err)
	}
	g := &Grant{
		Server: o.Server, URL: canonicalResource(server), Resource: d.Resource, Issuer: d.Issuer,
		TokenEndpoint: d.Meta.TokenEndpoint, RevocationEndpoint: d.Meta.RevocationEndpoint,
		ClientID: cl.ID, ClientSecret: cl.Secret, AuthMethod: cl.AuthMethod, Registered: o.ClientID == "",
		Scopes: slices.Clone(d.Scopes), SignedIn: time.Now().UTC(),
	}
	if err := applyToken(g, tok); err != nil {
		return nil, err
	}
	if err := store.Save(ctx, g); err != nil {
		return nil, err
	}
	return g, nil
}

type callbackResult struct {
	code string
	err  error
}

// callback is the loopback redirect target. The first request to
// /callback decides the login; later ones are told it is over.
type callback struct {
	state      string
	issuer     string
	requireIss bool
	results    chan callbackResult
}

func (c *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	res := c.check(r)
	select {
	case c.results <- res:
	default:
		http.Error(w, "This sign-in is already over; you can close this tab.", http.StatusGone)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	msg, status := "Countersign received the authorization. You can close this tab and return to the terminal.", http.StatusOK
	if res.err != nil {
		msg, status = "Countersign did not sign in: "+res.err.Error(), http.StatusBadRequest
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>Countersign</title><p>%s</p>\n", html.EscapeString(msg))
}

func (c *callback) check(r *http.Request) callbackResult {
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(c.state)) != 1 {
		return callbackResult{err: fmt.Errorf("oauth: the redirect's state does not match this login (%w); nothing was stored", ErrStateMismatch)}
	}
	if iss := q.Get("iss"); iss != "" || c.requireIss {
		if iss != c.issuer {
			return callbackResult{err: fmt.Errorf("oauth: the redirect names issuer %q, want %q (RFC 9207); nothing was stored", printable(iss), c.issuer)}
		}
	}
	if e := q.Get("error"); e != "" {
		msg := printable(e)
		if d := q.Get("error_description"); d != "" {
			msg += ": " + printable(d)
		}
		return callbackResult{err: fmt.Errorf("oauth: the authorization server refused: %s", msg)}
	}
	code := q.Get("code")
	if code == "" {
		return callbackResult{err: errors.New("oauth: the redirect has no authorization code")}
	}
	return callbackResult{code: code}
}
