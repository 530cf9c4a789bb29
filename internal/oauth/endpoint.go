package oauth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrInsecure: an endpoint or server URL that is not https (http is
// accepted for loopback hosts only).
var ErrInsecure = errors.New("not https")

// CheckEndpoint parses raw and accepts it only as an absolute https URL, or
// http to a loopback host, without user info or fragment. what names the
// URL in the error.
func CheckEndpoint(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("oauth: %s is not a URL: %w", what, err)
	}
	if !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("oauth: %s %q is not an absolute URL", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("oauth: %s carries user info, which is not accepted", what)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("oauth: %s %q has a fragment", what, raw)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("oauth: refusing %s %s: %w (http is allowed only for a loopback host)", what, OriginOf(u), ErrInsecure)
		}
	default:
		return nil, fmt.Errorf("oauth: %s %q: scheme %q is not https", what, raw, u.Scheme)
	}
	return u, nil
}

// IsLoopbackHost reports whether h (a URL's Hostname) names this machine:
// "localhost" or a loopback address.
func IsLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// OriginOf is scheme://host:port of u with the default port made explicit:
// the unit a credential is bound to.
func OriginOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Origin is the origin of a URL (scheme://host:port, default port explicit),
// or "" when raw does not parse.
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return OriginOf(u)
}

// covers reports whether a token bound to resource may be used for target:
// the same origin, and resource's path is target's path or one of its
// parent paths (whole segments). This is how the MCP spec's clients match a
// resource indicator to the server URL.
func covers(resource, target *url.URL) bool {
	if OriginOf(resource) != OriginOf(target) {
		return false
	}
	rp := strings.TrimSuffix(resource.EscapedPath(), "/")
	tp := strings.TrimSuffix(target.EscapedPath(), "/")
	return rp == "" || rp == tp || strings.HasPrefix(tp, rp+"/")
}

// canonicalResource is the server URL as a resource indicator (RFC 8707
// and the MCP spec): lower-case scheme and host, no fragment, no query.
func canonicalResource(u *url.URL) string {
	c := *u
	c.Scheme = strings.ToLower(c.Scheme)
	c.Host = strings.ToLower(c.Host)
	c.Fragment, c.RawFragment, c.RawQuery, c.ForceQuery = "", "", "", false
	return c.String()
}
