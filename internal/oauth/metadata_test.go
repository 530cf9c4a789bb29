package oauth

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseProtectedResource(t *testing.T) {
	server, _ := url.Parse("https://mcp.example.com/v1/mcp")
	for _, tc := range []struct {
		name, body, err string
	}{
		{"exact", `{"resource":"https://mcp.example.com/v1/mcp","authorization_servers":["https://auth.example.com"]}`, ""},
		{"origin covers", `{"resource":"https://mcp.example.com","authorization_servers":["https://auth.example.com/tenant"]}`, ""},
		{"parent path covers", `{"resource":"https://MCP.example.com:443/v1/","authorization_servers":["https://auth.example.com"]}`, ""},
		{"other origin", `{"resource":"https://evil.example.com/v1/mcp","authorization_servers":["https://auth.example.com"]}`, "does not cover the server"},
		{"other port", `{"resource":"https://mcp.example.com:8443/v1/mcp","authorization_servers":["https://auth.example.com"]}`, "does not cover the server"},
		{"sibling path", `{"resource":"https://mcp.example.com/v1/mc","authorization_servers":["https://auth.example.com"]}`, "does not cover the server"},
		{"narrower path", `{"resource":"https://mcp.example.com/v1/mcp/x","authorization_servers":["https://auth.example.com"]}`, "does not cover the server"},
		{"http resource", `{"resource":"http://mcp.example.com/v1/mcp","authorization_servers":["https://auth.example.com"]}`, "loopback"},
		{"http authorization server", `{"resource":"https://mcp.example.com/v1/mcp","authorization_servers":["http://auth.example.com"]}`, "loopback"},
		{"no resource", `{"authorization_servers":["https://auth.example.com"]}`, "has no resource"},
		{"no authorization server", `{"resource":"https://mcp.example.com/v1/mcp"}`, "names no authorization server"},
		{"query in resource", `{"resource":"https://mcp.example.com/v1/mcp?x=1","authorization_servers":["https://auth.example.com"]}`, "has a query"},
		{"fragment", `{"resource":"https://mcp.example.com/v1/mcp#f","authorization_servers":["https://auth.example.com"]}`, "fragment"},
		{"not JSON", `<html>`, "not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseProtectedResource([]byte(tc.body), server)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestParseAuthServer(t *testing.T) {
	const iss = "https://auth.example.com/tenant"
	good := `"authorization_endpoint":"https://auth.example.com/authorize","token_endpoint":"https://auth.example.com/token","code_challenge_methods_supported":["S256"]`
	for _, tc := range []struct {
		name, body, err string
	}{
		{"good", `{"issuer":"` + iss + `",` + good + `}`, ""},
		{"loopback http", `{"issuer":"http://127.0.0.1:9/x","authorization_endpoint":"http://127.0.0.1:9/a","token_endpoint":"http://[::1]:9/t","code_challenge_methods_supported":["S256"]}`, "want"},
		{"issuer mismatch", `{"issuer":"https://auth.example.com",` + good + `}`, "refusing metadata of another issuer"},
		{"issuer trailing slash", `{"issuer":"` + iss + `/",` + good + `}`, "refusing metadata of another issuer"},
		{"http token endpoint", `{"issuer":"` + iss + `","authorization_endpoint":"https://auth.example.com/a","token_endpoint":"http://auth.example.com/t","code_challenge_methods_supported":["S256"]}`, "loopback"},
		{"bad registration endpoint", `{"issuer":"` + iss + `",` + good + `,"registration_endpoint":"ftp://x/reg"}`, "not https"},
		{"no S256", `{"issuer":"` + iss + `","authorization_endpoint":"https://a/a","token_endpoint":"https://a/t","code_challenge_methods_supported":["plain"]}`, "PKCE S256"},
		{"no PKCE advertised", `{"issuer":"` + iss + `","authorization_endpoint":"https://a/a","token_endpoint":"https://a/t"}`, "PKCE S256"},
		{"no code flow", `{"issuer":"` + iss + `",` + good + `,"response_types_supported":["token"]}`, "authorization code flow"},
		{"no token endpoint", `{"issuer":"` + iss + `","authorization_endpoint":"https://a/a","code_challenge_methods_supported":["S256"]}`, "no token endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := iss
			if tc.name == "loopback http" {
				want, tc.err = "http://127.0.0.1:9/x", ""
			}
			_, err := ParseAuthServer([]byte(tc.body), want)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestWellKnownLocations(t *testing.T) {
	u, _ := url.Parse("https://mcp.example.com/v1/mcp")
	if got := strings.Join(protectedResourceURLs(u), " "); got != "https://mcp.example.com/.well-known/oauth-protected-resource/v1/mcp https://mcp.example.com/.well-known/oauth-protected-resource" {
		t.Errorf("protected resource: %s", got)
	}
	i, _ := url.Parse("https://auth.example.com/tenant1")
	if got := strings.Join(authServerURLs(i), " "); got != "https://auth.example.com/.well-known/oauth-authorization-server/tenant1 https://auth.example.com/.well-known/openid-configuration/tenant1 https://auth.example.com/tenant1/.well-known/openid-configuration" {
		t.Errorf("issuer with path: %s", got)
	}
	i, _ = url.Parse("https://auth.example.com")
	if got := strings.Join(authServerURLs(i), " "); got != "https://auth.example.com/.well-known/oauth-authorization-server https://auth.example.com/.well-known/openid-configuration" {
		t.Errorf("issuer: %s", got)
	}
}

func TestCheckEndpoint(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://a.example/x": true, "http://127.0.0.1:8080/x": true, "http://localhost/x": true, "http://[::1]/x": true,
		"http://a.example/x": false, "http://127.0.0.1.nip.io/x": false, "ftp://a.example": false, "/relative": false,
		"https://user:pw@a.example/": false, "https://a.example/#f": false,
	} {
		if _, err := CheckEndpoint("x", raw); (err == nil) != ok {
			t.Errorf("%s: err %v, want ok=%v", raw, err, ok)
		}
	}
}
