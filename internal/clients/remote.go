package clients

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Wrapping remote servers: an entry the client reaches over HTTP (a "url",
// "serverUrl" or "httpUrl" key in a JSON config) or through the mcp-remote
// stdio bridge becomes a stdio entry that launches "countersign shim --url".
// Only the transport keys change: the URL key becomes "command" and "args",
// a "type" becomes "stdio", and "headers" is removed (each header moves into
// a --header argument). The edits are journaled like a stdio wrap, so unwrap
// restores the entry byte for byte; without the journal it is left alone.

// remoteURLKeys are the keys of a direct remote entry's URL.
var remoteURLKeys = []string{"url", "serverUrl", "httpUrl"}

// remoteWrap is the plan for one remote entry.
type remoteWrap struct {
	url     string
	headers []string // "Name: value", in file order
	flags   []string // extra shim flags (--transport, --allow-http)
	splices []splice
	// migrated are headers whose secret moved to the keychain; swaps say
	// what to scrub from backups. Such a wrap is not journaled (the edits
	// would hold the secret).
	migrated []MigratedKey
	swaps    []swap
	// expect applies the same change to a decoded document (validation).
	expect func(doc any, argv []string) error
}

// remoteArgv is the launch vector of a wrapped remote entry.
func remoteArgv(opts WrapOptions, name string, rw *remoteWrap) []string {
	argv := []string{opts.ShimPath, "shim", "--name", name, "--client", opts.ClientID, "--url", rw.url}
	for _, h := range rw.headers {
		argv = append(argv, "--header", h)
	}
	return append(argv, rw.flags...)
}

// isRemoteWrapped reports whether argv launches "countersign shim ... --url".
func isRemoteWrapped(argv []string) (url string, ok bool) {
	if len(argv) < 4 || !isCountersign(argv[0]) || argv[1] != "shim" {
		return "", false
	}
	for i := 2; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "--":
			return "", false
		case a == "--url" && i+1 < len(argv):
			return argv[i+1], true
		case strings.HasPrefix(a, "--url="):
			return strings.TrimPrefix(a, "--url="), true
		}
	}
	return "", false
}

// planRemote decides how a remote entry is wrapped, or why it cannot be.
func planRemote(src []byte, a Adapter, e *entry, opts WrapOptions) (*remoteWrap, error) {
	if e.launch != nil {
		return planBridge(src, a, e, opts)
	}
	return planDirect(src, a, e, opts)
}

// planDirect rewrites a {"url": ..., "type": ..., "headers": {...}} entry.
func planDirect(src []byte, a Adapter, e *entry, opts WrapOptions) (*remoteWrap, error) {
	n := e.node
	switch {
	case a.Format != FormatJSON:
		return nil, fmt.Errorf("remote, not wrapped: rewriting remote entries in %s files is not supported yet; wrap it by hand with countersign shim --url", a.Format)
	case a.ID == AdapterOpencode.ID:
		return nil, fmt.Errorf("remote, not wrapped: opencode launches local servers from an argv command; wrap it by hand with countersign shim --url")
	case e.dup || len(n.dupKeys) > 0:
		return nil, fmt.Errorf("remote, not wrapped: duplicate keys in this entry; edit it by hand")
	case n.unsupported != "":
		return nil, fmt.Errorf("remote, not wrapped: layout not supported for rewriting: %s", n.unsupported)
	}
	for _, k := range []string{"transport", "command", "cmd", "args", "oauth", "auth"} {
		if v, _ := n.get(k); v != nil {
			return nil, fmt.Errorf("remote, not wrapped: the entry's %q key would need a translation Countersign does not make; wrap it by hand", k)
		}
	}
	var urlM *member
	for i := range n.members {
		if slices.Contains(remoteURLKeys, n.members[i].key) {
			if urlM != nil {
				return nil, fmt.Errorf("remote, not wrapped: both %q and %q are set; keep one", urlM.key, n.members[i].key)
			}
			urlM = &n.members[i]
		}
	}
	if urlM == nil || urlM.val.kind != kString || !urlM.val.spanOK {
		return nil, fmt.Errorf("remote, not wrapped: no plain URL string")
	}
	rw := &remoteWrap{url: urlM.val.str}
	if strings.Contains(rw.url, "${") || strings.Contains(rw.url, "{env:") {
		return nil, fmt.Errorf("remote, not wrapped: the URL holds a placeholder the client expands")
	}
	typ, _ := n.get("type")
	if typ != nil && (typ.kind != kString || !typ.spanOK) {
		return nil, fmt.Errorf("remote, not wrapped: \"type\" is not a string")
	}
	if typ != nil && typ.str == "sse" {
		rw.flags = append(rw.flags, "--transport", "sse")
	}
	hdrs, _ := n.get("headers")
	if hdrs != nil {
		if hdrs.kind != kObject || len(hdrs.dupKeys) > 0 {
			return nil, fmt.Errorf("remote, not wrapped: \"headers\" is not a plain object")
		}
		for _, m := range hdrs.members {
			if m.val.kind != kString {
				return nil, fmt.Errorf("remote, not wrapped: header %q is not a string", m.key)
			}
			value := m.val.str
			if looksSecret(m.key, value) {
				var err error
				if value, err = rw.moveHeader(e.Name, m.key, value, string(src[m.val.start:m.val.end]), opts.Migrate); err != nil {
					return nil, err
				}
			}
			rw.headers = append(rw.headers, m.key+": "+value)
		}
	}
	if err := checkPlainHTTP(rw.url); err != nil {
		return nil, err
	}
	argv := remoteArgv(opts, e.Name, rw)
	toks := make([]string, len(argv)-1)
	for i, s := range argv[1:] {
		toks[i] = quote(FormatJSON, s, true)
	}
	sep, list := ": ", ", "
	if urlM.val.start > 0 && src[urlM.val.start-1] == ':' {
		sep, list = ":", ","
	}
	rw.splices = append(rw.splices, splice{urlM.keyStart, urlM.val.end,
		`"command"` + sep + quote(FormatJSON, argv[0], true) + list + `"args"` + sep + "[" + strings.Join(toks, list) + "]"})
	if typ != nil {
		rw.splices = append(rw.splices, splice{typ.start, typ.end, `"stdio"`})
	}
	if hdrs != nil {
		sp, err := deleteMember(src, n, "headers")
		if err != nil {
			return nil, fmt.Errorf("remote, not wrapped: %w", err)
		}
		rw.splices = append(rw.splices, sp)
	}
	urlKey := urlM.key
	rw.expect = func(doc any, argv []string) error {
		holder, err := lookup(doc, e.path)
		if err != nil {
			return err
		}
		delete(holder, urlKey)
		delete(holder, "headers")
		if _, ok := holder["type"]; ok {
			holder["type"] = "stdio"
		}
		holder["command"] = argv[0]
		holder["args"] = toAny(argv[1:])
		return nil
	}
	return rw, nil
}

