package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ProtectedResource is protected-resource metadata (RFC 9728 §2), the
// fields Countersign uses.
type ProtectedResource struct {
	Resource             string   `json:"resource"`
	AuthorizationServers []string `json:"authorization_servers"`
	ScopesSupported      []string `json:"scopes_supported"`
}

// AuthServer is authorization-server metadata (RFC 8414 §2, or OpenID
// Connect discovery), the fields Countersign uses.
type AuthServer struct {
	Issuer                        string   `json:"issuer"`
	AuthorizationEndpoint         string   `json:"authorization_endpoint"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	RegistrationEndpoint          string   `json:"registration_endpoint"`
	RevocationEndpoint            string   `json:"revocation_endpoint"`
	ScopesSupported               []string `json:"scopes_supported"`
	ResponseTypesSupported        []string `json:"response_types_supported"`
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported"`
	IssParameterSupported         bool     `json:"authorization_response_iss_parameter_supported"`
}

// maxMetadata bounds a metadata document.
const maxMetadata = 1 << 20

// ParseProtectedResource validates protected-resource metadata for the
// server at serverURL: the resource must be https (or loopback http), on the
// server's origin, and cover its path; every authorization server must be
// an acceptable endpoint. Anything else is refused: a token would be bound
// to (or sent for) another resource.
func ParseProtectedResource(body []byte, serverURL *url.URL) (*ProtectedResource, error) {
	var m ProtectedResource
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("oauth: protected-resource metadata is not JSON: %w", err)
	}
	if m.Resource == "" {
		return nil, errors.New("oauth: protected-resource metadata has no resource")
	}
	ru, err := CheckEndpoint("resource", m.Resource)
	if err != nil {
		return nil, err
	}
	if ru.RawQuery != "" {
		return nil, fmt.Errorf("oauth: resource %q has a query, which a resource indicator may not have", m.Resource)
	}
	if !covers(ru, serverURL) {
		return nil, fmt.Errorf("oauth: refusing protected-resource metadata for %q: it does not cover the server %s (a token would be bound to another resource)", m.Resource, canonicalResource(serverURL))
	}
	if len(m.AuthorizationServers) == 0 {
		return nil, errors.New("oauth: protected-resource metadata names no authorization server")
	}
	for _, as := range m.AuthorizationServers {
		if _, err := CheckEndpoint("authorization server", as); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// ParseAuthServer validates authorization-server metadata fetched for
// issuer: its issuer must be exactly issuer (RFC 8414 §3.3), every endpoint
// acceptable, and it must offer the code flow with PKCE S256 (the MCP spec
// has clients refuse a server that does not say it supports S256).
func ParseAuthServer(body []byte, issuer string) (*AuthServer, error) {
	var m AuthServer
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("oauth: authorization server metadata is not JSON: %w", err)
	}
	if m.Issuer != issuer {
		return nil, fmt.Errorf("oauth: authorization server metadata names issuer %q, want %q (refusing metadata of another issuer)", m.Issuer, issuer)
	}
	for _, e := range []struct{ what, v string }{
		{"authorization endpoint", m.AuthorizationEndpoint},
		{"token endpoint", m.TokenEndpoint},
	} {
		if e.v == "" {
			return nil, fmt.Errorf("oauth: authorization server %s has no %s", issuer, e.what)
		}
		if _, err := CheckEndpoint(e.what, e.v); err != nil {
			return nil, err
		}
	}
	for _, e := range []struct{ what, v string }{
		{"registration endpoint", m.RegistrationEndpoint},
		{"revocation endpoint", m.RevocationEndpoint},
	} {
		if e.v == "" {
			continue
		}
		if _, err := CheckEndpoint(e.what, e.v); err != nil {
			return nil, err
		}
	}
	if len(m.ResponseTypesSupported) > 0 && !slices.Contains(m.ResponseTypesSupported, "code") {
		return nil, fmt.Errorf("oauth: authorization server %s does not offer the authorization code flow", issuer)
	}
	if !slices.Contains(m.CodeChallengeMethodsSupported, "S256") {
		return nil, fmt.Errorf("oauth: authorization server %s does not advertise PKCE S256 (code_challenge_methods_supported); refusing it as the MCP spec requires", issuer)
	}
	return &m, nil
}

// protectedResourceURLs are the well-known locations of a server's
// protected-resource metadata (RFC 9728 §3.1): path-specific, then root.
func protectedResourceURLs(server *url.URL) []string {
	base := origin0(server)
	p := strings.TrimSuffix(server.EscapedPath(), "/")
	var out []string
	if p != "" {
		out = append(out, base+"/.well-known/oauth-protected-resource"+p)
	}
	return append(out, base+"/.well-known/oauth-protected-resource")
}

// authServerURLs are where the metadata of issuer may be, in the order the
// MCP spec lists: RFC 8414, then OpenID Connect discovery (path inserted,
// then path appended).
func authServerURLs(issuer *url.URL) []string {
	base := origin0(issuer)
	p := strings.TrimSuffix(issuer.EscapedPath(), "/")
	if p == "" {
		return []string{base + "/.well-known/oauth-authorization-server", base + "/.well-known/openid-configuration"}
	}
	return []string{
		base + "/.well-known/oauth-authorization-server" + p,
		base + "/.well-known/openid-configuration" + p,
		base + p + "/.well-known/openid-configuration",
	}
}

// origin0 is scheme://host as written (no default port added).
func origin0(u *url.URL) string { return strings.ToLower(u.Scheme) + "://" + u.Host }

// errNoDocument: the location answered, but not with a document (404 and
// the like); the next location is tried.
var errNoDocument = errors.New("no metadata there")

// getJSON fetches a metadata document. A non-200 answer wraps
// errNoDocument; a 200 that is not JSON is an error (fail closed).
func getJSON(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	if _, err := CheckEndpoint("metadata URL", u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("oauth: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MCP-Protocol-Version", "2025-06-18")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauth: fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered HTTP %d", errNoDocument, u, resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "" && mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		return nil, fmt.Errorf("oauth: %s answered %s, not JSON", u, mt)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return nil, fmt.Errorf("oauth: read %s: %w", u, err)
	}
	if len(b) > maxMetadata {
		return nil, fmt.Errorf("oauth: %s is larger than %d bytes", u, maxMetadata)
	}
	return b, nil
}
