package clients

import (
	"encoding/json"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
)

// Env is everything discovery needs to know about the machine. Tests build
// one around a temp HOME; EnvFromOS reads the real one.
type Env struct {
	OS            string // runtime.GOOS value: "linux", "darwin", "windows"
	Home          string
	XDGConfigHome string // empty: Home/.config
	AppData       string // Windows %APPDATA%; empty: Home\AppData\Roaming
	LocalAppData  string // Windows %LOCALAPPDATA%; empty: Home\AppData\Local
	// ProjectDirs are project roots whose project-scope files are listed
	// (for example the current directory, or workspaces a client knows).
	ProjectDirs []string
	// Vars holds the environment variables that move config files:
	// CLAUDE_CONFIG_DIR, CODEX_HOME, COPILOT_HOME, OPENCODE_CONFIG,
	// CLINE_MCP_SETTINGS_PATH, CLINE_DATA_DIR, CLINE_DIR.
	Vars map[string]string
}

var envVarNames = []string{"CLAUDE_CONFIG_DIR", "CODEX_HOME", "COPILOT_HOME", "OPENCODE_CONFIG",
	"CLINE_MCP_SETTINGS_PATH", "CLINE_DATA_DIR", "CLINE_DIR"}

// EnvFromOS describes the running machine.
func EnvFromOS(projectDirs ...string) (Env, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Env{}, err
	}
	e := Env{
		OS:            runtime.GOOS,
		Home:          home,
		XDGConfigHome: os.Getenv("XDG_CONFIG_HOME"),
		AppData:       os.Getenv("APPDATA"),
		LocalAppData:  os.Getenv("LOCALAPPDATA"),
		ProjectDirs:   projectDirs,
		Vars:          map[string]string{},
	}
	for _, k := range envVarNames {
		if v := os.Getenv(k); v != "" {
			e.Vars[k] = v
		}
	}
	for _, p := range KnownProjects(e) {
		if !slices.Contains(e.ProjectDirs, p) {
			e.ProjectDirs = append(e.ProjectDirs, p)
		}
	}
	return e, nil
}

// maxKnownProjects bounds the project folders taken from Claude Code's
// state file: each one is read (and watched) for project-scope configs.
const maxKnownProjects = 200

// KnownProjects returns the project folders Claude Code has opened (the
// keys of "projects" in ~/.claude.json) that still exist, so their
// .mcp.json and other project-scope files are found without being the
// current directory. A missing or unreadable file yields none.
func KnownProjects(e Env) []string {
	paths := []string{e.join(e.Home, ".claude.json")}
	if d := e.Vars["CLAUDE_CONFIG_DIR"]; d != "" {
		paths = append(paths, e.join(d, ".claude.json"))
	}
	var out []string
	for _, p := range paths {
		data, _, err := ReadConfig(p)
		if err != nil {
			continue
		}
		var doc struct {
			Projects map[string]json.RawMessage `json:"projects"`
		}
		if json.Unmarshal(data, &doc) != nil {
			continue
		}
		dirs := slices.Sorted(maps.Keys(doc.Projects))
		for _, d := range dirs {
			if len(out) == maxKnownProjects {
				return out
			}
			if st, err := os.Stat(d); err == nil && st.IsDir() && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

func (e Env) sep() string {
	if e.OS == "windows" {
		return `\`
	}
	return "/"
}

// join joins path parts with the separator of e.OS (not the host's), so a
// Windows Env can be examined on Linux in tests.
func (e Env) join(parts ...string) string {
	sep := e.sep()
	var out []string
	for i, p := range parts {
		if e.OS == "windows" {
			p = strings.ReplaceAll(p, "/", `\`)
		}
		if i > 0 {
			p = strings.TrimLeft(p, sep)
		}
		if i < len(parts)-1 && p != sep {
			p = strings.TrimRight(p, sep)
		}
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func (e Env) xdgConfig() string {
	if e.XDGConfigHome != "" {
		return e.XDGConfigHome
	}
	return e.join(e.Home, ".config")
}

func (e Env) appData() string {
	if e.AppData != "" {
		return e.AppData
	}
	return e.join(e.Home, "AppData", "Roaming")
}

func (e Env) localAppData() string {
	if e.LocalAppData != "" {
		return e.LocalAppData
	}
	return e.join(e.Home, "AppData", "Local")
}

// vscEditors are the VS Code-family products that host VS Code's own MCP
// files; vscHosts adds the forks that host extensions such as Cline and Roo.
var (
	vscEditors = []string{"Code", "Code - Insiders", "VSCodium"}
	vscHosts   = []string{"Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf"}
)

// vscUserDir is the user-data dir of a VS Code-family product.
func (e Env) vscUserDir(product string) string {
	switch e.OS {
	case "darwin":
		return e.join(e.Home, "Library", "Application Support", product)
	case "windows":
		return e.join(e.appData(), product)
	}
	return e.join(e.xdgConfig(), product)
}

func vscFiles(products []string, rel ...string) func(Env) []string {
	return func(e Env) []string {
		var ps []string
		for _, p := range products {
			ps = append(ps, e.join(append([]string{e.vscUserDir(p)}, rel...)...))
		}
		return ps
	}
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
