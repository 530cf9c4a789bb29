package clients

import (
	"fmt"
	"path"
	"strings"
)

// Format is the syntax family of a config file.
type Format string

const (
	FormatJSON Format = "json" // JSON and JSONC (comments, trailing commas), via hujson
	FormatTOML Format = "toml" // via go-toml/v2
	FormatYAML Format = "yaml" // via yaml.v3
)

// Adapter says how to find the server entries in one kind of file.
type Adapter struct {
	// ID names the adapter in reports ("json:mcpServers", ...).
	ID     string `json:"id"`
	Format Format `json:"format"`
	// Containers are slash-separated key paths from the document root to a
	// map of servers (or, with List, a sequence of servers). "*" matches any
	// key; keys containing "/" are matched whole (e.g. project paths).
	Containers []string `json:"containers"`
	// List means each container is a sequence whose items carry a "name"
	// field (Continue).
	List bool `json:"list,omitempty"`
}

func jsonAdapter(containers ...string) Adapter {
	return Adapter{ID: "json:" + strings.Join(containers, ","), Format: FormatJSON, Containers: containers}
}

// Adapters used by the client table. Exported so tests and callers can name them.
var (
	AdapterMCPServers     = jsonAdapter("mcpServers")
	AdapterClaudeJSON     = jsonAdapter("mcpServers", "projects/*/mcpServers")
	AdapterVSCodeMCP      = jsonAdapter("servers")
	AdapterVSCodeSettings = jsonAdapter("mcp/servers")
	AdapterZed            = jsonAdapter("context_servers")
	AdapterOpencode       = jsonAdapter("mcp")
	AdapterCodex          = Adapter{ID: "toml:mcp_servers", Format: FormatTOML, Containers: []string{"mcp_servers"}}
	AdapterGoose          = Adapter{ID: "yaml:extensions", Format: FormatYAML, Containers: []string{"extensions"}}
	AdapterContinue       = Adapter{ID: "yaml:mcpServers[]", Format: FormatYAML, Containers: []string{"mcpServers"}, List: true}
)

// Scope tells which layer of a client's configuration a file belongs to.
type Scope string

const (
	ScopeUser    Scope = "user"
	ScopeProject Scope = "project"
	// ScopeManaged files are written by an administrator: listed, never rewritten.
	ScopeManaged Scope = "managed"
)

// Location is one place a client keeps servers.
type Location struct {
	Scope   Scope
	Adapter Adapter
	// Paths returns candidate absolute paths for user and managed scopes.
	Paths func(e Env) []string
	// Project is a slash-separated path relative to a project root (may hold
	// a glob such as ".continue/mcpServers/*.yaml"); project scope only.
	Project string
}

// Spec is one row of the client table.
type Spec struct {
	ID   string
	Name string
	// LaunchesStdio is true when the client can start stdio servers, so a
	// remote entry can later be bridged through the shim with --url.
	LaunchesStdio bool
	Locations     []Location
}

