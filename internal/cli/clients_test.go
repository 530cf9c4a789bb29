package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/countersign/countersign/internal/clients"
)

// fakeShim is the shim path written by in-process tests: the test binary
// is not named countersign. The end-to-end test uses a real binary.
const fakeShim = "/opt/countersign/bin/countersign"

// fixtureFiles maps fixtures to their Linux paths under HOME.
var fixtureFiles = map[string]string{
	"claude-desktop/claude_desktop_config.json": ".config/Claude/claude_desktop_config.json",
	"claude-code/.claude.json":                  ".claude.json",
	"cursor/mcp.json":                           ".cursor/mcp.json",
	"vscode/mcp.json":                           ".config/Code/User/mcp.json",
	"vscode/settings.json":                      ".config/Code - Insiders/User/settings.json",
	"windsurf/mcp_config.json":                  ".codeium/windsurf/mcp_config.json",
	"zed/settings.json":                         ".config/zed/settings.json",
	"codex/config.toml":                         ".codex/config.toml",
	"gemini/settings.json":                      ".gemini/settings.json",
	"cline/cline_mcp_settings.json":             ".config/Cursor/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json",
	"roo/mcp_settings.json":                     ".config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
	"continue/config.yaml":                      ".continue/config.yaml",
	"goose/config.yaml":                         ".config/goose/config.yaml",
	"opencode/opencode.json":                    ".config/opencode/opencode.json",
	"lmstudio/mcp.json":                         ".lmstudio/mcp.json",
	"amazonq/mcp.json":                          ".aws/amazonq/mcp.json",
	"kiro/mcp.json":                             ".kiro/settings/mcp.json",
	"copilot-cli/mcp-config.json":               ".copilot/mcp-config.json",
	"junie/mcp.json":                            ".junie/mcp/mcp.json",
}

// projectFiles are copied into the project dir (the current directory).
var projectFiles = map[string]string{
	"claude-code/.mcp.json":   ".mcp.json",
	"opencode/opencode.jsonc": "opencode.jsonc",
	"continue/config.yaml":    ".continue/mcpServers/db.yaml",
}

type testHome struct {
	home, state, project string
}

// setupHome makes a temp HOME and COUNTERSIGN_HOME (short paths: unix
// sockets have a length limit), fills them with every fixture, and makes
// the project dir the current directory.
func setupHome(t *testing.T, fixtures bool) testHome {
	t.Helper()
	base, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	h := testHome{home: filepath.Join(base, "h"), state: filepath.Join(base, "s"), project: filepath.Join(base, "p")}
	for _, d := range []string{h.home, h.project} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", h.home)
	t.Setenv("COUNTERSIGN_HOME", h.state)
	for _, k := range []string{"XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "CLAUDE_CONFIG_DIR", "CODEX_HOME", "COPILOT_HOME", "OPENCODE_CONFIG",
		"CLINE_MCP_SETTINGS_PATH", "CLINE_DATA_DIR", "CLINE_DIR"} {
		t.Setenv(k, "")
	}
	if fixtureDir == "" {
		d, err := filepath.Abs(filepath.Join("..", "clients", "testdata", "fixtures"))
		if err != nil {
			t.Fatal(err)
		}
		fixtureDir = d
	}
	t.Chdir(h.project)
	old := executable
	executable = func() (string, error) { return fakeShim, nil }
	t.Cleanup(func() { executable = old })
	if fixtures {
		for fx, rel := range fixtureFiles {
			copyFixture(t, fx, filepath.Join(h.home, rel))
		}
		for fx, rel := range projectFiles {
			copyFixture(t, fx, filepath.Join(h.project, rel))
		}
	}
	return h
}

// fixtureDir is the absolute path of the clients fixtures (tests change
// the working directory).
var fixtureDir string

