package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/oauth"
)

// The window lists sign-ins without tokens and signs out: the tokens are
// revoked at the authorization server (a real HTTP endpoint here) and the
// sign-in leaves the keychain.
func TestSignInsListAndSignOut(t *testing.T) {
	var mu sync.Mutex
	var revoked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/revoke" || r.ParseForm() != nil {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		mu.Lock()
		revoked = append(revoked, r.PostForm.Get("token"))
		mu.Unlock()
	}))
	defer srv.Close()
	store := oauth.NewStore(&memKeychain{items: map[string]string{}})
	g := &oauth.Grant{Server: "linear", URL: srv.URL + "/mcp", Resource: srv.URL + "/mcp", Issuer: srv.URL,
		TokenEndpoint: srv.URL + "/token", RevocationEndpoint: srv.URL + "/revoke", ClientID: "c",
		AccessToken: "at-" + t.Name(), RefreshToken: "rt-" + t.Name(), Scopes: []string{"read"},
		Expiry: time.Now().Add(time.Hour), SignedIn: time.Now()}
	if err := store.Save(context.Background(), g); err != nil {
		t.Fatal(err)
	}
	s := &SignIns{store: store}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].Server != "linear" || list[0].Status != "signed_in" || list[0].ExpiresAt == nil {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if b, _ := json.Marshal(list); strings.Contains(string(b), t.Name()) {
		t.Fatalf("a token reached the window: %s", b)
	}
	res, err := s.SignOut("linear")
	if err != nil || !res.Revoked {
		t.Fatalf("SignOut = %+v, %v", res, err)
	}
	mu.Lock()
	if len(revoked) == 0 || revoked[0] != "rt-"+t.Name() {
		t.Errorf("revoked %q, want the refresh token first", revoked)
	}
	mu.Unlock()
	if list, _ := s.List(); len(list) != 0 {
		t.Errorf("after sign-out List = %+v", list)
	}
	if _, err := s.SignOut("linear"); err == nil {
		t.Error("a second sign-out succeeded")
	}
}

// A server a shim reports as needing a sign-in is announced to the window
// and by a notification; nothing opens a browser. Sign in with a server
// that offers no OAuth fails without opening one and keeps the request.
func TestSignInNeededAnnouncedNotOpened(t *testing.T) {
	c := openCore(t)
	a := New(c, quiet)
	n := &fakeNotifier{shown: map[string]notify.Notification{}}
	a.SetNotifier(n)
	var mu sync.Mutex
	var emitted []string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		a.forwardSignIns(ctx, c, func(name string, _ ...any) { mu.Lock(); emitted = append(emitted, name); mu.Unlock() })
		close(done)
	}()
	noOAuth := httptest.NewServer(http.NotFoundHandler())
	defer noOAuth.Close()
	eventually(t, "the request reaches the window", func() bool {
		// reports before the subscription starts are not announced: repeat
		// until one is (the core tells subscribers once per server)
		c.SignedIn("linear")
		if err := c.SignInNeeded(context.Background(), localapi.SignInNeeded{Server: "linear", URL: noOAuth.URL + "/mcp"}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(emitted, EventSignInNeeded)
	})
	x, ok, _ := n.get(signInKeyPrefix + "linear")
	if !ok || !strings.Contains(x.Summary, "linear needs you to sign in") || !strings.Contains(x.Body, "browser opens only then") {
		t.Fatalf("notification: %+v (shown %v)", x, ok)
	}
	opened := 0
	s := newSignIns(c)
	s.store = oauth.NewStore(&memKeychain{items: map[string]string{}})
	s.open = func(string) error { opened++; return nil }
	if list, _ := s.Needed(); len(list) != 1 || list[0].Server != "linear" {
		t.Fatalf("Needed = %+v", list)
	}
	if _, err := s.SignIn("linear", noOAuth.URL+"/mcp"); err == nil {
		t.Fatal("sign-in to a server without OAuth succeeded")
	}
	if opened != 0 {
		t.Errorf("the browser was opened %d times for a server without OAuth", opened)
	}
	if list, _ := s.Needed(); len(list) != 1 {
		t.Errorf("a failed sign-in cleared the request: %+v", list)
	}
	cancel()
	<-done
}