// checkPlainHTTP refuses a plain-http URL to another machine: the shim only
// sends credentials over http to loopback unless a person passes
// --allow-http, and wrap must not make that choice for them.
func checkPlainHTTP(u string) error {
	if !strings.HasPrefix(u, "http://") {
		return nil
	}
	host := strings.TrimPrefix(u, "http://")
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if h, _, ok := strings.Cut(host, "]"); ok && strings.HasPrefix(h, "[") { // [::1]:port
		host = h[1:]
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	if host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.") {
		return nil
	}
	return fmt.Errorf("remote, not wrapped: %s is plain http to another machine; wrap it by hand with countersign shim --url --allow-http if you accept that", host)
}

// deleteMember returns the splice that removes member key of the JSON object
// n with the comma that separates it, when only whitespace and the comma lie
// between it and its neighbour (a comment there stops it).
func deleteMember(src []byte, n *node, key string) (splice, error) {
	i := slices.IndexFunc(n.members, func(m member) bool { return m.key == key })
	if i < 0 {
		return splice{}, fmt.Errorf("no %q key", key)
	}
	m := n.members[i]
	blank := func(b []byte, comma bool) bool {
		for _, c := range b {
			if !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || comma && c == ',') {
				return false
			}
		}
		return true
	}
	if i+1 < len(n.members) {
		next := n.members[i+1].keyStart
		gap := src[m.val.end:next]
		if !blank(gap, true) || bytes.Count(gap, []byte(",")) != 1 {
			return splice{}, fmt.Errorf("cannot remove %q: a comment or unusual layout follows it", key)
		}
		return splice{m.keyStart, next, ""}, nil
	}
	if i == 0 {
		// the only member: keep the braces, drop the member
		return splice{m.keyStart, m.val.end, ""}, nil
	}
	prevEnd := n.members[i-1].val.end
	gap := src[prevEnd:m.keyStart]
	if !blank(gap, true) || bytes.Count(gap, []byte(",")) != 1 {
		return splice{}, fmt.Errorf("cannot remove %q: a comment or unusual layout precedes it", key)
	}
	// keep a trailing comma after the member if the file had one there
	return splice{prevEnd, m.val.end, ""}, nil
}