func copyFixture(t *testing.T, fixture, dst string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, fixture))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runCLI runs the command line in-process through Main, with stdout and
// stderr captured in files (Main writes to os.Stdout and os.Stderr).
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	dir := t.TempDir()
	outF, err := os.Create(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.Create(filepath.Join(dir, "err"))
	if err != nil {
		t.Fatal(err)
	}
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	code = Main(context.Background(), args)
	os.Stdout, os.Stderr = oldOut, oldErr
	outF.Close()
	errF.Close()
	o, _ := os.ReadFile(outF.Name())
	e, _ := os.ReadFile(errF.Name())
	return code, string(o), string(e)
}

// snapshot reads every regular file under the dirs (the client configs).
func snapshot(t *testing.T, dirs ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err != nil || !de.Type().IsRegular() {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func sameFiles(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	for p, b := range want {
		if !bytes.Equal(got[p], b) {
			t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", p, b, got[p])
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("new file %s", p)
		}
	}
}

// the plaintext value every fixture uses for its secrets
const fixtureSecret = "sk-test-REPLACE-ME"

func clientsJSONOf(t *testing.T) clientsJSON {
	t.Helper()
	code, out, errOut := runCLI(t, "clients", "--json")
	if code != 0 {
		t.Fatalf("clients --json: exit %d: %s", code, errOut)
	}
	var got clientsJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("clients --json does not parse: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatal("clients --json printed more than one document")
	}
	return got
}

func TestClientsListsEveryFixture(t *testing.T) {
	setupHome(t, true)
	got := clientsJSONOf(t)
	byID := map[string]clients.ClientView{}
	for _, c := range got.Clients {
		byID[c.ID] = c
	}
	for _, s := range clients.Specs() {
		c, ok := byID[s.ID]
		if !ok {
			t.Errorf("client %s not listed", s.ID)
			continue
		}
		for _, cfg := range c.Configs {
			if cfg.Error != "" || len(cfg.Servers) == 0 {
				t.Errorf("%s %s: error %q, %d servers", s.ID, cfg.Path, cfg.Error, len(cfg.Servers))
			}
		}
	}
	if n := len(byID["claude-code"].Configs); n != 2 {
		t.Errorf("claude-code: %d configs, want the user file and the project .mcp.json", n)
	}
	var brave clients.ServerView
	for _, cfg := range byID["claude-desktop"].Configs {
		for _, s := range cfg.Servers {
			if s.Name == "brave-search" {
				brave = s
			}
		}
	}
	if brave.Transport != "stdio" || brave.Wrapped || !brave.Wrappable || len(brave.SecretFields) != 1 || brave.SecretFields[0] != "env.BRAVE_API_KEY" {
		t.Errorf("brave-search = %+v", brave)
	}

	code, table, _ := runCLI(t, "clients")
	if code != 0 || !strings.Contains(table, "Claude Desktop (claude-desktop)") || !strings.Contains(table, "env.BRAVE_API_KEY") {
		t.Errorf("clients table (exit %d):\n%s", code, table)
	}
	_, js, _ := runCLI(t, "clients", "--json")
	for name, out := range map[string]string{"table": table, "json": js} {
		if strings.Contains(out, fixtureSecret) {
			t.Errorf("clients %s prints a secret value", name)
		}
	}
}

func TestWrapAllThenUnwrapAllIsByteIdentical(t *testing.T) {
	h := setupHome(t, true)
	// a symlinked config (dotfile managers): the link stays a link
	dotfiles := filepath.Join(h.home, "dotfiles", "cursor-mcp.json")
	cursor := filepath.Join(h.home, ".cursor", "mcp.json")
	if err := os.MkdirAll(filepath.Dir(dotfiles), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(cursor, dotfiles); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dotfiles, cursor); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h.home, h.project)
	modes := map[string]fs.FileMode{}
	for p := range before {
		st, _ := os.Stat(p)
		modes[p] = st.Mode()
	}
	wantWrapped := 0
	for _, c := range clientsJSONOf(t).Clients {
		for _, cfg := range c.Configs {
			for _, s := range cfg.Servers {
				if s.Wrappable && !cfg.ReadOnly {
					wantWrapped++
				}
			}
		}
	}

	code, out, errOut := runCLI(t, "wrap", "--all")
	if code != 0 {
		t.Fatalf("wrap --all: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, fixtureSecret) {
		t.Error("wrap prints a secret value")
	}
	gotWrapped := 0
	for _, c := range clientsJSONOf(t).Clients {
		for _, cfg := range c.Configs {
			for _, s := range cfg.Servers {
				if s.Wrapped {
					gotWrapped++
					remote := s.Transport == string(clients.TransportRemote) && s.URL != ""
					if s.Command != fakeShim || len(s.Inner) == 0 && !remote {
						t.Errorf("%s/%s: command %q inner %q", c.ID, s.Name, s.Command, s.Inner)
					}
				}
			}
		}
	}
	if gotWrapped != wantWrapped || gotWrapped < 20 {
		t.Errorf("wrapped %d servers, want %d", gotWrapped, wantWrapped)
	}
	if fi, err := os.Lstat(cursor); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the cursor link was replaced: %v %v", fi.Mode(), err)
	}
	if !strings.Contains(out, "(link; edited "+dotfiles+")") {
		t.Errorf("wrap does not say it edited the link target:\n%s", out)
	}
	st, err := os.Stat(clients.JournalPath(h.state))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("journal: %v mode %v", err, st.Mode())
	}
	wrapped := snapshot(t, h.home, h.project)

	// wrapping again changes nothing
	code, out, _ = runCLI(t, "wrap", "--all")
	if code != 0 || !strings.Contains(out, "already wrapped") || !strings.Contains(out, "Nothing to change.") {
		t.Errorf("second wrap (exit %d):\n%s", code, out)
	}
	sameFiles(t, wrapped, snapshot(t, h.home, h.project))

	code, out, errOut = runCLI(t, "unwrap", "--all")
	if code != 0 {
		t.Fatalf("unwrap --all: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out, "rebuilt") {
		t.Errorf("an entry was not restored from the journal:\n%s", out)
	}
	sameFiles(t, before, snapshot(t, h.home, h.project))
	for p, m := range modes {
		if st, _ := os.Stat(p); st.Mode() != m {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), m)
		}
	}
	j, err := clients.OpenJournal(clients.JournalPath(h.state))
	if err != nil || len(j.Entries) != 0 {
		t.Errorf("journal after unwrap: %d entries, %v", len(j.Entries), err)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	h := setupHome(t, true)
	before := snapshot(t, h.home, h.project)
	code, out, errOut := runCLI(t, "wrap", "--all", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"--- " + filepath.Join(h.home, ".cursor", "mcp.json"), "+++ ", `+      "command": "` + fakeShim + `"`, "would be wrapped", "Dry run:"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, fixtureSecret) {
		t.Errorf("the diff shows a secret value:\n%s", out)
	}
	code, js, _ := runCLI(t, "wrap", "claude-desktop", "--all", "--dry-run", "--json")
	var res clients.ApplyResult
	if err := json.Unmarshal([]byte(js), &res); code != 0 || err != nil || !res.DryRun || len(res.Files) != 1 || res.Files[0].Diff == "" || !res.Files[0].Changed {
		t.Fatalf("--json dry run (exit %d, %v): %s", code, err, js)
	}
	sameFiles(t, before, snapshot(t, h.home, h.project))
	if _, err := os.Stat(h.state); !os.IsNotExist(err) {
		t.Errorf("a dry run created the state dir: %v", err)
	}
}

