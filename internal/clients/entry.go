package clients

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Transport is how a client reaches a server.
type Transport string

const (
	TransportStdio   Transport = "stdio"
	TransportRemote  Transport = "remote"
	TransportUnknown Transport = "unknown" // no command and no URL (extension, builtin, malformed)
)

// Server is one server entry as found in a config file. It never holds a
// secret value: SecretFields names the fields that hold plaintext secrets.
type Server struct {
	Name string `json:"name"`
	// Locator is an RFC 6901 pointer to the entry ("/mcpServers/github",
	// "/projects/~1Users~1dev~1app/mcpServers/x", "/mcpServers/0" for
	// Continue's list). Wrap and Unwrap accept it in place of a name.
	Locator string `json:"locator"`
	// Scope is the project path for per-project entries in ~/.claude.json.
	Scope     string    `json:"scope,omitempty"`
	Transport Transport `json:"transport"`
	Command   string    `json:"command,omitempty"`
	Args      []string  `json:"args,omitempty"`
	URL       string    `json:"url,omitempty"`
	// Wrapped: the command is a countersign binary invoked with "shim".
	Wrapped bool `json:"wrapped"`
	// Inner is the launch vector after "--" of a wrapped entry.
	Inner []string `json:"inner,omitempty"`
	// Wrappable: Wrap would rewrite this entry now (stdio, not wrapped,
	// layout understood). Reason says why not when false.
	Wrappable    bool     `json:"wrappable"`
	Reason       string   `json:"reason,omitempty"`
	SecretFields []string `json:"secret_fields,omitempty"`
}

// entry is a Server plus where it sits in the parsed file.
type entry struct {
	Server
	node   *node
	path   []any // decoded path from the document root to the entry
	launch *launch
	dup    bool
}

// launch locates the fields that start a stdio server.
type launch struct {
	holder     *node
	holderPath []any
	cmdKey     string
	cmd        *node // a string; for argv form, the array holding the whole argv
	args       *node // nil when the entry has no args key
	argv       bool  // opencode: command is one argv array
}

var remoteTypes = map[string]bool{"http": true, "sse": true, "streamableHttp": true, "streamable-http": true,
	"streamable_http": true, "remote": true}

// parseEntries parses src with a and returns the root and every server entry.
func parseEntries(src []byte, a Adapter) (*node, []*entry, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(src, bom))) == 0 {
		return &node{kind: kObject}, nil, nil
	}
	var root *node
	var err error
	switch a.Format {
	case FormatJSON:
		root, err = parseJSONTree(maskBOM(src))
	case FormatTOML:
		root, err = parseTOMLTree(maskBOM(src))
	case FormatYAML:
		root, err = parseYAMLTree(src)
	default:
		return nil, nil, fmt.Errorf("clients: unknown format %q", a.Format)
	}
	if err != nil {
		return nil, nil, err
	}
	if root.kind != kObject {
		return nil, nil, fmt.Errorf("clients: top level is not an object")
	}
	var out []*entry
	for _, c := range a.Containers {
		es, err := containerEntries(root, strings.Split(c, "/"), a.List)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, es...)
	}
	for _, e := range out {
		classify(e)
		e.SecretFields = secretFields(e.node)
		if e.Transport == TransportRemote && !e.Wrapped {
			// a stand-in shim path: only whether and why matter here
			if _, err := planRemote(src, a, e, WrapOptions{ShimPath: "/countersign", ClientID: "client"}); err != nil {
				e.Reason = err.Error()
			} else {
				e.Wrappable, e.Reason = true, ""
			}
		}
	}
	return root, out, nil
}

var bom = []byte("\xef\xbb\xbf")

// maskBOM replaces a UTF-8 BOM by three spaces so parsers that reject it see
// the same byte offsets.
func maskBOM(src []byte) []byte {
	if !bytes.HasPrefix(src, bom) {
		return src
	}
	c := append([]byte("   "), src[3:]...)
	return c
}

type container struct {
	n     *node
	path  []any
	ptr   string
	scope string
}

