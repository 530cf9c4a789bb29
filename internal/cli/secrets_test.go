package cli

// End-to-end tests of `countersign secrets` against a real Secret Service, a
// real `countersign daemon`, a real shim and a real server process. Run them
// with
//
//	scripts/with-keyring.sh go test -race ./internal/cli/ -run Secret
//
// Without a keychain they skip, except under COUNTERSIGN_REQUIRE_KEYRING=1
// (make test, CI), where they fail.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/vault"
)

// requireSecretKeyring skips (or fails under COUNTERSIGN_REQUIRE_KEYRING=1)
// when no Secret Service answers, or secret-tool is missing.
func requireSecretKeyring(t *testing.T) {
	t.Helper()
	_, err := vault.NewOSKeychain().Get(context.Background(), "cstest-probe-"+secretRand(t))
	if !errors.Is(err, vault.ErrNotFound) {
		if os.Getenv("COUNTERSIGN_REQUIRE_KEYRING") == "1" {
			t.Fatalf("COUNTERSIGN_REQUIRE_KEYRING=1 but the keychain does not answer: %v", err)
		}
		t.Skipf("no usable keychain (%v): run under scripts/with-keyring.sh", err)
	}
	if _, err := exec.LookPath("secret-tool"); err != nil {
		t.Fatalf("a Secret Service answers but secret-tool is missing (apt-get install libsecret-tools): %v", err)
	}
	if testing.Short() {
		t.Skip("builds the countersign binary; skipped with -short")
	}
}

func secretRand(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

var secretsBin struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// secretsBinary builds countersign once per test binary.
func secretsBinary(t *testing.T) string {
	t.Helper()
	secretsBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "csbin")
		if err != nil {
			secretsBin.err = err
			return
		}
		secretsBin.path = filepath.Join(dir, "countersign")
		cmd := exec.Command("go", "build", "-o", secretsBin.path, "github.com/countersign/countersign/cmd/countersign")
		secretsBin.out, secretsBin.err = cmd.CombinedOutput()
	})
	if secretsBin.err != nil {
		t.Fatalf("go build: %v\n%s", secretsBin.err, secretsBin.out)
	}
	return secretsBin.path
}