func TestWrapNamedServersThenRestoreBackup(t *testing.T) {
	h := setupHome(t, true)
	path := filepath.Join(h.home, ".config", "Claude", "claude_desktop_config.json")
	orig, _ := os.ReadFile(path)
	code, js, errOut := runCLI(t, "wrap", "claude-desktop", "filesystem", "linear-remote", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res clients.ApplyResult
	if err := json.Unmarshal([]byte(js), &res); err != nil || len(res.Files) != 1 {
		t.Fatalf("%v: %s", err, js)
	}
	got := map[string]string{}
	for _, s := range res.Files[0].Servers {
		got[s.Server] = s.Action + ": " + s.Status
	}
	if got["filesystem"] != "wrapped: wrapped" || got["linear-remote"] != "wrapped: wrapped" || len(got) != 2 {
		t.Errorf("servers = %v", got)
	}
	if res.Files[0].Backup == "" || !res.Files[0].Changed {
		t.Errorf("file = %+v", res.Files[0])
	}

	code, js, _ = runCLI(t, "clients", "backups", "claude-desktop", "--json")
	var bs []backupJSON
	if err := json.Unmarshal([]byte(js), &bs); code != 0 || err != nil || len(bs) != 1 || bs[0].Path != path {
		t.Fatalf("backups (exit %d, %v): %s", code, err, js)
	}
	if st, err := os.Stat(bs[0].File); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v %v", err, st.Mode())
	}
	code, out, errOut := runCLI(t, "clients", "restore", "claude-desktop")
	if code != 0 || !strings.Contains(out, "Restored "+path) {
		t.Fatalf("restore (exit %d): %s %s", code, out, errOut)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Errorf("restore did not bring back the original:\n%s", now)
	}
}

