package cli

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/vault"
)

// tokenCheckServer answers initialize with serverInfo.name "token-ok" when
// $GITHUB_TOKEN hashes to the expected SHA-256 (the script holds only the
// hash, so the value is in no file), "token-wrong" otherwise.
const tokenCheckServer = `want="$1"
while IFS= read -r line; do
  case "$line" in
    *'"initialize"'*)
      got=$(printf %s "$GITHUB_TOKEN" | sha256sum | cut -d' ' -f1)
      n=token-wrong; [ "$got" = "$want" ] && n=token-ok
      printf '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"%s","version":"1"}}}\n' "$n";;
  esac
done`

// TestWrapMigrateSecrets drives `wrap --migrate-secrets` with the real
// binary, daemon and Secret Service: the core must run; a dry run stores
// nothing and shows no value; the migration moves the token to the keychain,
// leaves it in no file (config, backups, state), registers it with the core,
// and the wrapped server, launched as the client launches it, gets it.
func TestWrapMigrateSecrets(t *testing.T) {
	requireSecretKeyring(t)
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Fatalf("sha256sum (coreutils) is needed by the test server: %v", err)
	}
	w := newSecretsWorld(t)
	token := "ghp_" + strings.Repeat("x", 4) + secretRand(t) + secretRand(t)
	sum := sha256.Sum256([]byte(token))
	cfgPath := filepath.Join(w.home, ".config", "Claude", "claude_desktop_config.json")
	cfg, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{
		"gh": map[string]any{"command": "sh", "args": []string{"-c", tokenCheckServer, "sh", hex.EncodeToString(sum[:])},
			"env": map[string]string{"GITHUB_TOKEN": token, "LOG_LEVEL": "debug"}},
	}}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	unchanged := func(what string) {
		t.Helper()
		if now, _ := os.ReadFile(cfgPath); string(now) != string(cfg) {
			t.Fatalf("%s changed the config:\n%s", what, now)
		}
	}

	// without a core the metadata could not be recorded: refuse up front
	if code, out, errOut := w.cs("", nil, "wrap", "claude-desktop", "gh", "--migrate-secrets"); code != exitNoCore {
		t.Fatalf("wrap --migrate-secrets without a core: exit %d, want %d\n%s%s", code, exitNoCore, out, errOut)
	}
	unchanged("a refused migration")
	w.startDaemon()

	code, out, errOut := w.cs("", nil, "wrap", "claude-desktop", "gh", "--migrate-secrets", "--dry-run")
	if code != 0 || !strings.Contains(out, "secret:gh-github_token") || strings.Contains(out+errOut, token) {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	unchanged("a dry run")
	if _, ok := secretToolLookup(t, "gh-github_token"); ok {
		t.Fatal("a dry run stored the secret")
	}

	code, out, errOut = w.cs("", nil, "wrap", "claude-desktop", "gh", "--migrate-secrets", "--json")
	if code != 0 {
		t.Fatalf("wrap --migrate-secrets: exit %d\n%s%s", code, out, errOut)
	}
	var res clients.ApplyResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Files) != 1 || len(res.Files[0].Servers) != 1 {
		t.Fatalf("wrap --json: %v\n%s", err, out)
	}
	s := res.Files[0].Servers[0]
	if s.Action != "wrapped" || len(s.Migrated) != 1 || s.Migrated[0].Key != "GITHUB_TOKEN" {
		t.Fatalf("server change: %+v", s)
	}
	secret := s.Migrated[0].Secret
	t.Cleanup(func() { _ = vault.NewOSKeychain().Delete(context.Background(), secret) })
	if v, ok := secretToolLookup(t, secret); !ok || v != token {
		t.Fatalf("keychain item %s: found %v, value matches %v", secret, ok, v == token)
	}
	for _, dir := range []string{w.home, w.state} {
		if hits := filesContaining(t, dir, []byte(token)); len(hits) > 0 {
			t.Errorf("the token is still on disk in %v", hits)
		}
	}
	if strings.Contains(w.daemonLog.String(), token) {
		t.Error("the daemon logged the token")
	}
	found := false
	for _, info := range w.list() {
		if info.Name == secret {
			found = true
			if !strings.Contains(info.Note, "claude-desktop") || len(info.ReferencedBy) != 1 || info.ReferencedBy[0].Server != "gh" {
				t.Errorf("secrets list entry: %+v", info)
			}
		}
	}
	if !found {
		t.Fatalf("secrets list does not show %s", secret)
	}

	// launch the server exactly as the client would
	data, _ := os.ReadFile(cfgPath)
	servers, err := clients.Parse(data, clients.AdapterMCPServers)
	if err != nil || len(servers) != 1 || !servers[0].Wrapped {
		t.Fatalf("rewritten file: %v %+v\n%s", err, servers, data)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, servers[0].Command, servers[0].Args...)
	srv.Env = append(append([]string(nil), w.env...), "GITHUB_TOKEN=secret:"+secret) // what the client sets from env
	stdin, _ := srv.StdinPipe()
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}` + "\n"))
	line, err := bufio.NewReader(stdout).ReadString('\n')
	stdin.Close()
	srv.Wait()
	if err != nil || !strings.Contains(line, `"token-ok"`) {
		t.Fatalf("initialize through the wrapped entry: %v %q (want serverInfo token-ok)", err, line)
	}

	// unwrap would start it without its secret: it says so and changes nothing
	before, _ := os.ReadFile(cfgPath)
	code, out, errOut = w.cs("", nil, "unwrap", "claude-desktop", "gh")
	if code != 0 || !strings.Contains(out, "keychain") {
		t.Fatalf("unwrap of a migrated entry: exit %d\n%s%s", code, out, errOut)
	}
	if now, _ := os.ReadFile(cfgPath); string(now) != string(before) {
		t.Errorf("unwrap changed a migrated entry")
	}
}
