package shim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/oauth"
)

// BearerSource gives a remote server's OAuth access token to the shim
// (internal/oauth's Session in production). The shim never starts a login:
// when one is needed, Renew's error says what the person must run, and the
// client gets that as the answer to its request.
type BearerSource interface {
	// Token returns the access token to send ("" for none).
	Token(ctx context.Context) (string, error)
	// Renew is called after a 401 to a request sent with stale ("" when
	// none was sent) and the WWW-Authenticate value challenge. It returns
	// a token to retry with once, "" with no error to let the 401 stand,
	// or an error for the client.
	Renew(ctx context.Context, stale, challenge string) (string, error)
}

// authError is a request the shim did not send, or sent in vain, because
// the server needs a sign-in the shim cannot do itself.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// bearerTransport adds the access token to requests for the configured
// origin only, checked on every request, redirects included: net/http
// sends each hop through the transport, after checkRedirect has stripped
// credentials for another origin, and this transport must not put them
// back. A 401 is answered once by Renew and a retry.
type bearerTransport struct {
	base   http.RoundTripper
	src    BearerSource
	origin string
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if oauth.OriginOf(req.URL) != t.origin || req.Header.Get("Authorization") != "" {
		return t.base.RoundTrip(req)
	}
	tok, err := t.src.Token(req.Context())
	if err != nil {
		return nil, &authError{err}
	}
	resp, err := t.base.RoundTrip(withBearer(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	challenge := strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
	fresh, err := t.src.Renew(req.Context(), tok, challenge)
	if err != nil || fresh == "" || fresh == tok {
		if err != nil {
			drain(resp)
			return nil, &authError{err}
		}
		return resp, nil
	}
	retry := withBearer(req, fresh)
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil // cannot replay it; the 401 stands
		}
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		retry.Body = body
	}
	drain(resp)
	return t.base.RoundTrip(retry)
}

// withBearer is req with tok as its bearer token (none for "").
func withBearer(req *http.Request, tok string) *http.Request {
	if tok == "" {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// describeAuth words an authError for the client, or "" for another error.
func (r *remote) describeAuth(err error) string {
	var ae *authError
	if !errors.As(err, &ae) {
		return ""
	}
	return fmt.Sprintf("the remote MCP server %s needs authorization: %v", r.name, ae.err)
}

// signInReportEvery bounds how often one shim tells the core that its
// server needs a sign-in (each failed request would).
const signInReportEvery = 30 * time.Second

// signInReporter returns the hook that tells the core, in the background
// and at most every signInReportEvery, that cfg's remote server needs a
// sign-in. The desktop app asks the person; a core that is down misses it.
func signInReporter(api *localapi.Client, cfg Config) func() {
	var mu sync.Mutex
	var last time.Time
	return func() {
		mu.Lock()
		if !last.IsZero() && time.Since(last) < signInReportEvery {
			mu.Unlock()
			return
		}
		last = time.Now()
		mu.Unlock()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := api.SignInNeeded(ctx, localapi.SignInNeeded{Server: cfg.Name, Client: cfg.Client, URL: cfg.URL, At: time.Now()})
			if err != nil {
				cfg.Log.Debug("could not tell the core about the needed sign-in", "err", err)
			}
		}()
	}
}