// Specs returns the client table. Adding a client is one entry here.
func Specs() []Spec {
	return []Spec{
		{ID: "claude-desktop", Name: "Claude Desktop", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, func(e Env) []string {
				switch e.OS {
				case "darwin":
					return []string{e.join(e.Home, "Library", "Application Support", "Claude", "claude_desktop_config.json")}
				case "windows":
					return []string{
						e.join(e.appData(), "Claude", "claude_desktop_config.json"),
						e.join(e.localAppData(), "Packages", "Claude_pzs8sxrjxfjjc", "LocalCache", "Roaming", "Claude", "claude_desktop_config.json"),
					}
				}
				return []string{e.join(e.xdgConfig(), "Claude", "claude_desktop_config.json")}
			}),
		}},
		{ID: "claude-code", Name: "Claude Code", LaunchesStdio: true, Locations: []Location{
			user(AdapterClaudeJSON, func(e Env) []string {
				ps := []string{e.join(e.Home, ".claude.json")}
				if d := e.Vars["CLAUDE_CONFIG_DIR"]; d != "" {
					ps = append(ps, e.join(d, ".claude.json"))
				}
				return ps
			}),
			project(AdapterMCPServers, ".mcp.json"),
			managed(AdapterMCPServers, func(e Env) []string {
				switch e.OS {
				case "darwin":
					return []string{"/Library/Application Support/ClaudeCode/managed-mcp.json"}
				case "windows":
					return []string{`C:\Program Files\ClaudeCode\managed-mcp.json`, `C:\ProgramData\ClaudeCode\managed-mcp.json`}
				}
				return []string{"/etc/claude-code/managed-mcp.json"}
			}),
		}},
		{ID: "cursor", Name: "Cursor", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".cursor", "mcp.json")),
			project(AdapterMCPServers, ".cursor/mcp.json"),
		}},
		{ID: "vscode", Name: "Visual Studio Code", LaunchesStdio: true, Locations: []Location{
			user(AdapterVSCodeMCP, vscFiles(vscEditors, "User", "mcp.json")),
			user(AdapterVSCodeSettings, vscFiles(vscEditors, "User", "settings.json")),
			project(AdapterVSCodeMCP, ".vscode/mcp.json"),
			project(AdapterVSCodeSettings, ".vscode/settings.json"),
		}},
		{ID: "windsurf", Name: "Windsurf", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".codeium", "windsurf", "mcp_config.json")),
			user(AdapterMCPServers, homeFile(".codeium", "mcp_config.json")),
		}},
		{ID: "zed", Name: "Zed", LaunchesStdio: true, Locations: []Location{
			user(AdapterZed, func(e Env) []string {
				switch e.OS {
				case "darwin":
					return []string{e.join(e.Home, ".config", "zed", "settings.json")}
				case "windows":
					return []string{e.join(e.appData(), "Zed", "settings.json")}
				}
				return []string{e.join(e.xdgConfig(), "zed", "settings.json")}
			}),
			project(AdapterZed, ".zed/settings.json"),
		}},
		{ID: "codex", Name: "Codex CLI", LaunchesStdio: true, Locations: []Location{
			user(AdapterCodex, func(e Env) []string {
				if d := e.Vars["CODEX_HOME"]; d != "" {
					return []string{e.join(d, "config.toml")}
				}
				return []string{e.join(e.Home, ".codex", "config.toml")}
			}),
			project(AdapterCodex, ".codex/config.toml"),
		}},
		{ID: "gemini", Name: "Gemini CLI", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".gemini", "settings.json")),
			project(AdapterMCPServers, ".gemini/settings.json"),
			managed(AdapterMCPServers, func(e Env) []string {
				switch e.OS {
				case "darwin":
					return []string{"/Library/Application Support/GeminiCli/settings.json", "/Library/Application Support/GeminiCli/system-defaults.json"}
				case "windows":
					return []string{`C:\ProgramData\gemini-cli\settings.json`, `C:\ProgramData\gemini-cli\system-defaults.json`}
				}
				return []string{"/etc/gemini-cli/settings.json", "/etc/gemini-cli/system-defaults.json"}
			}),
		}},
		{ID: "cline", Name: "Cline", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, func(e Env) []string {
				var ps []string
				if p := e.Vars["CLINE_MCP_SETTINGS_PATH"]; p != "" {
					ps = append(ps, p)
				}
				if d := e.Vars["CLINE_DATA_DIR"]; d != "" {
					ps = append(ps, e.join(d, "settings", "cline_mcp_settings.json"))
				}
				if d := e.Vars["CLINE_DIR"]; d != "" {
					ps = append(ps, e.join(d, "data", "settings", "cline_mcp_settings.json"))
				}
				ps = append(ps, e.join(e.Home, ".cline", "data", "settings", "cline_mcp_settings.json"))
				ps = append(ps, vscFiles(vscHosts, "User", "globalStorage", "saoudrizwan.claude-dev", "settings", "cline_mcp_settings.json")(e)...)
				return append(ps, e.join(e.Home, "Documents", "Cline", "MCP", "cline_mcp_settings.json"))
			}),
		}},
		{ID: "roo", Name: "Roo Code", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, vscFiles(vscHosts, "User", "globalStorage", "rooveterinaryinc.roo-cline", "settings", "mcp_settings.json")),
			project(AdapterMCPServers, ".roo/mcp.json"),
		}},
		{ID: "continue", Name: "Continue", LaunchesStdio: true, Locations: []Location{
			user(AdapterContinue, homeFile(".continue", "config.yaml")),
			project(AdapterContinue, ".continue/mcpServers/*.yaml"),
		}},
		{ID: "goose", Name: "Goose", LaunchesStdio: true, Locations: []Location{
			user(AdapterGoose, func(e Env) []string {
				if e.OS == "windows" {
					return []string{e.join(e.appData(), "Block", "goose", "config", "config.yaml")}
				}
				if e.OS == "darwin" {
					return []string{e.join(e.Home, ".config", "goose", "config.yaml")}
				}
				return []string{e.join(e.xdgConfig(), "goose", "config.yaml")}
			}),
		}},
		{ID: "opencode", Name: "opencode", LaunchesStdio: true, Locations: []Location{
			user(AdapterOpencode, func(e Env) []string {
				dir := e.join(e.xdgConfig(), "opencode")
				if e.OS != "linux" {
					dir = e.join(e.Home, ".config", "opencode")
				}
				ps := []string{e.join(dir, "opencode.json"), e.join(dir, "opencode.jsonc")}
				if p := e.Vars["OPENCODE_CONFIG"]; p != "" {
					ps = append(ps, p)
				}
				return ps
			}),
			project(AdapterOpencode, "opencode.json"),
			project(AdapterOpencode, "opencode.jsonc"),
		}},
		{ID: "lmstudio", Name: "LM Studio", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, func(e Env) []string {
				ps := []string{e.join(e.Home, ".lmstudio", "mcp.json")}
				if e.OS == "linux" {
					ps = append(ps, e.join(e.Home, ".cache", "lm-studio", "mcp.json"))
				}
				return ps
			}),
		}},
		{ID: "amazonq", Name: "Amazon Q Developer CLI", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".aws", "amazonq", "mcp.json")),
			project(AdapterMCPServers, ".amazonq/mcp.json"),
		}},
		{ID: "kiro", Name: "Kiro", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".kiro", "settings", "mcp.json")),
			project(AdapterMCPServers, ".kiro/settings/mcp.json"),
		}},
		{ID: "copilot-cli", Name: "GitHub Copilot CLI", LaunchesStdio: true, Locations: []Location{
			// The workspace .mcp.json is also read by Copilot; it is listed once,
			// under claude-code, so one file is never wrapped for two clients.
			user(AdapterMCPServers, func(e Env) []string {
				if d := e.Vars["COPILOT_HOME"]; d != "" {
					return []string{e.join(d, "mcp-config.json")}
				}
				return []string{e.join(e.Home, ".copilot", "mcp-config.json")}
			}),
		}},
		{ID: "junie", Name: "JetBrains Junie", LaunchesStdio: true, Locations: []Location{
			user(AdapterMCPServers, homeFile(".junie", "mcp", "mcp.json")),
			project(AdapterMCPServers, ".junie/mcp/mcp.json"),
		}},
	}
}

