package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/countersign/countersign/internal/clients"
)

// TestWrapRemoteEntry wraps a VS Code remote (Streamable HTTP) entry with
// the real binary: the entry becomes a stdio launch of shim --url with its
// header moved to --header, the client's launch of it reaches a real MCP
// server (the Go SDK's) through the core, a tools/call waits for approval,
// and unwrap restores the file byte for byte.
func TestWrapRemoteEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the countersign binary; skipped with -short")
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "remote-greeter", Version: "1"}, nil)
	type greetIn struct {
		Name string `json:"name"`
	}
	mcp.AddTool(server, &mcp.Tool{Name: "greet", Description: "Greets someone."},
		func(_ context.Context, _ *mcp.CallToolRequest, in greetIn) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hello " + in.Name}}}, nil, nil
		})
	var mu sync.Mutex
	var seen []string
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("X-Test"))
		mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	defer srv.Close()

	w := newSecretsWorld(t)
	cfgPath := filepath.Join(w.home, ".config", "Code", "User", "mcp.json")
	cfg := "{\n  // remote servers\n  \"servers\": {\n    \"greeter\": {\n      \"type\": \"http\",\n      \"url\": \"" + srv.URL + "/mcp\",\n" +
		"      \"headers\": { \"X-Test\": \"hello-header\" },\n      \"dev\": { \"watch\": false },\n    },\n  },\n}\n"
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	w.startDaemon()
	if code, out, errOut := w.cs("", nil, "wrap", "vscode", "greeter"); code != 0 || !strings.Contains(out, "greeter  wrapped") {
		t.Fatalf("wrap: exit %d\n%s%s", code, out, errOut)
	}
	data, _ := os.ReadFile(cfgPath)
	a, _ := clients.AdapterFor("vscode", cfgPath)
	servers, err := clients.Parse(data, a)
	if err != nil || len(servers) != 1 || !servers[0].Wrapped || servers[0].URL != srv.URL+"/mcp" {
		t.Fatalf("rewritten file: %v %+v\n%s", err, servers, data)
	}
	if !strings.Contains(string(data), `"type": "stdio"`) || strings.Contains(string(data), `"headers"`) ||
		!strings.Contains(string(data), "// remote servers") || !strings.Contains(string(data), `"dev": { "watch": false },`) {
		t.Errorf("the rewrite touched more than the transport keys:\n%s", data)
	}

	// launch it as VS Code would, and talk MCP to it
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, servers[0].Command, servers[0].Args...)
	cmd.Env = w.env
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(stdout)
	send := func(s string) { stdin.Write([]byte(s + "\n")) }
	recv := func(what string) string {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v\nshim stderr:\n%s", what, err, stderr)
		}
		return line
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"vscode","version":"1"}}}`)
	if l := recv("initialize"); !strings.Contains(l, `"remote-greeter"`) {
		t.Fatalf("initialize answer: %s", l)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"greet","arguments":{"name":"Ada"}}}`)
	var id string
	for id == "" && ctx.Err() == nil {
		_, out, _ := w.cs("", nil, "pending", "--json")
		var ps []struct{ ID, Server, Tool string }
		json.Unmarshal([]byte(out), &ps)
		for _, p := range ps {
			if p.Server == "greeter" && p.Tool == "greet" {
				id = p.ID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if id == "" {
		t.Fatalf("the remote tools/call never waited for approval\nshim stderr:\n%s", stderr)
	}
	if code, out, errOut := w.cs("", nil, "approve", id); code != 0 {
		t.Fatalf("approve: %d %s%s", code, out, errOut)
	}
	if l := recv("tools/call answer"); !strings.Contains(l, "hello Ada") {
		t.Fatalf("tools/call answer: %s", l)
	}
	stdin.Close()
	cmd.Wait()
	mu.Lock()
	if len(seen) == 0 || seen[0] != "hello-header" {
		t.Errorf("the server saw X-Test %q, want the header moved from the config", seen)
	}
	mu.Unlock()

	if code, out, errOut := w.cs("", nil, "unwrap", "vscode", "greeter"); code != 0 || !strings.Contains(out, "exact original restored") {
		t.Fatalf("unwrap: exit %d\n%s%s", code, out, errOut)
	}
	if now, _ := os.ReadFile(cfgPath); string(now) != cfg {
		t.Errorf("unwrap did not restore the file:\n%s", now)
	}
}
