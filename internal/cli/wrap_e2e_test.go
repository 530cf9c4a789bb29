package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/clients"
)

// shEchoServer is a tiny stdio MCP server in POSIX sh: it answers
// initialize and tools/call (ids 1 and 2 of the test) with one line each.
const shEchoServer = `while IFS= read -r line; do
  case "$line" in
    *'"initialize"'*) printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"sh-echo","version":"1"}}}';;
    *'"tools/call"'*) printf '%s\n' '{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"called sh-echo"}]}}';;
  esac
done`

// TestWrappedServerRunsThroughShim wraps a Claude Desktop config with a
// real countersign binary, then launches the server exactly as the client
// would (command and args read back from the rewritten file) with a real
// `countersign daemon` running: initialize reaches the server, and a
// tools/call waits until it is approved through the CLI.
func TestWrappedServerRunsThroughShim(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the countersign binary; skipped with -short")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh for the test MCP server: " + err.Error())
	}
	pkgDir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	h := setupHome(t, false)
	bin := filepath.Join(filepath.Dir(h.home), "bin", "countersign")
	build := exec.Command("go", "build", "-o", bin, "github.com/countersign/countersign/cmd/countersign")
	build.Dir = pkgDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "HOME="+h.home, "COUNTERSIGN_HOME="+h.state, "XDG_CONFIG_HOME=", "XDG_RUNTIME_DIR=")
	cs := func(args ...string) (string, error) {
		c := exec.Command(bin, args...)
		c.Env, c.Dir = env, h.project
		out, err := c.CombinedOutput()
		return string(out), err
	}

	var data []byte
	cfgPath := filepath.Join(h.home, ".config", "Claude", "claude_desktop_config.json")
	cfg, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{
		"echo": map[string]any{"command": "sh", "args": []string{"-c", shEchoServer}},
	}}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	daemon := exec.CommandContext(ctx, bin, "daemon")
	daemon.Env, daemon.Dir = env, h.project
	daemonLog := &lockedWriter{b: &strings.Builder{}}
	daemon.Stderr = daemonLog
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		daemon.Process.Signal(os.Interrupt)
		daemon.Wait()
	})
	for {
		if _, err := cs("status"); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("daemon did not start:\n%s", daemonLog)
		}
		time.Sleep(50 * time.Millisecond)
	}

	if out, err := cs("wrap", "claude-desktop", "echo"); err != nil || !strings.Contains(out, "echo  wrapped") {
		t.Fatalf("wrap: %v\n%s", err, out)
	}
	data, err = os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	servers, err := clients.Parse(data, clients.AdapterMCPServers)
	if err != nil || len(servers) != 1 || !servers[0].Wrapped {
		t.Fatalf("rewritten file: %v %+v", err, servers)
	}
	real, _ := filepath.EvalSymlinks(bin)
	if servers[0].Command != real {
		t.Fatalf("command %q, want the absolute binary %q", servers[0].Command, real)
	}

	// launch as the client does
	srv := exec.CommandContext(ctx, servers[0].Command, servers[0].Args...)
	srv.Env = env
	stdin, _ := srv.StdinPipe()
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func(what string) string {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("server closed stdout waiting for %s", what)
			}
			return l
		case <-ctx.Done():
			t.Fatalf("no %s", what)
		}
		return ""
	}
	send := func(msg string) {
		if _, err := stdin.Write([]byte(msg + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`)
	if l := next("initialize answer"); !strings.Contains(l, `"sh-echo"`) {
		t.Fatalf("initialize answer: %s", l)
	}
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)

	// the call waits for a person: approve it through the CLI
	var id string
	for id == "" {
		out, err := cs("pending", "--json")
		if err != nil {
			t.Fatalf("pending: %v %s", err, out)
		}
		var ps []struct {
			ID     string `json:"id"`
			Server string `json:"server"`
			Tool   string `json:"tool"`
		}
		if err := json.Unmarshal([]byte(out), &ps); err != nil {
			t.Fatalf("pending --json: %v %s", err, out)
		}
		for _, p := range ps {
			if p.Server == "echo" && p.Tool == "echo" {
				id = p.ID
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the tools/call never reached the core")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := cs("approve", id); err != nil {
		t.Fatalf("approve: %v %s", err, out)
	}
	if l := next("tools/call answer"); !strings.Contains(l, "called sh-echo") {
		t.Fatalf("tools/call answer: %s", l)
	}
	stdin.Close()
	if err := srv.Wait(); err != nil {
		t.Errorf("shim exit: %v", err)
	}

	// unwrap restores the file the client had
	if out, err := cs("unwrap", "claude-desktop", "--all"); err != nil {
		t.Fatalf("unwrap: %v %s", err, out)
	}
	if now, _ := os.ReadFile(cfgPath); string(now) != string(cfg) {
		t.Errorf("unwrap did not restore the file:\n%s", now)
	}
}

// lockedWriter lets a child's stderr be read while it runs.
type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
