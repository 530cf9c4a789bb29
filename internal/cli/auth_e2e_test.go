//go:build !windows

package cli

// End to end: `countersign auth` and `countersign shim --url` against a real
// authorization server (oidc-provider, with dynamic registration, PKCE and
// resource indicators) and a real bearer-protected MCP server (TypeScript
// SDK), both from test/oauth/server.mjs; the client is the TypeScript SDK
// (test/e2e/driver.mjs). Keychain: a real Secret Service. Run with
//
//	scripts/with-keyring.sh go test -race ./internal/cli/ -run Auth

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// oauthNodeDirs finds test/oauth and test/e2e with their node_modules;
// without them (or node) the test skips locally and fails in CI, where
// `make test` installs them.
func oauthNodeDirs(t *testing.T) (oauthDir, e2eDir string) {
	t.Helper()
	oauthDir, _ = filepath.Abs("../../test/oauth")
	e2eDir, _ = filepath.Abs("../../test/e2e")
	_, err1 := os.Stat(filepath.Join(oauthDir, "node_modules/oidc-provider/package.json"))
	_, err2 := os.Stat(filepath.Join(e2eDir, "node_modules/@modelcontextprotocol/sdk/package.json"))
	_, err3 := exec.LookPath("node")
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			msg := fmt.Sprintf("needs node and npm ci in test/oauth and test/e2e (scripts/deps.sh): %v", err)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	return oauthDir, e2eDir
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// oauthPeers runs server.mjs and returns the MCP server's URL.
type oauthPeers struct {
	t      *testing.T
	issuer string
	mcp    string
	stderr *lockedBuffer
}

func startOAuthPeers(t *testing.T, dir string, accessTTL int) *oauthPeers {
	t.Helper()
	cmd := exec.Command("node", filepath.Join(dir, "server.mjs"))
	cmd.Env = append(os.Environ(), fmt.Sprintf("AS_PORT=%d", freeTCPPort(t)), fmt.Sprintf("MCP_PORT=%d", freeTCPPort(t)), fmt.Sprintf("ACCESS_TTL=%d", accessTTL))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &oauthPeers{t: t, stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		if t.Failed() {
			t.Logf("server.mjs stderr:\n%s", p.stderr)
		}
	})
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		var ready struct{ Issuer, MCP string }
		if !ok || json.Unmarshal([]byte(l), &ready) != nil {
			t.Fatalf("server.mjs did not start: %q\n%s", l, p.stderr)
		}
		p.issuer, p.mcp = ready.Issuer, ready.MCP
	case <-time.After(30 * time.Second):
		t.Fatalf("server.mjs did not start within 30 s:\n%s", p.stderr)
	}
	return p
}

type peerStats struct {
	Grants []struct {
		GrantType       string  `json:"grant_type"`
		Resource        *string `json:"resource"`
		HasCodeVerifier bool    `json:"has_code_verifier"`
		Status          int     `json:"status"`
	} `json:"grants"`
	Registrations int `json:"registrations"`
	Revocations   []struct {
		Hint   string `json:"hint"`
		Status int    `json:"status"`
	} `json:"revocations"`
	MCP []struct {
		Method string `json:"method"`
		Token  bool   `json:"token"`
		Valid  bool   `json:"valid"`
	} `json:"mcp"`
}

