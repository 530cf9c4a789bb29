package clients

import (
	"strconv"
	"strings"
)

// The listing a person sees (`countersign clients --json`, the Clients
// page): every client found, its config files and servers, with no secret
// value in it: arguments that hold one are masked and secret fields are
// named, never shown.

// ClientView is a client with its config files.
type ClientView struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	LaunchesStdio bool         `json:"launches_stdio"`
	Configs       []ConfigView `json:"configs"`
}

// ConfigView is one config file: its servers, or the error that kept it
// from being read (then nothing in it is ever changed).
type ConfigView struct {
	Path     string       `json:"path"`
	RealPath string       `json:"real_path,omitempty"`
	Scope    string       `json:"scope"`
	Project  string       `json:"project,omitempty"`
	Format   string       `json:"format"`
	ReadOnly bool         `json:"read_only"`
	Error    string       `json:"error,omitempty"`
	Servers  []ServerView `json:"servers"`
}

// ServerView is one server entry. Command, Args and Inner have secret
// values replaced by "<redacted>"; SecretFields names the fields
// ("env.API_KEY", "args[3]") that hold a plaintext secret.
type ServerView struct {
	Name      string   `json:"name"`
	Locator   string   `json:"locator"`
	Scope     string   `json:"scope,omitempty"`
	Transport string   `json:"transport"`
	Command   string   `json:"command,omitempty"`
	Args      []string `json:"args"`
	URL       string   `json:"url,omitempty"`
	Wrapped   bool     `json:"wrapped"`
	// Inner is the original launch vector of a wrapped server.
	Inner        []string `json:"inner,omitempty"`
	Wrappable    bool     `json:"wrappable"`
	Reason       string   `json:"reason,omitempty"`
	SecretFields []string `json:"secret_fields"`
}

// View is the listing of cs.
func View(cs []Client) []ClientView {
	out := []ClientView{}
	for _, c := range cs {
		cv := ClientView{ID: c.ID, Name: c.Name, LaunchesStdio: c.LaunchesStdio, Configs: []ConfigView{}}
		for _, cfg := range c.Configs {
			fv := ConfigView{Path: cfg.Path, RealPath: cfg.RealPath, Scope: string(cfg.Scope), Project: cfg.Project,
				Format: string(cfg.Adapter.Format), ReadOnly: cfg.ReadOnly, Error: cfg.Error, Servers: []ServerView{}}
			for _, s := range cfg.Servers {
				fv.Servers = append(fv.Servers, ViewServer(s))
			}
			cv.Configs = append(cv.Configs, fv)
		}
		out = append(out, cv)
	}
	return out
}

// ViewServer is the listing of one server.
func ViewServer(s Server) ServerView {
	out := ServerView{Name: s.Name, Locator: s.Locator, Scope: s.Scope, Transport: string(s.Transport),
		Command: RedactText(s.Command), Args: maskArgs(s.Args, s.SecretFields, "args"), URL: s.URL,
		Wrapped: s.Wrapped, Wrappable: s.Wrappable, Reason: s.Reason, SecretFields: s.SecretFields}
	if s.Wrapped {
		out.Inner = maskArgs(s.Inner, nil, "")
	}
	if out.SecretFields == nil {
		out.SecretFields = []string{}
	}
	for _, f := range s.SecretFields {
		if l := strings.ToLower(f); strings.Contains(l, "url") || l == "uri" {
			out.URL = RedactText(s.URL)
			if out.URL == s.URL {
				out.URL = "<redacted>"
			}
		}
	}
	return out
}

// maskArgs replaces the arguments named in secret fields ("args[2]") and
// any key-shaped value by "<redacted>"; nil stays an empty list.
func maskArgs(args, secretFields []string, field string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = RedactText(a)
		for _, f := range secretFields {
			if f == field+"["+strconv.Itoa(i)+"]" {
				out[i] = "<redacted>"
			}
		}
	}
	return out
}
