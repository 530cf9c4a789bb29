package oauth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// client is a registered (or configured) OAuth client.
type client struct {
	ID         string
	Secret     string
	AuthMethod string
}

// register registers Countersign as a native public client (RFC 7591) with
// redirect, asking for refresh tokens.
func register(ctx context.Context, hc *http.Client, endpoint, redirect string) (client, error) {
	reqBody, _ := json.Marshal(map[string]any{
		"client_name":                "Countersign",
		"application_type":           "native",
		"redirect_uris":              []string{redirect},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(reqBody))
	if err != nil {
		return client{}, fmt.Errorf("oauth: register: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return client{}, fmt.Errorf("oauth: register with %s: %w", Origin(endpoint), redactURL(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata))
	if err != nil {
		return client{}, fmt.Errorf("oauth: register: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(b, &e)
		return client{}, fmt.Errorf("oauth: dynamic client registration refused (HTTP %d %s %s); register Countersign by hand and pass --oauth-client-id",
			resp.StatusCode, printable(e.Error), printable(e.Description))
	}
	var r struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		AuthMethod   string `json:"token_endpoint_auth_method"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return client{}, fmt.Errorf("oauth: dynamic client registration answer is not JSON: %w", err)
	}
	if r.ClientID == "" {
		return client{}, fmt.Errorf("oauth: dynamic client registration answered without a client_id")
	}
	return client{ID: r.ClientID, Secret: r.ClientSecret, AuthMethod: r.AuthMethod}, nil
}

// revoke asks the authorization server to revoke token (RFC 7009).
func revoke(ctx context.Context, hc *http.Client, g *Grant, token, hint string) error {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	if g.ClientSecret == "" || g.AuthMethod == "client_secret_post" {
		form.Set("client_id", g.ClientID)
		if g.ClientSecret != "" {
			form.Set("client_secret", g.ClientSecret)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.RevocationEndpoint, bytes.NewReader([]byte(form.Encode())))
	if err != nil {
		return fmt.Errorf("oauth: revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if g.ClientSecret != "" && g.AuthMethod != "client_secret_post" {
		req.SetBasicAuth(url.QueryEscape(g.ClientID), url.QueryEscape(g.ClientSecret))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("oauth: revoke at %s: %w", Origin(g.RevocationEndpoint), redactURL(err))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		return fmt.Errorf("oauth: revoke the %s at %s: HTTP %d %s", strings.ReplaceAll(hint, "_", " "), Origin(g.RevocationEndpoint), resp.StatusCode, printable(e.Error))
	}
	return nil
}
