package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

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