func TestWrapExitCodes(t *testing.T) {
	h := setupHome(t, true)
	before := snapshot(t, h.home, h.project)
	tests := []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"wrap"}, exitUsage, "or use --all"},
		{[]string{"wrap", "cursor"}, exitUsage, "--all for every one"},
		{[]string{"unwrap", "cursor"}, exitUsage, "--all for every one"},
		{[]string{"wrap", "cursor", "github", "--all"}, exitUsage, "not both"},
		{[]string{"wrap", "no-such-client", "--all"}, exitUsage, "unknown client"},
		{[]string{"unwrap"}, exitUsage, "or use --all"},
		{[]string{"clients", "restore"}, exitUsage, "one client id"},
		{[]string{"clients", "backups", "nope"}, exitUsage, "unknown client"},
		{[]string{"wrap", "cursor", "no-such-server", "--dry-run"}, exitFailure, "no-such-server: not found"},
		{[]string{"unwrap", "cursor", "no-such-server"}, exitFailure, "not found"},
		{[]string{"clients", "restore", "cursor"}, exitFailure, "no backup"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.say) {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s%s", code, tt.code, tt.say, out, errOut)
			}
		})
	}
	sameFiles(t, before, snapshot(t, h.home, h.project))
}

func TestBrokenAndReadOnlyFilesAreReportedOthersWrapped(t *testing.T) {
	h := setupHome(t, false)
	copyFixture(t, "cursor/mcp.json", filepath.Join(h.home, ".cursor", "mcp.json"))
	copyFixture(t, "windsurf/mcp_config.json", filepath.Join(h.home, ".codeium", "windsurf", "mcp_config.json"))
	broken := filepath.Join(h.home, ".config", "Claude", "claude_desktop_config.json")
	if err := os.MkdirAll(filepath.Dir(broken), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte(`{"mcpServers": {"x": `), 0o600); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(h.home, ".codeium", "windsurf", "mcp_config.json")
	if err := os.Chmod(ro, 0o444); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, h.home)
	code, out, _ := runCLI(t, "wrap", "--all")
	if code != exitFailure {
		t.Errorf("exit %d, want 1 (two files could not be changed)", code)
	}
	for _, want := range []string{"cannot read this file", "read-only", "wrapped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	after := snapshot(t, h.home)
	if !bytes.Equal(after[broken], before[broken]) || !bytes.Equal(after[ro], before[ro]) {
		t.Error("a broken or read-only file was changed")
	}
	cursor := filepath.Join(h.home, ".cursor", "mcp.json")
	if bytes.Equal(after[cursor], before[cursor]) {
		t.Error("the good file beside them was not wrapped")
	}
}
