package shim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/oauth"
)

// fakeBearer is the shim's own BearerSource interface, scripted: token is
// handed out, Renew answers with renewTo (or renewErr) and records calls.
type fakeBearer struct {
	mu       sync.Mutex
	token    string
	renewTo  string
	renewErr error
	renews   []string // "stale|challenge"
}

func (f *fakeBearer) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token, nil
}

func (f *fakeBearer) Renew(_ context.Context, stale, challenge string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renews = append(f.renews, stale+"|"+challenge)
	if f.renewErr != nil {
		return "", f.renewErr
	}
	f.token = f.renewTo
	return f.renewTo, nil
}

// The OAuth token goes to the configured origin only: a redirect to
// another origin arrives there without it, and the bearer transport does
// not put it back on that hop.
func TestRemoteBearerOnlyToItsOrigin(t *testing.T) {
	other := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}`)
	})
	first := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		http.Redirect(w, r, other.URL+"/mcp", http.StatusTemporaryRedirect)
	})
	src := &fakeBearer{token: "oauth-token-1"}
	r, lines := startTestRemote(t, Config{URL: first.URL + "/mcp", Transport: "http", Auth: src})
	send(t, r, initReq)
	if got := nextLine(t, lines); !strings.Contains(got, `"result"`) {
		t.Fatalf("initialize: %q", got)
	}
	if q := first.requests(); len(q) == 0 || q[0].header.Get("Authorization") != "Bearer oauth-token-1" {
		t.Errorf("the configured origin did not get the token: %v", q)
	}
	for _, q := range other.requests() {
		if v := q.header.Get("Authorization"); v != "" {
			t.Errorf("another origin received Authorization %q", v)
		}
	}
}

// A 401 is answered by Renew and one retry with the new token and the
// same body; a Renew error reaches the client as a JSON-RPC error naming
// what to do; an explicit --header Authorization wins over OAuth.
func TestRemoteBearerRenew(t *testing.T) {
	var mu sync.Mutex
	valid := "fresh"
	srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		mu.Lock()
		ok := r.Header.Get("Authorization") == "Bearer "+valid
		mu.Unlock()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", resource_metadata="https://x/.well-known/oauth-protected-resource"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}`)
	})

	t.Run("refresh and retry", func(t *testing.T) {
		src := &fakeBearer{token: "stale", renewTo: "fresh"}
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, `"result"`) {
			t.Fatalf("initialize: %q", got)
		}
		if len(src.renews) != 1 || !strings.HasPrefix(src.renews[0], "stale|Bearer error=") {
			t.Errorf("renews %q", src.renews)
		}
		reqs := srv.requests()
		last := reqs[len(reqs)-1]
		if last.header.Get("Authorization") != "Bearer fresh" || last.body != initReq+"\n" {
			t.Errorf("retry: %v %q", last.header.Get("Authorization"), last.body)
		}
	})

	t.Run("sign-in needed", func(t *testing.T) {
		src := &fakeBearer{renewErr: errors.New("sign-in required for r; sign in with: countersign auth login r --url https://x/mcp")}
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src})
		send(t, r, initReq)
		got := nextLine(t, lines)
		if !strings.Contains(got, `"error"`) || !strings.Contains(got, "needs authorization") || !strings.Contains(got, "countersign auth login r --url https://x/mcp") || !strings.Contains(got, `"id":0`) {
			t.Fatalf("client got %q", got)
		}
	})

	t.Run("sign-in needed is reported to the core", func(t *testing.T) {
		src := &fakeBearer{renewErr: fmt.Errorf("%w for r; sign in with: countersign auth login r --url https://x/mcp", oauth.ErrLoginRequired)}
		reported := make(chan struct{}, 4)
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src,
			signInNeeded: func() { reported <- struct{}{} }})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, "countersign auth login r") {
			t.Fatalf("client got %q", got)
		}
		select {
		case <-reported:
		case <-time.After(5 * time.Second):
			t.Fatal("the needed sign-in was not reported")
		}
	})

	t.Run("other failures are not reported as a needed sign-in", func(t *testing.T) {
		src := &fakeBearer{renewErr: errors.New("the keychain is locked")}
		reported := make(chan struct{}, 4)
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src,
			signInNeeded: func() { reported <- struct{}{} }})
		send(t, r, initReq)
		nextLine(t, lines)
		select {
		case <-reported:
			t.Fatal("a keychain error was reported as a needed sign-in")
		case <-time.After(200 * time.Millisecond):
		}
	})

	t.Run("not oauth: the 401 stands", func(t *testing.T) {
		src := &fakeBearer{} // Renew returns "" and no error
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, "HTTP 401") {
			t.Fatalf("client got %q", got)
		}
	})

	t.Run("explicit header wins", func(t *testing.T) {
		src := &fakeBearer{token: "oauth"}
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer fresh")
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Transport: "http", Auth: src, Headers: hdr})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, `"result"`) {
			t.Fatalf("initialize: %q", got)
		}
		if len(src.renews) != 0 {
			t.Errorf("OAuth was consulted despite --header Authorization")
		}
	})
}
