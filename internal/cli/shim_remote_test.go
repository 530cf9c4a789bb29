package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The shim's command line for remote servers: usage errors and refusals
// happen before anything is sent.
func TestShimRemoteUsage(t *testing.T) {
	w := newSecretsWorld(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"url and command", []string{"--name", "r", "--url", "https://x.example/mcp", "--", "node", "s.js"}, 2, "either --url or a server command"},
		{"header without url", []string{"--name", "r", "--header", "A: b", "--", "node"}, 2, "need --url"},
		{"bad transport", []string{"--name", "r", "--url", "https://x.example/mcp", "--transport", "ws"}, 2, "--transport must be"},
		{"env with url", []string{"--name", "r", "--url", "https://x.example/mcp", "--env", "K=secret:n"}, 2, "--env is for a server command"},
		{"no name", []string{"--url", "https://x.example/mcp"}, 2, "--name is required"},
		{"plain http to the network", []string{"--name", "r", "--url", "http://x.example/mcp"}, 1, "refusing http://x.example"},
		{"bad header spec", []string{"--name", "r", "--url", "https://x.example/mcp", "--header", "no colon"}, 1, "not starting r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := w.cs("", nil, append([]string{"shim"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

// --header secret:NAME is read from the real keychain at start: the server
// gets the value, the command line and config never hold it; a missing
// secret stops the shim before any request.
func TestShimRemoteHeaderSecret(t *testing.T) {
	requireSecretKeyring(t)
	var mu sync.Mutex
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if bytes.Contains(b, []byte(`"initialize"`)) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"s","version":"1"}}}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	w := newSecretsWorld(t)
	w.startDaemon()
	name := "cstest-remote-" + secretRand(t)
	t.Cleanup(func() { w.cs("", nil, "secrets", "rm", name) })
	if code, _, errOut := w.cs("tok-"+name, nil, "secrets", "set", name); code != 0 {
		t.Fatalf("secrets set: %d %s", code, errOut)
	}
	init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}` + "\n"
	code, out, errOut := w.cs(init, nil, "shim", "--name", "r", "--url", srv.URL+"/mcp", "--header", "Authorization: Bearer secret:"+name)
	if code != 0 || !strings.Contains(out, `"serverInfo"`) {
		t.Fatalf("shim: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if strings.Contains(errOut, "tok-"+name) {
		t.Errorf("the secret value appeared on stderr: %s", errOut)
	}
	mu.Lock()
	if len(auth) == 0 || auth[0] != "Bearer tok-"+name {
		t.Errorf("server saw Authorization %q", auth)
	}
	n := len(auth)
	mu.Unlock()

	code, _, errOut = w.cs(init, nil, "shim", "--name", "r", "--url", srv.URL+"/mcp", "--header", "Authorization: Bearer secret:"+name+"-missing")
	if code != 1 || !strings.Contains(errOut, "not starting r") || !strings.Contains(errOut, name+"-missing") {
		t.Errorf("missing secret: exit %d, stderr %s", code, errOut)
	}
	mu.Lock()
	if len(auth) != n {
		t.Errorf("the server got a request from a shim whose secret is missing")
	}
	mu.Unlock()
}