// secretsWorld is a temp HOME and COUNTERSIGN_HOME with a running daemon.
type secretsWorld struct {
	t         *testing.T
	bin       string
	home      string // HOME (client configs)
	state     string // COUNTERSIGN_HOME
	env       []string
	daemonLog *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// newSecretsWorld prepares the directories; startDaemon starts the core.
func newSecretsWorld(t *testing.T) *secretsWorld {
	t.Helper()
	base, err := os.MkdirTemp("", "cs") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	w := &secretsWorld{t: t, bin: secretsBinary(t), home: filepath.Join(base, "h"), state: filepath.Join(base, "s"), daemonLog: &lockedBuffer{}}
	if err := os.MkdirAll(w.home, 0o700); err != nil {
		t.Fatal(err)
	}
	w.env = append(os.Environ(), "HOME="+w.home, "COUNTERSIGN_HOME="+w.state, "XDG_CONFIG_HOME=", "COUNTERSIGN_LOG=debug")
	return w
}

func (w *secretsWorld) startDaemon() {
	t := w.t
	t.Helper()
	d := exec.Command(w.bin, "daemon")
	d.Env, d.Stderr = w.env, w.daemonLog
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Process.Signal(os.Interrupt)
		d.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _, _ := w.cs("", nil, "status"); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon did not start:\n%s", w.daemonLog)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cs runs the binary with stdin and extra environment, returning the exit
// code and output.
func (w *secretsWorld) cs(stdin string, extraEnv []string, args ...string) (int, string, string) {
	w.t.Helper()
	c := exec.Command(w.bin, args...)
	c.Env = append(append([]string(nil), w.env...), extraEnv...)
	c.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("run %v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

func (w *secretsWorld) list() []localapi.SecretInfo {
	w.t.Helper()
	code, out, errOut := w.cs("", nil, "secrets", "list", "--json")
	if code != 0 {
		w.t.Fatalf("secrets list --json: exit %d: %s", code, errOut)
	}
	var got []localapi.SecretInfo
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || dec.More() {
		w.t.Fatalf("secrets list --json is not one document (%v):\n%s", err, out)
	}
	return got
}

// lookup reads an item with secret-tool, outside Countersign.
func secretToolLookup(t *testing.T, name string) (string, bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", vault.ServiceName, "username", name).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && len(out) == 0 {
		return "", false
	}
	if err != nil {
		t.Fatalf("secret-tool lookup %s: %v", name, err)
	}
	return string(out), true
}

// freshSecret returns an unused secret name, removed from the keychain
// when the test ends.
func freshSecret(t *testing.T) string {
	name := "cse2e-" + secretRand(t)
	t.Cleanup(func() { _ = vault.NewOSKeychain().Delete(context.Background(), name) })
	return name
}

// filesContaining lists the files under dir whose bytes contain needle.
func filesContaining(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			hits = append(hits, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// TestSecretReachesServerAndNothingElse stores a value, launches a server
// through the shim with it, sees the server get it, and then finds it in no
// file under COUNTERSIGN_HOME (database, WAL, SHM, spool, logs) nor in the
// daemon's log, though it passed through a recorded tool result.
func TestSecretReachesServerAndNothingElse(t *testing.T) {
	requireSecretKeyring(t)
	w := newSecretsWorld(t)
	w.startDaemon()
	name := freshSecret(t)
	// Not a well-known key shape: only the shim's stored-value redactor can
	// mask it.
	value := "cs-e2e-value-" + secretRand(t) + "-päss"

	// echo "$KEY" | ... : the trailing newline is not part of the value.
	code, out, errOut := w.cs(value+"\n", nil, "secrets", "set", name, "--note", "e2e, read-only scope")
	if code != 0 || !strings.Contains(out, "Stored secret "+name) {
		t.Fatalf("secrets set: exit %d\n%s%s", code, out, errOut)
	}
	if got, ok := secretToolLookup(t, name); !ok || got != value {
		t.Fatalf("secret-tool sees found=%v, same value=%v", ok, got == value)
	}
	list := w.list()
	if len(list) != 1 || list[0].Name != name || list[0].Note != "e2e, read-only scope" || list[0].LastUsedAt != nil ||
		len(list[0].UsedBy) != 0 || len(list[0].ReferencedBy) != 0 || list[0].CreatedAt.IsZero() {
		t.Fatalf("list after set = %+v", list)
	}

	if code, out, errOut := w.cs("", nil, "rules", "add", "allow", "--server", "envsrv"); code != 0 {
		t.Fatalf("rules add: exit %d\n%s%s", code, out, errOut)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "envserver.sh"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shim := exec.CommandContext(ctx, w.bin, "shim", "--name", "envsrv", "--env", "MY_TOKEN=secret:"+name, "--", "sh", script)
	shim.Env = w.env
	shimErr := &lockedBuffer{}
	shim.Stderr = shimErr
	stdin, _ := shim.StdinPipe()
	stdout, _ := shim.StdoutPipe()
	if err := shim.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	exchange := func(req string) string {
		t.Helper()
		if _, err := stdin.Write([]byte(req + "\n")); err != nil {
			t.Fatalf("write to shim: %v\n%s", err, shimErr)
		}
		if !lines.Scan() {
			t.Fatalf("shim closed stdout: %v\n%s", lines.Err(), shimErr)
		}
		return lines.Text()
	}
	exchange(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`)
	stdin.Write([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"))
	res := exchange(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_token","arguments":{}}}`)
	if !strings.Contains(res, "MY_TOKEN="+value) {
		t.Fatalf("the server did not get the value; result: %s\nshim: %s", res, shimErr)
	}

	// While the shim runs: used, running, and rm refuses.
	deadline := time.Now().Add(10 * time.Second)
	for {
		list = w.list()
		if len(list) == 1 && len(list[0].UsedBy) == 1 && list[0].UsedBy[0].Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the shim's use never showed as running: %+v\n%s", list, w.daemonLog)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if u := list[0].UsedBy[0]; u.Server != "envsrv" || u.Uses != 1 || list[0].LastUsedAt == nil {
		t.Errorf("used_by = %+v, last_used_at = %v", u, list[0].LastUsedAt)
	}
	code, _, errOut = w.cs("", nil, "secrets", "rm", name)
	if code != 1 || !strings.Contains(errOut, "running server envsrv") || !strings.Contains(errOut, "--force") {
		t.Errorf("rm while in use: exit %d, stderr:\n%s", code, errOut)
	}
	if _, ok := secretToolLookup(t, name); !ok {
		t.Fatal("a refused rm removed the keychain item")
	}

	stdin.Close()
	if err := shim.Wait(); err != nil {
		t.Fatalf("shim: %v\n%s", err, shimErr)
	}
	// The result was recorded, masked: wait for its row, then grep.
	marker := []byte(vault.Marker(name))
	deadline = time.Now().Add(10 * time.Second)
	for len(filesContaining(t, w.state, marker)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the masked result never reached %s\ndaemon:\n%s", w.state, w.daemonLog)
		}
		time.Sleep(100 * time.Millisecond)
	}
	check := func(when string) {
		t.Helper()
		if hits := filesContaining(t, w.state, []byte(value)); len(hits) > 0 {
			t.Errorf("%s: the value is on disk in %v", when, hits)
		}
		for _, s := range []string{w.daemonLog.String(), shimErr.String()} {
			if strings.Contains(s, value) {
				t.Errorf("%s: the value is in a log", when)
			}
		}
		for _, args := range [][]string{{"history", "--json"}, {"secrets", "list", "--json"}, {"secrets", "list"}} {
			if _, out, _ := w.cs("", nil, args...); strings.Contains(out, value) {
				t.Errorf("%s: the value is in the output of %v", when, args)
			}
		}
	}
	check("core running")
	if fi, err := os.Stat(filepath.Join(w.state, "countersign.db-wal")); err != nil || fi.Size() == 0 {
		t.Logf("no WAL to check while running (%v)", err) // checked anyway below, after shutdown
	}

	// No longer running: rm goes through, the item is gone for secret-tool.
	code, out, errOut = w.cs("", nil, "secrets", "rm", name)
	if code != 0 || !strings.Contains(out, "Removed secret "+name) {
		t.Fatalf("rm after the shim ended: exit %d\n%s%s", code, out, errOut)
	}
	if _, ok := secretToolLookup(t, name); ok {
		t.Error("secret-tool still finds the item after rm")
	}
	if l := w.list(); len(l) != 0 {
		t.Errorf("list after rm = %+v", l)
	}
	if code, _, errOut := w.cs("", nil, "secrets", "rm", name); code != 1 || !strings.Contains(errOut, "no secret named "+name) {
		t.Errorf("second rm: exit %d: %s", code, errOut)
	}
}

// TestSecretReferencedByClientConfig: a wrapped server in a client config
// that references the secret shows in list, and rm refuses until --force.
func TestSecretReferencedByClientConfig(t *testing.T) {
	requireSecretKeyring(t)
	w := newSecretsWorld(t)
	name := freshSecret(t)
	cfgPath := filepath.Join(w.home, ".config", "Claude", "claude_desktop_config.json")
	cfg, _ := json.MarshalIndent(map[string]any{"mcpServers": map[string]any{
		"gh": map[string]any{"command": w.bin, "args": []string{"shim", "--name", "gh", "--client", "claude-desktop",
			"--env", "GITHUB_TOKEN=secret:" + name, "--", "npx", "-y", "server-github"}},
		"other": map[string]any{"command": w.bin, "args": []string{"shim", "--name", "other", "--env=X=secret:unrelated", "--", "x"}},
	}}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(cfgPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	w.startDaemon()
	if code, out, errOut := w.cs("ghp-not-a-real-token", nil, "secrets", "set", name); code != 0 {
		t.Fatalf("set: exit %d\n%s%s", code, out, errOut)
	}
	list := w.list()
	want := []localapi.SecretReference{{Client: "claude-desktop", Server: "gh", Config: cfgPath}}
	if len(list) != 1 || len(list[0].ReferencedBy) != 1 || list[0].ReferencedBy[0] != want[0] {
		t.Fatalf("referenced_by = %+v, want %+v", list, want)
	}
	if _, out, _ := w.cs("", nil, "secrets", "list"); !strings.Contains(out, "claude-desktop/gh") || !strings.Contains(out, "never") {
		t.Errorf("table output:\n%s", out)
	}
	code, _, errOut := w.cs("", nil, "secrets", "rm", name)
	if code != 1 || !strings.Contains(errOut, "referenced by claude-desktop server gh in "+cfgPath) {
		t.Fatalf("rm of a referenced secret: exit %d: %s", code, errOut)
	}
	if _, ok := secretToolLookup(t, name); !ok {
		t.Fatal("refused rm removed the item")
	}
	if code, out, errOut := w.cs("", nil, "secrets", "rm", "--force", name); code != 0 {
		t.Fatalf("rm --force: exit %d\n%s%s", code, out, errOut)
	}
	if _, ok := secretToolLookup(t, name); ok {
		t.Error("item still there after rm --force")
	}
}

// TestSecretBadInput: every refusal is clear, and leaves neither a
// keychain item nor metadata behind.
func TestSecretBadInput(t *testing.T) {
	requireSecretKeyring(t)
	w := newSecretsWorld(t)
	w.startDaemon()
	noDBus := []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent"}
	v := "distinct-value-" + secretRand(t) // must never show up in an error
	for _, tc := range []struct {
		desc    string
		stdin   string
		env     []string
		args    []string // after "secrets set"; NAME is appended when name is true
		name    bool
		code    int
		stderr  string
		created bool
	}{
		{"empty value", "", nil, nil, true, 2, "is empty", false},
		{"only a newline", "\n", nil, nil, true, 2, "is empty", false},
		{"value too large", strings.Repeat("x", vault.MaxValueLen+1), nil, nil, true, 2, "larger than 65536 bytes", false},
		{"value with NUL", v + "\x00b", nil, nil, true, 2, "NUL", false},
		{"value on argv", v, nil, []string{"the-value"}, true, 2, "takes 1 argument", false},
		{"name with a space", v, nil, []string{"my key"}, false, 2, "a space", false},
		{"name with a slash", v, nil, []string{"a/b"}, false, 2, "slash", false},
		{"unicode name", v, nil, []string{"clé"}, false, 2, "non-ASCII", false},
		{"note with a key in it", v, nil, []string{"--note", "ghp_" + strings.Repeat("aB3", 12)}, true, 2, "looks like it contains a key", false},
		{"keychain unavailable", v, noDBus, nil, true, 1, "keychain unavailable", false},
		{"exactly 64 KiB", strings.Repeat("y", vault.MaxValueLen) + "\r\n", nil, nil, true, 0, "", true},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			name := freshSecret(t)
			args := append([]string{"secrets", "set"}, tc.args...)
			if tc.name {
				args = append(args, name)
			}
			code, _, errOut := w.cs(tc.stdin, tc.env, args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.stderr)
			}
			if strings.Contains(errOut, v) {
				t.Errorf("the error repeats the value: %q", errOut)
			}
			_, inKeychain := secretToolLookup(t, name)
			_, listed := findSecret(w.list(), name)
			if inKeychain != tc.created || listed != tc.created {
				t.Errorf("in keychain %v, listed %v; want %v", inKeychain, listed, tc.created)
			}
		})
	}

	t.Run("core not running", func(t *testing.T) {
		down := newSecretsWorld(t) // no daemon
		name := freshSecret(t)
		code, _, errOut := down.cs("v", nil, "secrets", "set", name)
		if code != 3 || !strings.Contains(errOut, "not running") {
			t.Fatalf("exit %d: %s; want 3", code, errOut)
		}
		if _, ok := secretToolLookup(t, name); ok {
			t.Error("stored in the keychain although the metadata could not be")
		}
	})

	t.Run("missing secret at shim start", func(t *testing.T) {
		name := freshSecret(t)
		started := filepath.Join(t.TempDir(), "started")
		code, _, errOut := w.cs("", nil, "shim", "--name", "envsrv", "--env", "MY_TOKEN=secret:"+name, "--", "sh", "-c", "touch "+started)
		if code != 1 || !strings.Contains(errOut, name) || !strings.Contains(errOut, "not starting envsrv") {
			t.Fatalf("exit %d, stderr %q; want 1 naming the secret", code, errOut)
		}
		if _, err := os.Stat(started); err == nil {
			t.Error("the server was started without its secret")
		}
	})

	t.Run("line endings", func(t *testing.T) {
		for _, tc := range []struct{ in, want string }{
			{"päss\r\n", "päss"},
			{"two\n\n", "two\n"},
			{"none", "none"},
			{"in\nside", "in\nside"},
		} {
			name := freshSecret(t)
			if code, _, errOut := w.cs(tc.in, nil, "secrets", "set", name); code != 0 {
				t.Fatalf("set %q: exit %d: %s", tc.in, code, errOut)
			}
			got, err := vault.NewOSKeychain().Get(context.Background(), name)
			if err != nil || got != tc.want {
				t.Errorf("stdin %q stored as %q (%v), want %q", tc.in, got, err, tc.want)
			}
		}
	})
}

func TestTrimOneNewline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"\n", ""}, {"\r\n", ""}, {"a\n", "a"}, {"a\r\n", "a"}, {"a\n\n", "a\n"}, {"a\r", "a\r"}, {"\r\r\n", "\r"},
	} {
		if got := string(trimOneNewline([]byte(tc.in))); got != tc.want {
			t.Errorf("trimOneNewline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