// SpecByID returns the table row for a client id.
func SpecByID(id string) (Spec, bool) {
	for _, s := range Specs() {
		if s.ID == id {
			return s, true
		}
	}
	return Spec{}, false
}

// AdapterFor picks the adapter of client id for a file, matching the file
// name (and, for project globs, the pattern) against the client's locations.
func AdapterFor(id, file string) (Adapter, error) {
	s, ok := SpecByID(id)
	if !ok {
		return Adapter{}, fmt.Errorf("clients: unknown client %q", id)
	}
	base := baseName(file)
	for _, l := range s.Locations {
		if l.Project != "" {
			if ok, _ := path.Match(path.Base(l.Project), base); ok {
				return l.Adapter, nil
			}
			continue
		}
		for _, p := range l.Paths(Env{OS: "linux", Home: "/h"}) {
			if baseName(p) == base {
				return l.Adapter, nil
			}
		}
	}
	return Adapter{}, fmt.Errorf("clients: no adapter of %s for file %q", id, base)
}

func user(a Adapter, f func(Env) []string) Location {
	return Location{Scope: ScopeUser, Adapter: a, Paths: f}
}

func managed(a Adapter, f func(Env) []string) Location {
	return Location{Scope: ScopeManaged, Adapter: a, Paths: f}
}

func project(a Adapter, rel string) Location {
	return Location{Scope: ScopeProject, Adapter: a, Project: rel}
}

func homeFile(parts ...string) func(Env) []string {
	return func(e Env) []string { return []string{e.join(append([]string{e.Home}, parts...)...)} }
}
