// Package oauth owns OAuth for remote MCP servers, as the MCP authorization
// spec describes it: discovery from a 401's WWW-Authenticate challenge (or
// the well-known location) of the protected-resource metadata (RFC 9728)
// and of the authorization server's metadata (RFC 8414, with the OpenID
// Connect discovery fallback), dynamic client registration (RFC 7591) or a
// client id the user configured, the authorization code flow with PKCE
// (S256), a loopback redirect and a checked state, the resource parameter
// (RFC 8707) on every authorization and token request, refresh, and
// revocation (RFC 7009) on logout. golang.org/x/oauth2 builds the
// authorization URL and does the code exchange and the refresh.
//
// Every endpoint must be https, or http to a loopback host; the issuer of
// the authorization server's metadata must be the one the resource named;
// a resource whose metadata names another origin (or a path that does not
// cover the server's URL) is refused, so a token is only ever bound to,
// and handed out for, the server it was asked for. Anything unexpected
// fails closed.
//
// Tokens and registered client credentials live only in the OS keychain,
// through vault.Keychain: one item per server ("oauth.NAME") holding a
// JSON [Grant], plus an index item listing the signed-in servers. The
// package never prints, logs or puts into an error a token, a client
// secret, an authorization code or a PKCE verifier, and it never opens a
// browser itself: [Login] hands the authorization URL to its caller. It
// imports no internal package but vault.
package oauth
