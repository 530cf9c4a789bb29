package clients

import "path/filepath"

// WatchTarget is a config file (or, for project globs such as
// ".continue/mcpServers/*.yaml", a file name pattern) that a client would
// read under env, whether or not it exists yet.
type WatchTarget struct {
	ClientID string
	// Path is an absolute path; with Glob it may hold a pattern in its last
	// element (filepath.Match syntax).
	Path string
	Glob bool
}

// WatchTargets lists every path Discover looks at under env, so a watcher
// can notice a config file appearing as well as changing.
func WatchTargets(env Env) []WatchTarget {
	var out []WatchTarget
	for _, s := range Specs() {
		for _, l := range s.Locations {
			if l.Project == "" {
				for _, p := range l.Paths(env) {
					out = append(out, WatchTarget{ClientID: s.ID, Path: p})
				}
				continue
			}
			for _, dir := range env.ProjectDirs {
				p := filepath.Join(dir, filepath.FromSlash(l.Project))
				out = append(out, WatchTarget{ClientID: s.ID, Path: p, Glob: hasMeta(l.Project)})
			}
		}
	}
	return out
}

func hasMeta(p string) bool {
	for _, c := range p {
		if c == '*' || c == '?' || c == '[' {
			return true
		}
	}
	return false
}
