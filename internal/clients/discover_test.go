package clients

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyFixture puts a fixture file at dst under a temp HOME.
func copyFixture(t *testing.T, fixture, dst string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", fixture))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, string(b), 0o600)
}

func TestDiscoverLinuxHome(t *testing.T) {
	home := t.TempDir()
	proj := filepath.Join(home, "src", "app")
	env := Env{OS: "linux", Home: home, ProjectDirs: []string{proj}}
	files := map[string]string{
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
	for fx, rel := range files {
		copyFixture(t, fx, filepath.Join(home, rel))
	}
	copyFixture(t, "claude-code/.mcp.json", filepath.Join(proj, ".mcp.json"))
	copyFixture(t, "opencode/opencode.jsonc", filepath.Join(proj, "opencode.jsonc"))
	copyFixture(t, "continue/config.yaml", filepath.Join(proj, ".continue", "mcpServers", "db.yaml"))

	got := map[string]Client{}
	for _, c := range Discover(env) {
		got[c.ID] = c
	}
	for _, s := range Specs() {
		c, ok := got[s.ID]
		if !ok {
			t.Errorf("client %s not discovered", s.ID)
			continue
		}
		for _, cfg := range c.Configs {
			if cfg.Error != "" {
				t.Errorf("%s %s: %s", s.ID, cfg.Path, cfg.Error)
			}
			if len(cfg.Servers) == 0 {
				t.Errorf("%s %s: no servers", s.ID, cfg.Path)
			}
		}
	}
	if n := len(got["claude-code"].Configs); n != 2 {
		t.Errorf("claude-code configs = %d, want user + project", n)
	}
	if n := len(got["opencode"].Configs); n != 2 {
		t.Errorf("opencode configs = %d, want user + project", n)
	}
	if n := len(got["continue"].Configs); n != 2 || got["continue"].Configs[1].Scope != ScopeProject {
		t.Errorf("continue configs = %+v", got["continue"].Configs)
	}
	// server facts for one file
	var cd []Server
	for _, cfg := range got["claude-desktop"].Configs {
		cd = cfg.Servers
	}
	want := map[string]struct {
		tr      Transport
		wrap    bool
		secrets string
	}{
		"filesystem":    {TransportStdio, true, ""},
		"brave-search":  {TransportStdio, true, "env.BRAVE_API_KEY"},
		"linear-remote": {TransportRemote, true, ""}, // npx mcp-remote URL: becomes shim --url
		"sqlite":        {TransportStdio, true, ""},
	}
	for _, s := range cd {
		w := want[s.Name]
		if s.Transport != w.tr || s.Wrappable != w.wrap || strings.Join(s.SecretFields, ",") != w.secrets {
			t.Errorf("%s: %+v", s.Name, s)
		}
	}
}

func TestDiscoverCorruptBesideGood(t *testing.T) {
	home := t.TempDir()
	env := Env{OS: "linux", Home: home}
	writeFile(t, filepath.Join(home, ".cursor", "mcp.json"), `{"mcpServers": {"x": {"command": "npx",`, 0o600)
	copyFixture(t, "kiro/mcp.json", filepath.Join(home, ".kiro", "settings", "mcp.json"))
	writeFile(t, filepath.Join(home, ".codex", "config.toml"), "[mcp_servers.a]\ncommand = 'x'\ncommand = 'y'\n", 0o600)
	writeFile(t, filepath.Join(home, ".config", "goose", "config.yaml"), "extensions:\n  a: {cmd: x}\n  a: {cmd: y}\n", 0o600)
	// a directory where a file should be, and a file too large to read
	os.MkdirAll(filepath.Join(home, ".gemini", "settings.json"), 0o700)
	writeFile(t, filepath.Join(home, ".lmstudio", "mcp.json"), strings.Repeat(" ", MaxFileSize+1), 0o600)

	got := map[string]Config{}
	for _, c := range Discover(env) {
		got[c.ID] = c.Configs[0]
	}
	for _, id := range []string{"cursor", "codex", "goose", "gemini", "lmstudio"} {
		if got[id].Error == "" {
			t.Errorf("%s: expected a per-file error, got %+v", id, got[id])
		}
	}
	if got["lmstudio"].Error != "" && !strings.Contains(got["lmstudio"].Error, "10 MiB") {
		t.Errorf("lmstudio error %q does not name the size limit", got["lmstudio"].Error)
	}
	if k := got["kiro"]; k.Error != "" || len(k.Servers) != 2 {
		t.Errorf("the good file beside the bad ones: %+v", k)
	}
}

func TestDiscoverSymlinkReportsTarget(t *testing.T) {
	home := t.TempDir()
	target := filepath.Join(home, "dotfiles", "mcp.json")
	copyFixture(t, "cursor/mcp.json", target)
	os.MkdirAll(filepath.Join(home, ".cursor"), 0o700)
	if err := os.Symlink(target, filepath.Join(home, ".cursor", "mcp.json")); err != nil {
		t.Fatal(err)
	}
	cs := Discover(Env{OS: "linux", Home: home})
	if len(cs) != 1 || cs[0].Configs[0].RealPath != target {
		t.Fatalf("%+v", cs)
	}
}

func TestPathsPerOS(t *testing.T) {
	cases := []struct {
		env    Env
		client string
		want   string
	}{
		{Env{OS: "darwin", Home: "/Users/dev"}, "claude-desktop", "/Users/dev/Library/Application Support/Claude/claude_desktop_config.json"},
		{Env{OS: "windows", Home: `C:\Users\dev`, AppData: `C:\Users\dev\AppData\Roaming`}, "claude-desktop", `C:\Users\dev\AppData\Roaming\Claude\claude_desktop_config.json`},
		{Env{OS: "linux", Home: "/home/dev", XDGConfigHome: "/xdg"}, "zed", "/xdg/zed/settings.json"},
		{Env{OS: "windows", Home: `C:\Users\dev`}, "zed", `C:\Users\dev\AppData\Roaming\Zed\settings.json`},
		{Env{OS: "windows", Home: `C:\Users\dev`}, "goose", `C:\Users\dev\AppData\Roaming\Block\goose\config\config.yaml`},
		{Env{OS: "darwin", Home: "/Users/dev"}, "vscode", "/Users/dev/Library/Application Support/Code/User/mcp.json"},
		{Env{OS: "linux", Home: "/home/dev", Vars: map[string]string{"CODEX_HOME": "/opt/codex"}}, "codex", "/opt/codex/config.toml"},
		{Env{OS: "windows", Home: `C:\Users\dev`}, "cursor", `C:\Users\dev\.cursor\mcp.json`},
	}
	for _, c := range cases {
		t.Run(c.env.OS+"/"+c.client, func(t *testing.T) {
			s, _ := SpecByID(c.client)
			var all []string
			for _, l := range s.Locations {
				if l.Paths != nil && l.Scope == ScopeUser {
					all = append(all, l.Paths(c.env)...)
				}
			}
			for _, p := range all {
				if p == c.want {
					return
				}
			}
			t.Fatalf("got %q, want %q among them", all, c.want)
		})
	}
}

// TestKnownProjectsFromClaudeJSON: project folders Claude Code knows are
// searched for project-scope files even when they are not the current
// directory; folders that no longer exist are left out.
func TestKnownProjectsFromClaudeJSON(t *testing.T) {
	home := t.TempDir()
	proj := filepath.Join(home, "src", "app")
	gone := filepath.Join(home, "src", "deleted")
	writeFile(t, filepath.Join(home, ".claude.json"),
		`{"projects": {"`+proj+`": {"mcpServers": {}}, "`+gone+`": {}}, "mcpServers": {}}`, 0o600)
	copyFixture(t, "claude-code/.mcp.json", filepath.Join(proj, ".mcp.json"))
	env := Env{OS: "linux", Home: home}
	if got := KnownProjects(env); len(got) != 1 || got[0] != proj {
		t.Fatalf("KnownProjects = %q, want [%s]", got, proj)
	}
	env.ProjectDirs = KnownProjects(env)
	found := false
	for _, c := range Discover(env) {
		for _, cfg := range c.Configs {
			if cfg.Path == filepath.Join(proj, ".mcp.json") && cfg.Scope == ScopeProject && len(cfg.Servers) > 0 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the .mcp.json of a project known to Claude Code was not discovered")
	}
	if got := KnownProjects(Env{OS: "linux", Home: t.TempDir()}); len(got) != 0 {
		t.Errorf("no ~/.claude.json: KnownProjects = %q", got)
	}
}

// ShimBinary picks the running countersign itself, or the countersign
// beside another program (the desktop app), and refuses anything else.
func TestShimBinary(t *testing.T) {
	dir := t.TempDir()
	cs := filepath.Join(dir, "countersign")
	desk := filepath.Join(dir, "countersign-desktop")
	writeFile(t, cs, "#!/bin/sh\n", 0o755)
	writeFile(t, desk, "#!/bin/sh\n", 0o755)
	link := filepath.Join(t.TempDir(), "cs-link")
	if err := os.Symlink(cs, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ exe, want string }{{cs, cs}, {desk, cs}, {link, cs}} {
		if got, err := ShimBinary(tc.exe); err != nil || got != tc.want {
			t.Errorf("ShimBinary(%s) = %q, %v; want %s", tc.exe, got, err, tc.want)
		}
	}
	lone := filepath.Join(t.TempDir(), "other-program")
	writeFile(t, lone, "#!/bin/sh\n", 0o755)
	if got, err := ShimBinary(lone); err == nil {
		t.Errorf("ShimBinary of a program without countersign beside it = %q", got)
	}
}
