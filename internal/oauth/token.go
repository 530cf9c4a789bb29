package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// requestTimeout bounds one request to an authorization server.
const requestTimeout = 30 * time.Second

// oauth2Config is the x/oauth2 view of a sign-in.
func oauth2Config(clientID, clientSecret, authMethod, authURL, tokenURL, redirect string, scopes []string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if authMethod == "client_secret_basic" && clientSecret != "" {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirect, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: style},
	}
}

// tokenContext gives x/oauth2 an HTTP client that adds the resource
// parameter (RFC 8707) to token requests: x/oauth2 takes extra parameters
// for the code exchange but not for a refresh, and the MCP spec wants it on
// both.
func tokenContext(ctx context.Context, hc *http.Client, tokenURL, resource string) context.Context {
	c := *hc
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = &resourceTransport{base: base, tokenURL: tokenURL, resource: resource}
	return context.WithValue(ctx, oauth2.HTTPClient, &c)
}

type resourceTransport struct {
	base     http.RoundTripper
	tokenURL string
	resource string
}

func (t *resourceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.URL.String() != t.tokenURL || req.Body == nil {
		return t.base.RoundTrip(req)
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, fmt.Errorf("token request body: %w", err)
	}
	if form.Get("resource") == "" {
		form.Set("resource", t.resource)
	}
	body := []byte(form.Encode())
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.base.RoundTrip(r)
}

// tokenError words a failed token request without the response body (it
// is the server's text; an error code and description are enough).
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := re.ErrorCode
		if msg == "" && re.Response != nil {
			msg = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		if re.ErrorDescription != "" {
			msg += ": " + printable(re.ErrorDescription)
		}
		return fmt.Errorf("oauth: %s: the authorization server refused: %s", op, msg)
	}
	return fmt.Errorf("oauth: %s: %w", op, redactURL(err))
}

// errRefreshRefused: the authorization server refused the refresh token
// (expired, revoked, rotated by another process).
var errRefreshRefused = errors.New("refresh refused")

// refresh gets a new access token for g with its refresh token and updates
// g (a rotated refresh token replaces the old one).
func refresh(ctx context.Context, hc *http.Client, g *Grant) error {
	if g.RefreshToken == "" {
		return errors.New("oauth: no refresh token")
	}
	cfg := oauth2Config(g.ClientID, g.ClientSecret, g.AuthMethod, "", g.TokenEndpoint, "", nil)
	ctx = tokenContext(ctx, hc, g.TokenEndpoint, g.Resource)
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: g.RefreshToken}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			return fmt.Errorf("%w: %w", errRefreshRefused, tokenError("refresh the access token for "+g.Server, err))
		}
		return tokenError("refresh the access token for "+g.Server, err)
	}
	return applyToken(g, tok)
}

// applyToken copies a token response into g.
func applyToken(g *Grant, tok *oauth2.Token) error {
	if tok.AccessToken == "" {
		return errors.New("oauth: the token response has no access token")
	}
	if t := tok.Type(); !strings.EqualFold(t, "Bearer") {
		return fmt.Errorf("oauth: the token type is %q, not Bearer", printable(t))
	}
	g.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		g.RefreshToken = tok.RefreshToken
	}
	g.Expiry = tok.Expiry
	g.Obtained = time.Now().UTC()
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		g.Scopes = strings.Fields(s)
	}
	return nil
}

// printable keeps server-provided text to one short line of visible ASCII.
func printable(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.Map(func(c rune) rune {
		if c < ' ' || c > '~' {
			return '?'
		}
		return c
	}, s)
}
