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
)

// Discovery is what a server's metadata says about signing in to it.
type Discovery struct {
	Server   *url.URL // the MCP server URL signed in to
	Resource string   // the resource indicator tokens are bound to
	Issuer   string
	Meta     *AuthServer
	Scopes   []string // from the challenge, else the resource's scopes_supported
}

// ErrNoOAuth: the server does not advertise OAuth (no protected-resource
// metadata in its challenge or at the well-known locations).
var ErrNoOAuth = errors.New("the server does not advertise OAuth")

// probeBody is the request that asks a server for its challenge: the
// initialize a client would send first.
const probeBody = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"countersign-auth","version":"1"}}}`

// Probe sends an unauthenticated initialize to the server and returns its
// WWW-Authenticate header ("" when it did not answer 401).
func Probe(ctx context.Context, hc *http.Client, server *url.URL) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server.String(), bytes.NewReader([]byte(probeBody)))
	if err != nil {
		return "", fmt.Errorf("oauth: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("oauth: reach %s: %w", OriginOf(server), redactURL(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		return "", nil
	}
	return strings.Join(resp.Header.Values("WWW-Authenticate"), ", "), nil
}

// Discover finds the resource's metadata (from challenge's
// resource_metadata, else the well-known locations) and its authorization
// server's metadata (the first server it names).
func Discover(ctx context.Context, hc *http.Client, server *url.URL, challenge string) (*Discovery, error) {
	params := BearerParams(challenge)
	var locs []string
	if rm := params["resource_metadata"]; rm != "" {
		if _, err := CheckEndpoint("resource_metadata", rm); err != nil {
			return nil, err
		}
		locs = []string{rm}
	} else {
		locs = protectedResourceURLs(server)
	}
	var pr *ProtectedResource
	tried, err := firstDocument(ctx, hc, locs, func(b []byte) (err error) {
		pr, err = ParseProtectedResource(b, server)
		return err
	})
	if err != nil {
		return nil, err
	}
	if pr == nil {
		return nil, fmt.Errorf("oauth: %w (%s)", ErrNoOAuth, strings.Join(tried, "; "))
	}
	issuer := pr.AuthorizationServers[0]
	iu, err := CheckEndpoint("authorization server", issuer)
	if err != nil {
		return nil, err
	}
	var meta *AuthServer
	tried, err = firstDocument(ctx, hc, authServerURLs(iu), func(b []byte) (err error) {
		meta, err = ParseAuthServer(b, issuer)
		return err
	})
	if err != nil {
		return nil, err
	}
	if meta == nil {
		return nil, fmt.Errorf("oauth: no metadata for authorization server %s (%s)", issuer, strings.Join(tried, "; "))
	}
	d := &Discovery{Server: server, Resource: pr.Resource, Issuer: issuer, Meta: meta}
	if s := strings.Fields(params["scope"]); len(s) > 0 {
		d.Scopes = s
	} else {
		d.Scopes = pr.ScopesSupported
	}
	return d, nil
}

// redactURL drops the URL net/http puts into its errors (a query may
// hold a code or token).
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// newHTTPClient is the client for metadata, registration, token and
// revocation requests: bounded, and redirects only to acceptable endpoints
// and only for GET (a token request is never replayed elsewhere).
func newHTTPClient(base *http.Client) *http.Client {
	c := &http.Client{Timeout: requestTimeout}
	if base != nil {
		*c = *base
		if c.Timeout == 0 {
			c.Timeout = requestTimeout
		}
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if via[0].Method != http.MethodGet {
			return http.ErrUseLastResponse
		}
		_, err := CheckEndpoint("redirect", req.URL.String())
		return err
	}
	return c
}

// firstDocument fetches the well-known locations in order and hands the
// first document found to parse; it returns why each earlier one was
// missing. A location that errors otherwise, or a document parse refuses,
// ends the search with that error.
func firstDocument(ctx context.Context, hc *http.Client, locs []string, parse func([]byte) error) ([]string, error) {
	var tried []string
	for _, loc := range locs {
		b, err := getJSON(ctx, hc, loc)
		if errors.Is(err, errNoDocument) {
			tried = append(tried, err.Error())
			continue
		}
		if err != nil {
			return tried, err
		}
		return tried, parse(b)
	}
	return tried, nil
}
