package clients

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Client is a client from the table with the config files found for it.
type Client struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	LaunchesStdio bool     `json:"launches_stdio"`
	Configs       []Config `json:"configs"`
}

// Config is one config file of a client and what it holds. A file that
// cannot be read or parsed has Error set and no servers; it never stops
// the other files.
type Config struct {
	Path string `json:"path"`
	// RealPath is the file a symlinked Path points to; writes go there.
	RealPath string  `json:"real_path,omitempty"`
	Scope    Scope   `json:"scope"`
	Project  string  `json:"project,omitempty"` // project root for project scope
	Adapter  Adapter `json:"adapter"`
	// ReadOnly files (managed by an administrator) are listed, never rewritten.
	ReadOnly bool     `json:"read_only"`
	Servers  []Server `json:"servers"`
	Error    string   `json:"error,omitempty"`
}

// Discover lists every client of the table that has at least one config
// file under env, with its servers. It only reads files.
func Discover(env Env) []Client {
	var out []Client
	seen := map[string]bool{}
	for _, s := range Specs() {
		c := Client{ID: s.ID, Name: s.Name, LaunchesStdio: s.LaunchesStdio}
		for _, l := range s.Locations {
			for _, f := range candidates(env, l) {
				if seen[s.ID+"\x00"+f.path] {
					continue
				}
				seen[s.ID+"\x00"+f.path] = true
				if cfg, ok := loadConfig(f.path, l, f.project); ok {
					c.Configs = append(c.Configs, cfg)
				}
			}
		}
		if len(c.Configs) > 0 {
			out = append(out, c)
		}
	}
	return out
}

type candidate struct{ path, project string }

func candidates(env Env, l Location) []candidate {
	var out []candidate
	if l.Project == "" {
		for _, p := range l.Paths(env) {
			out = append(out, candidate{path: p})
		}
		return out
	}
	for _, dir := range env.ProjectDirs {
		pat := filepath.Join(dir, filepath.FromSlash(l.Project))
		if strings.ContainsAny(l.Project, "*?[") {
			ms, _ := filepath.Glob(pat)
			for _, m := range ms {
				out = append(out, candidate{m, dir})
			}
			continue
		}
		out = append(out, candidate{pat, dir})
	}
	return out
}

// loadConfig reads and parses one file; ok is false when it does not exist.
func loadConfig(path string, l Location, project string) (cfg Config, ok bool) {
	cfg = Config{Path: path, Scope: l.Scope, Project: project, Adapter: l.Adapter, ReadOnly: l.Scope == ScopeManaged, Servers: []Server{}}
	defer func() {
		if r := recover(); r != nil { // a parser bug must not stop discovery of other files
			cfg.Servers, cfg.Error, ok = []Server{}, fmt.Sprintf("internal error while parsing: %v", r), true
		}
	}()
	src, real, err := ReadConfig(path)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, false
	}
	if real != path {
		cfg.RealPath = real
	}
	if err != nil {
		cfg.Error = err.Error()
		return cfg, true
	}
	servers, err := Parse(src, l.Adapter)
	if err != nil {
		cfg.Error = err.Error()
		return cfg, true
	}
	cfg.Servers = servers
	return cfg, true
}