func containerEntries(root *node, pattern []string, list bool) ([]*entry, error) {
	cs := []container{{n: root}}
	for _, part := range pattern {
		var next []container
		for _, c := range cs {
			if c.n.kind != kObject {
				continue
			}
			for _, m := range c.n.members {
				if part != "*" && m.key != part {
					continue
				}
				nc := container{n: m.val, path: appendPath(c.path, m.key), ptr: c.ptr + "/" + pointerEscape(m.key), scope: c.scope}
				if part == "*" {
					nc.scope = m.key
				}
				next = append(next, nc)
			}
		}
		cs = next
	}
	var out []*entry
	for _, c := range cs {
		switch {
		case list && c.n.kind == kArray:
			for i, el := range c.n.elems {
				e := &entry{node: el, path: appendPath(c.path, i)}
				e.Locator = c.ptr + "/" + strconv.Itoa(i)
				e.Scope = c.scope
				e.Name = el.getString("name")
				out = append(out, e)
			}
		case !list && c.n.kind == kObject:
			dups := map[string]bool{}
			for _, k := range c.n.dupKeys {
				dups[k] = true
			}
			for _, m := range c.n.members {
				e := &entry{node: m.val, path: appendPath(c.path, m.key), dup: dups[m.key]}
				e.Name = m.key
				e.Locator = c.ptr + "/" + pointerEscape(m.key)
				e.Scope = c.scope
				out = append(out, e)
			}
		case c.n.kind == kOther:
			// null (e.g. "mcpServers:" with nothing under it): no servers
		default:
			return nil, fmt.Errorf("clients: %s has an unexpected shape", strings.TrimPrefix(c.ptr, "/"))
		}
	}
	return out, nil
}

func appendPath(p []any, k any) []any {
	return append(append([]any{}, p...), k)
}

// classify fills Transport, Command/Args/URL, Wrapped, Wrappable and Reason.
func classify(e *entry) {
	n := e.node
	e.Transport = TransportUnknown
	if n.kind != kObject {
		e.Reason = "entry is not an object"
		return
	}
	holder, hpath := n, e.path
	if t, _ := n.get("transport"); t != nil && t.kind == kObject { // Cline CLI nested form
		holder, hpath = t, appendPath(e.path, "transport")
	}
	for _, k := range []string{"url", "serverUrl", "httpUrl", "uri"} {
		if u := holder.getString(k); u != "" {
			e.URL = u
			break
		}
	}
	typ := holder.getString("type")
	if e.URL != "" || remoteTypes[typ] {
		e.Transport = TransportRemote
		e.Reason = "remote"
		return
	}
	if typ == "builtin" || typ == "platform" || typ == "frontend" || typ == "inline_python" {
		e.Reason = "built into the client (" + typ + "), nothing to wrap"
		return
	}
	cmdKey := "command"
	c, dupC := holder.get("command")
	if c == nil {
		cmdKey = "cmd"
		c, dupC = holder.get("cmd")
	}
	if c == nil {
		if s, _ := n.get("settings"); s != nil {
			e.Reason = "provided by an extension of the client, not wrappable"
		} else {
			e.Reason = "no command and no url"
		}
		return
	}
	l := &launch{holder: holder, holderPath: hpath, cmdKey: cmdKey, cmd: c}
	var dupA bool
	switch c.kind {
	case kString:
		l.args, dupA = holder.get("args")
	case kArray:
		l.argv = true
	case kObject: // Zed legacy {"command": {"path", "args", "env"}}
		p, dupP := c.get("path")
		if p == nil || p.kind != kString {
			e.Reason = "command object without a path"
			return
		}
		l.holder, l.holderPath, l.cmdKey, l.cmd = c, appendPath(hpath, cmdKey), "path", p
		l.args, dupA = c.get("args")
		dupC = dupC || dupP
	default:
		e.Reason = "command is not a string"
		return
	}
	argv, ok := launchArgv(l)
	e.Transport = TransportStdio
	if !ok {
		e.Reason = "command or args hold values that are not strings"
		return
	}
	if len(argv) == 0 || argv[0] == "" {
		e.Reason = "empty command"
		return
	}
	e.Command, e.Args = argv[0], argv[1:]
	if k := wrappedAt(argv); k > 0 {
		e.Wrapped = true
		e.Inner = argv[k+1:]
	} else if u, ok := isRemoteWrapped(argv); ok {
		e.Wrapped, e.Transport, e.URL = true, TransportRemote, u
	}
	e.launch = l
	switch {
	case e.dup:
		e.Reason = "duplicate server name in this file; edit it by hand"
	case dupC || dupA || len(l.holder.dupKeys) > 0 && containsAny(l.holder.dupKeys, l.cmdKey, "args"):
		e.Reason = "duplicate command or args keys; edit it by hand"
	case n.unsupported != "" || l.holder.unsupported != "":
		e.Reason = "layout not supported for rewriting: " + n.unsupported + l.holder.unsupported
	case !spliceable(l):
		e.Reason = "layout not supported for rewriting (multi-line or block scalar)"
	case e.Wrapped:
		e.Reason = "already wrapped"
	default:
		if u := bridgeURL(argv); u != "" {
			e.Transport = TransportRemote
			e.URL = u
			e.Reason = "remote via mcp-remote"
			return
		}
		e.Wrappable = true
	}
}

