package oauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/countersign/countersign/internal/vault"
)

// memKeychain is vault.Keychain in memory: the consumer's own interface,
// faked for unit tests (the keychain itself is tested in keychain_test.go
// against a real Secret Service).
type memKeychain struct {
	mu sync.Mutex
	m  map[string]string
}

func newMemKeychain() *memKeychain { return &memKeychain{m: map[string]string{}} }

func (k *memKeychain) Get(_ context.Context, name string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[name]
	if !ok {
		return "", fmt.Errorf("%w: %s", vault.ErrNotFound, name)
	}
	return v, nil
}

func (k *memKeychain) Set(_ context.Context, name, value string) error {
	if err := vault.ValidateName(name); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[name] = value
	return nil
}

func (k *memKeychain) Delete(_ context.Context, name string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[name]; !ok {
		return fmt.Errorf("%w: %s", vault.ErrNotFound, name)
	}
	delete(k.m, name)
	return nil
}

// fakeAS is an authorization server and a protected MCP resource on two
// loopback origins, small enough to bend for each test. It checks what a
// real one checks: PKCE S256, state passed through, redirect URI, the
// resource parameter on authorize and token requests.
type fakeAS struct {
	t        *testing.T
	as, rs   *httptest.Server
	mu       sync.Mutex
	codes    map[string]codeGrant
	access   map[string]bool
	refresh  map[string]bool
	n        int
	tokenLog []url.Values // every token request's form

	// knobs
	expiresIn      int
	refuseRefresh  bool
	wrongIssuer    string // metadata issuer override
	tokenEndpoint  string // metadata token endpoint override
	resourceOrigin string // protected-resource "resource" override
	noRegistration bool
	noS256         bool
	iss            string // "iss" in the redirect ("" = the issuer)
}

type codeGrant struct {
	challenge, redirect, resource, clientID string
}

func newFakeAS(t *testing.T) *fakeAS {
	f := &fakeAS{t: t, codes: map[string]codeGrant{}, access: map[string]bool{}, refresh: map[string]bool{}, expiresIn: 3600}
	f.as = httptest.NewServer(http.HandlerFunc(f.serveAS))
	f.rs = httptest.NewServer(http.HandlerFunc(f.serveRS))
	t.Cleanup(f.as.Close)
	t.Cleanup(f.rs.Close)
	return f
}

func (f *fakeAS) mcpURL() string { return f.rs.URL + "/mcp" }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeAS) serveRS(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/oauth-protected-resource/mcp":
		res := f.mcpURL()
		if f.resourceOrigin != "" {
			res = f.resourceOrigin + "/mcp"
		}
		writeJSON(w, 200, map[string]any{"resource": res, "authorization_servers": []string{f.as.URL}, "scopes_supported": []string{"mcp:read", "mcp:write"}})
	case "/mcp":
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		valid := ok && f.access[tok]
		f.mu.Unlock()
		if !valid {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer resource_metadata="%s/.well-known/oauth-protected-resource/mcp", scope="mcp:read"`, f.rs.URL))
			w.WriteHeader(401)
			return
		}
		writeJSON(w, 200, map[string]any{"jsonrpc": "2.0", "id": 0, "result": map[string]any{}})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAS) serveAS(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/oauth-authorization-server":
		issuer := f.as.URL
		if f.wrongIssuer != "" {
			issuer = f.wrongIssuer
		}
		te := f.as.URL + "/token"
		if f.tokenEndpoint != "" {
			te = f.tokenEndpoint
		}
		m := map[string]any{
			"issuer": issuer, "authorization_endpoint": f.as.URL + "/authorize", "token_endpoint": te,
			"revocation_endpoint": f.as.URL + "/revoke", "response_types_supported": []string{"code"},
			"code_challenge_methods_supported": []string{"S256"}, "authorization_response_iss_parameter_supported": true,
		}
		if !f.noRegistration {
			m["registration_endpoint"] = f.as.URL + "/register"
		}
		if f.noS256 {
			m["code_challenge_methods_supported"] = []string{"plain"}
		}
		writeJSON(w, 200, m)
	case "/register":
		var req struct {
			RedirectURIs []string `json:"redirect_uris"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 201, map[string]any{"client_id": "client-1", "redirect_uris": req.RedirectURIs, "token_endpoint_auth_method": "none"})
	case "/authorize":
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("resource") != f.mcpURL() || q.Get("response_type") != "code" {
			http.Error(w, "bad authorization request: "+q.Encode(), 400)
			return
		}
		f.mu.Lock()
		f.n++
		code := fmt.Sprintf("code-%d", f.n)
		f.codes[code] = codeGrant{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), resource: q.Get("resource"), clientID: q.Get("client_id")}
		f.mu.Unlock()
		iss := f.as.URL
		if f.iss != "" {
			iss = f.iss
		}
		u, _ := url.Parse(q.Get("redirect_uri"))
		u.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}, "iss": {iss}}.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	case "/token":
		r.ParseForm()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.tokenLog = append(f.tokenLog, r.PostForm)
		if r.PostForm.Get("resource") != f.mcpURL() {
			writeJSON(w, 400, map[string]string{"error": "invalid_target"})
			return
		}
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			g, ok := f.codes[r.PostForm.Get("code")]
			delete(f.codes, r.PostForm.Get("code"))
			if !ok || oauth2.S256ChallengeFromVerifier(r.PostForm.Get("code_verifier")) != g.challenge || r.PostForm.Get("redirect_uri") != g.redirect {
				writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "PKCE or redirect mismatch"})
				return
			}
		case "refresh_token":
			if f.refuseRefresh || !f.refresh[r.PostForm.Get("refresh_token")] {
				writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
				return
			}
			delete(f.refresh, r.PostForm.Get("refresh_token")) // rotation
		default:
			writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
			return
		}
		f.n++
		at, rt := fmt.Sprintf("at-%d", f.n), fmt.Sprintf("rt-%d", f.n)
		f.access[at], f.refresh[rt] = true, true
		writeJSON(w, 200, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": f.expiresIn, "refresh_token": rt, "scope": "mcp:read"})
	case "/revoke":
		r.ParseForm()
		f.mu.Lock()
		delete(f.refresh, r.PostForm.Get("token"))
		delete(f.access, r.PostForm.Get("token"))
		f.mu.Unlock()
		w.WriteHeader(200)
	default:
		http.NotFound(w, r)
	}
}

// follow plays a browser: GET the authorization URL, following redirects
// to the loopback callback.
func follow(t *testing.T) func(string) error {
	return func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err != nil {
				t.Logf("browser: %v", err)
				return
			}
			resp.Body.Close()
		}()
		return nil
	}
}