// planBridge rewrites "npx mcp-remote URL [--header H]... [--transport T]
// [--allow-http]" into the shim's own remote bridge.
func planBridge(src []byte, a Adapter, e *entry, opts WrapOptions) (*remoteWrap, error) {
	l := e.launch
	if l.argv || l.args == nil || l.args.block || !spliceable(l) || e.dup {
		return nil, fmt.Errorf("remote via mcp-remote, not wrapped: layout not supported for rewriting; wrap it by hand with countersign shim --url")
	}
	argv, _ := launchArgv(l)
	at := slices.IndexFunc(argv, func(s string) bool {
		b := baseName(s)
		return b == "mcp-remote" || strings.HasPrefix(b, "mcp-remote@")
	})
	rest := argv[at+1:]
	if len(rest) == 0 || !(strings.HasPrefix(rest[0], "https://") || strings.HasPrefix(rest[0], "http://")) {
		return nil, fmt.Errorf("remote via mcp-remote, not wrapped: the URL is not the first argument after mcp-remote")
	}
	rw := &remoteWrap{url: rest[0]}
	for i := 1; i < len(rest); i++ {
		flag, val := rest[i], ""
		hasVal := i+1 < len(rest)
		if hasVal {
			val = rest[i+1]
		}
		switch {
		case flag == "--header" && hasVal:
			if strings.Contains(val, "${") {
				return nil, fmt.Errorf("remote via mcp-remote, not wrapped: header %q takes ${...} from the environment, which the shim does not expand; store the token with 'countersign secrets set NAME' and use secret:NAME", val)
			}
			k, v, _ := strings.Cut(val, ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if looksSecret(k, v) {
				raw := ""
				for _, el := range l.args.elems {
					if el.str == val {
						raw = string(src[el.start:el.end])
					}
				}
				moved, err := rw.moveHeader(e.Name, k, v, raw, opts.Migrate)
				if err != nil {
					return nil, err
				}
				val = k + ": " + moved
			}
			rw.headers = append(rw.headers, val)
			i++
		case flag == "--transport" && hasVal:
			switch val {
			case "http-only":
				rw.flags = append(rw.flags, "--transport", "http")
			case "sse-only":
				rw.flags = append(rw.flags, "--transport", "sse")
			case "http-first", "sse-first":
			default:
				return nil, fmt.Errorf("remote via mcp-remote, not wrapped: unknown --transport %q", val)
			}
			i++
		case flag == "--allow-http":
			rw.flags = append(rw.flags, "--allow-http") // the person chose it for mcp-remote
		default:
			return nil, fmt.Errorf("remote via mcp-remote, not wrapped: its option %q has no equivalent in the shim; wrap it by hand", flag)
		}
	}
	if !slices.Contains(rw.flags, "--allow-http") {
		if err := checkPlainHTTP(rw.url); err != nil {
			return nil, err
		}
	}
	full := remoteArgv(opts, e.Name, rw)
	toks := make([]string, len(full)-1)
	for i, s := range full[1:] {
		toks[i] = quote(a.Format, s, true)
	}
	rw.splices = []splice{
		{l.cmd.start, l.cmd.end, quote(a.Format, full[0], l.holder.flow)},
		{l.args.start, l.args.end, "[" + strings.Join(toks, ", ") + "]"},
	}
	rw.expect = func(doc any, argv []string) error {
		holder, err := lookup(doc, l.holderPath)
		if err != nil {
			return err
		}
		holder[l.cmdKey] = argv[0]
		holder["args"] = toAny(argv[1:])
		return nil
	}
	return rw, nil
}

// authScheme splits "Bearer TOKEN" (or Token, Basic) into the scheme with
// its space and the credential.
var authScheme = regexp.MustCompile(`(?i)^(bearer|token|basic)\s+`)

// moveHeader moves the secret in a header value into the keychain through
// migrate and returns the value with a secret:NAME reference in its place
// ("Bearer secret:linear-authorization"). raw is the value's token in the
// file (for scrubbing backups). Without migrate it refuses: a plaintext
// token must not move onto a command line.
func (rw *remoteWrap) moveHeader(server, header, value, raw string, migrate MigrateFunc) (string, error) {
	if migrate == nil {
		return "", fmt.Errorf("remote, not wrapped: header %q holds a plaintext secret; wrap with --migrate-secrets to move it into the keychain (or store it with 'countersign secrets set NAME' and write secret:NAME in its place)", header)
	}
	prefix := authScheme.FindString(value)
	secret := value[len(prefix):]
	key := strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(header))
	_, moved, err := migrate(server, map[string]string{key: secret})
	if err != nil {
		return "", fmt.Errorf("remote, not wrapped: secrets not moved: %w", err)
	}
	name, ok := moved[key]
	if !ok {
		return "", fmt.Errorf("remote, not wrapped: the value of header %q could not be moved to the keychain; store it with 'countersign secrets set NAME' and write secret:NAME in its place", header)
	}
	ref := prefix + SecretRef(name)
	rw.migrated = append(rw.migrated, MigratedKey{Key: header, Secret: name})
	if raw != "" {
		rw.swaps = append(rw.swaps, swap{raw, quote(FormatJSON, ref, true)})
	}
	if len(secret) >= minBareValue {
		rw.swaps = append(rw.swaps, swap{secret, SecretRef(name)})
	}
	return ref, nil
}