func containsAny(list []string, xs ...string) bool {
	for _, l := range list {
		for _, x := range xs {
			if l == x {
				return true
			}
		}
	}
	return false
}

// launchArgv returns command followed by args, decoded.
func launchArgv(l *launch) ([]string, bool) {
	var out []string
	add := func(arr *node) bool {
		if arr.kind != kArray {
			return false
		}
		for _, el := range arr.elems {
			if el.kind != kString {
				return false
			}
			out = append(out, el.str)
		}
		return true
	}
	if l.argv {
		return out, add(l.cmd)
	}
	out = append(out, l.cmd.str)
	if l.args != nil && !add(l.args) {
		return nil, false
	}
	return out, true
}

// spliceable reports whether every launch value has exact byte offsets.
func spliceable(l *launch) bool {
	arrOK := func(a *node) bool {
		if a == nil {
			return true
		}
		if !a.block && !a.spanOK {
			return false
		}
		for _, el := range a.elems {
			if !el.spanOK || el.start < 0 {
				return false
			}
		}
		return true
	}
	if l.argv {
		return arrOK(l.cmd)
	}
	return l.cmd.spanOK && l.cmd.start >= 0 && arrOK(l.args)
}

// wrappedAt returns the index of the "--" that ends Countersign's flags when
// argv is a countersign binary invoked with "shim" followed by a launch
// vector, else -1.
func wrappedAt(argv []string) int {
	if len(argv) < 4 || !isCountersign(argv[0]) || argv[1] != "shim" {
		return -1
	}
	return shimSep(argv, 2)
}

// shimSep returns the index of the "--" ending the shim flags that start at
// argv[from], or -1. Every shim flag takes a value ("--name X" or
// "--name=X"), so a value that happens to be "--" is skipped. A separator
// must be followed by at least the original command.
func shimSep(argv []string, from int) int {
	for i := from; i < len(argv); {
		switch a := argv[i]; {
		case a == "--":
			if i+1 < len(argv) {
				return i
			}
			return -1
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			i += 2
		default:
			i++
		}
	}
	return -1
}

func isCountersign(cmd string) bool {
	b := strings.ToLower(baseName(cmd))
	return b == "countersign" || b == "countersign.exe"
}

// bridgeURL returns the URL of an "npx mcp-remote URL" style bridge.
func bridgeURL(argv []string) string {
	seen := false
	for _, a := range argv {
		b := baseName(a)
		if b == "mcp-remote" || strings.HasPrefix(b, "mcp-remote@") {
			seen = true
			continue
		}
		if seen && (strings.HasPrefix(a, "https://") || strings.HasPrefix(a, "http://")) {
			return a
		}
	}
	return ""
}