func (p *oauthPeers) stats() peerStats {
	p.t.Helper()
	u, _ := url.Parse(p.mcp)
	u.Path = "/stats"
	resp, err := http.Get(u.String())
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s peerStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// login runs `auth login --no-browser` and plays the browser: it follows
// the printed address (the provider's interactions approve at once) to the
// loopback redirect. It returns the command's exit code and output.
func (w *secretsWorld) login(name, mcpURL string, follow func(authURL string)) (int, string, string) {
	t := w.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, w.bin, "auth", "login", name, "--url", mcpURL, "--no-browser", "--timeout", "30s")
	c.Env = w.env
	var out bytes.Buffer
	errLog := &lockedBuffer{}
	c.Stdout = &out
	pr, pw := io.Pipe()
	c.Stderr = pw
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(pr)
		sent := false
		for s.Scan() {
			fmt.Fprintln(errLog, s.Text())
			if l := strings.TrimSpace(s.Text()); !sent && strings.HasPrefix(l, "http") {
				found <- l
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	done := make(chan error, 1)
	go func() { done <- c.Wait(); pw.Close() }()
	select {
	case u, ok := <-found:
		if ok {
			follow(u)
		}
	case <-done:
		pw.Close()
		done <- nil
	}
	err := <-done
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("auth login: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // the scanner drains the last lines
	return code, out.String(), errLog.String()
}

// browser follows an authorization URL like a browser that is already
// logged in would: redirects with cookies, up to the loopback callback.
func browser(t *testing.T) func(string) {
	return func(authURL string) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
		resp, err := c.Get(authURL)
		if err != nil {
			t.Errorf("browser: %v", err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Hostname() != "127.0.0.1" || resp.Request.URL.Path != "/callback" {
			t.Errorf("browser ended at %s with %d: %s", resp.Request.URL.Redacted(), resp.StatusCode, body)
		}
	}
}

// callWhoami runs the TypeScript SDK client through `countersign shim --url`
// and calls whoami once; it returns the driver's events.
func (w *secretsWorld) callWhoami(e2eDir, name, mcpURL string) []map[string]any {
	t := w.t
	t.Helper()
	steps := []map[string]any{
		{"op": "connect", "command": w.bin, "args": []string{"shim", "--name", name, "--url", mcpURL}, "client_name": "oauth-e2e"},
		{"op": "call", "id": 1, "name": "whoami", "arguments": map[string]any{}, "timeout_ms": 20000},
		{"op": "close"},
	}
	b, _ := json.Marshal(steps)
	f := filepath.Join(t.TempDir(), "scenario.json")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "node", filepath.Join(e2eDir, "driver.mjs"), "--scenario", f)
	c.Env = w.env
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("driver: %v\nstdout %s\nstderr %s", err, out, stderr.String())
	}
	var events []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(l), &ev) != nil {
			t.Fatalf("driver printed %q", l)
		}
		events = append(events, ev)
	}
	t.Logf("driver events: %s\nshim stderr: %s", out, stderr.String())
	return events
}

func eventOf(events []map[string]any, kind string) map[string]any {
	for _, ev := range events {
		if ev["event"] == kind {
			return ev
		}
	}
	return nil
}

// authListEntry is the --json shape of `auth list`.
type authListEntry struct {
	Server      string   `json:"server"`
	URL         string   `json:"url"`
	Issuer      string   `json:"issuer"`
	Resource    string   `json:"resource"`
	Scopes      []string `json:"scopes"`
	ExpiresAt   *string  `json:"expires_at"`
	Status      string   `json:"status"`
	Refreshable bool     `json:"refreshable"`
	SignedInAt  *string  `json:"signed_in_at"`
}

func (w *secretsWorld) authList() []authListEntry {
	w.t.Helper()
	code, out, errOut := w.cs("", nil, "auth", "list", "--json")
	if code != 0 {
		w.t.Fatalf("auth list --json: exit %d: %s", code, errOut)
	}
	var got []authListEntry
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || dec.More() {
		w.t.Fatalf("auth list --json is not one document of the documented shape (%v):\n%s", err, out)
	}
	return got
}

func TestAuthEndToEnd(t *testing.T) {
	requireSecretKeyring(t)
	oauthDir, e2eDir := oauthNodeDirs(t)
	const ttl = 6
	peers := startOAuthPeers(t, oauthDir, ttl)
	w := newSecretsWorld(t)
	w.startDaemon()
	name := "cstest-oauth-" + secretRand(t)
	t.Cleanup(func() { w.cs("", nil, "auth", "logout", name) })
	if code, _, errOut := w.cs("", nil, "rules", "add", "allow", "--server", name); code != 0 {
		t.Fatalf("rules add: %d %s", code, errOut)
	}

	// Before signing in: the client's initialize fails with an error that
	// names the command; no browser, no token.
	events := w.callWhoami(e2eDir, name, peers.mcp)
	fatal := eventOf(events, "fatal")
	if fatal == nil || !strings.Contains(fmt.Sprint(fatal["message"]), "countersign auth login "+name+" --url "+peers.mcp) {
		t.Fatalf("before login: want an error naming `countersign auth login %s --url %s`, got %v", name, peers.mcp, events)
	}

	// Sign in: dynamic registration, PKCE, resource on both requests.
	code, out, errOut := w.login(name, peers.mcp, browser(t))
	if code != 0 || !strings.Contains(out, "Signed in to "+name) {
		t.Fatalf("auth login: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	st := peers.stats()
	if st.Registrations != 1 || len(st.Grants) != 1 || st.Grants[0].GrantType != "authorization_code" ||
		st.Grants[0].Resource == nil || *st.Grants[0].Resource != peers.mcp || !st.Grants[0].HasCodeVerifier || st.Grants[0].Status != 200 {
		t.Fatalf("login at the provider: %+v", st)
	}

	// The tokens are in the keychain item oauth.NAME and nowhere on disk.
	raw, ok := secretToolLookup(t, "oauth."+name)
	if !ok {
		t.Fatalf("no keychain item oauth.%s after login", name)
	}
	var stored struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ClientID     string `json:"client_id"`
		Resource     string `json:"resource"`
		Issuer       string `json:"issuer"`
	}
	if err := json.Unmarshal([]byte(raw), &stored); err != nil || stored.AccessToken == "" || stored.RefreshToken == "" {
		t.Fatalf("keychain item is not a sign-in with both tokens (%v)", err)
	}
	if stored.Resource != peers.mcp || stored.Issuer != peers.issuer {
		t.Errorf("stored resource %q issuer %q, want %q %q", stored.Resource, stored.Issuer, peers.mcp, peers.issuer)
	}
	for _, tok := range []string{stored.AccessToken, stored.RefreshToken} {
		if hits := append(filesContaining(t, w.state, []byte(tok)), filesContaining(t, w.home, []byte(tok))...); len(hits) > 0 {
			t.Errorf("a token is on disk: %v", hits)
		}
		if strings.Contains(out+errOut, tok) {
			t.Errorf("auth login printed a token")
		}
	}

	// auth list: shape and content, no token.
	var entry *authListEntry
	for _, e := range w.authList() {
		if e.Server == name {
			entry = &e
		}
	}
	if entry == nil || entry.Issuer != peers.issuer || entry.Resource != peers.mcp || entry.Status != "signed_in" ||
		!entry.Refreshable || entry.ExpiresAt == nil || entry.SignedInAt == nil || strings.Join(entry.Scopes, " ") != "mcp:tools" {
		t.Fatalf("auth list entry: %+v", entry)
	}
	_, listOut, _ := w.cs("", nil, "auth", "list")
	if !strings.Contains(listOut, name) || strings.Contains(listOut, stored.AccessToken) {
		t.Errorf("auth list table: %s", listOut)
	}

	// A real tools/call through the shim with the token.
	events = w.callWhoami(e2eDir, name, peers.mcp)
	res := eventOf(events, "result")
	if res == nil || res["is_error"] != false || !strings.Contains(fmt.Sprint(res["texts"]), `"sub":"test-user"`) {
		t.Fatalf("whoami through the shim: %v", events)
	}
	if n := countGrants(peers.stats(), "refresh_token"); n != 0 {
		t.Errorf("%d refreshes of a fresh token", n)
	}

	// After the access token expired: the shim refreshes it (with the
	// resource parameter), stores the new one, and the call goes through.
	time.Sleep((ttl + 1) * time.Second)
	if e := w.authList(); len(e) == 0 || findEntry(e, name).Status != "expired" {
		t.Errorf("auth list after expiry: %+v", e)
	}
	events = w.callWhoami(e2eDir, name, peers.mcp)
	res = eventOf(events, "result")
	if res == nil || res["is_error"] != false || !strings.Contains(fmt.Sprint(res["texts"]), `"sub":"test-user"`) {
		t.Fatalf("whoami after expiry: %v", events)
	}
	st = peers.stats()
	if countGrants(st, "refresh_token") != 1 {
		t.Fatalf("want one refresh, got %+v", st.Grants)
	}
	for _, g := range st.Grants {
		if g.GrantType == "refresh_token" && (g.Resource == nil || *g.Resource != peers.mcp || g.Status != 200) {
			t.Errorf("refresh at the provider: %+v", g)
		}
	}
	for _, m := range st.MCP {
		if m.Token && !m.Valid {
			t.Errorf("the shim sent an invalid or expired token: %+v", st.MCP)
			break
		}
	}
	raw2, _ := secretToolLookup(t, "oauth."+name)
	var stored2 struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal([]byte(raw2), &stored2)
	if stored2.AccessToken == "" || stored2.AccessToken == stored.AccessToken {
		t.Errorf("the refreshed token was not stored in the keychain")
	}
	if e := findEntry(w.authList(), name); e.Status != "signed_in" {
		t.Errorf("auth list after refresh: %+v", e)
	}

	// Logout revokes at the provider and removes the item.
	code, out, errOut = w.cs("", nil, "auth", "logout", name)
	if code != 0 || !strings.Contains(out, "tokens revoked") {
		t.Fatalf("auth logout: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if len(peers.stats().Revocations) == 0 {
		t.Errorf("logout did not reach the revocation endpoint")
	}
	if _, ok := secretToolLookup(t, "oauth."+name); ok {
		t.Errorf("keychain item oauth.%s is still there after logout", name)
	}
	if e := findEntry(w.authList(), name); e.Server != "" {
		t.Errorf("auth list after logout still lists %s", name)
	}
	// The revoked refresh token no longer works at the provider.
	var latest struct {
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal([]byte(raw2), &latest)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {latest.RefreshToken}, "client_id": {stored.ClientID}, "resource": {peers.mcp}}
	resp, err := http.PostForm(peers.issuer+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the revoked refresh token got HTTP %d at the provider", resp.StatusCode)
	}
	// And the shim is back to telling the person to sign in.
	events = w.callWhoami(e2eDir, name, peers.mcp)
	if f := eventOf(events, "fatal"); f == nil || !strings.Contains(fmt.Sprint(f["message"]), "countersign auth login "+name) {
		t.Errorf("after logout: %v", events)
	}
	code, _, errOut = w.cs("", nil, "auth", "logout", name)
	if code != 1 || !strings.Contains(errOut, "not signed in to "+name) {
		t.Errorf("second logout: exit %d, %s", code, errOut)
	}
}

func countGrants(s peerStats, kind string) int {
	n := 0
	for _, g := range s.Grants {
		if g.GrantType == kind {
			n++
		}
	}
	return n
}

func findEntry(es []authListEntry, name string) authListEntry {
	for _, e := range es {
		if e.Server == name {
			return e
		}
	}
	return authListEntry{}
}

// Usage errors (exit 2) and refusals (exit 1) of `auth`, before anything
// is sent or stored.
func TestAuthUsage(t *testing.T) {
	w := newSecretsWorld(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"login without url", []string{"auth", "login", "x"}, 2, "--url is required"},
		{"login without name", []string{"auth", "login", "--url", "https://x.example/mcp"}, 2, "takes 1 argument"},
		{"login bad name", []string{"auth", "login", "a b", "--url", "https://x.example/mcp"}, 2, "cannot name a keychain item"},
		{"login plain http", []string{"auth", "login", "x", "--url", "http://x.example/mcp"}, 2, "refusing --url http://x.example:80"},
		{"logout without name", []string{"auth", "logout"}, 2, "takes 1 argument"},
		{"list with args", []string{"auth", "list", "x"}, 2, "takes 0 argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := w.cs("", nil, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
