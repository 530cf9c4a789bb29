package core

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/toolguard"
)

// Tool integrity: the core keeps the pins of every server identity's tools,
// prompts and resource templates, judges each list result a shim reports
// (toolguard.Evaluate), and is authoritative for what is held: a call to a
// held tool is blocked in Hold whatever the shim knew.

// ReviewNewSetting is the settings key that, when "on" (or "true", "1"),
// holds every first-seen tool, prompt and template for review instead of
// trusting it on first use. Off by default.
const ReviewNewSetting = "tools_review_new"

// maxFlagExcerpt bounds the excerpt a flag quotes.
const maxFlagExcerpt = 120

// pinsMu serialises every read-modify-write of pins (ReviewList, Trust):
// two shims of one server listing at once must not lose each other's
// transitions. It is package-wide because a Core's fields are not ours to
// extend here; holding it across cores in one process (tests) is harmless.
var pinsMu sync.Mutex

// serverIdentity is the toolguard identity of a session's server.
func serverIdentity(req localapi.SessionRequest) string {
	if req.URL != "" {
		return toolguard.RemoteServerID(req.Server, req.URL)
	}
	return toolguard.ServerID(req.Server, req.Command)
}

func parseKind(k string) (toolguard.ItemKind, error) {
	switch kind := toolguard.ItemKind(k); kind {
	case toolguard.KindTool, toolguard.KindPrompt, toolguard.KindResourceTemplate:
		return kind, nil
	}
	return "", fmt.Errorf("%w: unknown list kind %q (want tool, prompt or resource_template)", localapi.ErrInvalid, k)
}

var allKinds = []toolguard.ItemKind{toolguard.KindTool, toolguard.KindPrompt, toolguard.KindResourceTemplate}

// loadPins reads one server identity's pins of one kind. A document that
// cannot be read is an error: guessing would let a held item through.
func (c *Core) loadPins(ctx context.Context, server string, kind toolguard.ItemKind) ([]toolguard.Pin, error) {
	docs, err := c.store.Pins(ctx, server, string(kind))
	if err != nil {
		return nil, fmt.Errorf("core: load pins: %w", err)
	}
	pins := make([]toolguard.Pin, 0, len(docs))
	for _, d := range docs {
		p, err := decodePin(d)
		if err != nil {
			return nil, err
		}
		pins = append(pins, p)
	}
	return pins, nil
}

func decodePin(d store.PinDoc) (toolguard.Pin, error) {
	var p toolguard.Pin
	if err := json.Unmarshal(d.Doc, &p); err != nil {
		return p, fmt.Errorf("core: pin %s %s %q is unreadable: %w", d.Server, d.Kind, d.Name, err)
	}
	return p, nil
}

func (c *Core) savePins(ctx context.Context, server string, kind toolguard.ItemKind, pins []toolguard.Pin) error {
	docs := make(map[string][]byte, len(pins))
	for _, p := range pins {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("core: save pins: %w", err)
		}
		docs[p.Name] = b
	}
	if err := c.store.ReplacePins(ctx, server, string(kind), docs); err != nil {
		return fmt.Errorf("core: save pins: %w", err)
	}
	return nil
}

func (c *Core) reviewNew(ctx context.Context) bool {
	v, ok, err := c.store.Setting(ctx, ReviewNewSetting)
	if err != nil || !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1", "yes":
		return true
	}
	return false
}

// ReviewList judges a list result a shim saw: it evaluates it against the
// stored pins, saves the new pins, records first sights and changes in the
// timeline, and returns what the shim must withhold and the flags of what
// it lets through. An error means the shim must not forward the result.
func (c *Core) ReviewList(ctx context.Context, rep localapi.ListReport) (localapi.ListVerdict, error) {
	kind, err := parseKind(rep.Kind)
	if err != nil {
		return localapi.ListVerdict{}, err
	}
	req, ok := c.sessionInfo(rep.SessionID)
	if !ok {
		return localapi.ListVerdict{}, fmt.Errorf("%w: unknown session %q", localapi.ErrInvalid, rep.SessionID)
	}
	server := serverIdentity(req)
	others := c.clientNames(rep.SessionID, req.Client, server)
	opts := toolguard.Options{ReviewNew: c.reviewNew(ctx), Partial: rep.Partial}
	opts.Scan.OtherToolNames = others[toolguard.KindTool].names()

	pinsMu.Lock()
	pins, err := c.loadPins(ctx, server, kind)
	if err != nil {
		pinsMu.Unlock()
		return localapi.ListVerdict{}, err
	}
	now := time.Now().UTC()
	ev, err := toolguard.Evaluate(server, kind, pins, rep.Result, opts, now)
	if err != nil {
		pinsMu.Unlock()
		return localapi.ListVerdict{}, fmt.Errorf("%w: %s list of %s: %v", localapi.ErrInvalid, kind, req.Server, err)
	}
	err = c.savePins(ctx, server, kind, ev.Pins)
	pinsMu.Unlock()
	if err != nil {
		return localapi.ListVerdict{}, err
	}

	hidden := ev.Hidden()
	var listed []string
	for _, p := range ev.Pins {
		if p.State != toolguard.StateRemoved {
			listed = append(listed, p.Name)
		}
	}
	c.noteListed(rep.SessionID, kind, listed)
	c.recordChanges(req, rep.SessionID, kind, ev)

	v := localapi.ListVerdict{Hidden: hidden, Flags: map[string][]string{}}
	for _, p := range ev.Pins {
		if p.State == toolguard.StateRemoved {
			continue
		}
		var flags []string
		if p.State == toolguard.StateChanged {
			flags = append(flags, "definition changed since it was trusted (not reviewed yet)")
		}
		flags = append(flags, findingFlags(p.Findings)...)
		for _, other := range others[kind].serversOffering(p.Name) {
			flags = append(flags, "name collision with server "+other)
		}
		if len(flags) > 0 {
			v.Flags[p.Name] = flags
		}
	}
	if len(v.Flags) == 0 {
		v.Flags = nil
	}
	// Other shims of the same server must block the newly held items too,
	// even on their fast path.
	c.pushHeld(ctx, server, rep.SessionID, nil)
	return v, nil
}

// recordChanges writes first sights and changes to the timeline and warns
// about each quarantine.
func (c *Core) recordChanges(req localapi.SessionRequest, sessionID string, kind toolguard.ItemKind, ev toolguard.Evaluation) {
	hashes := map[string]string{}
	for _, p := range ev.Pins {
		hashes[p.Name] = p.Hash
	}
	for _, ch := range ev.Changes {
		detail := string(ch.To)
		if ch.Reason != "" {
			detail += " (" + string(ch.Reason) + ")"
		}
		if kind != toolguard.KindTool {
			detail = string(kind) + ": " + detail
		}
		e := store.Event{SessionID: sessionID, Client: req.Client, Server: req.Server, Tool: ch.Name,
			ToolHash: hashes[ch.Name], Detail: detail}
		switch {
		case ch.From == "":
			e.Kind = store.EventToolFirstSeen
		case ch.HashChanged:
			e.Kind = store.EventToolChanged
		}
		if e.Kind != "" {
			c.recordEvent(e)
		}
		if ch.To == toolguard.StateQuarantined {
			c.log.Warn("quarantined: held back from the client until reviewed (countersign tools diff / trust)",
				"server", req.Server, "kind", kind, "name", ch.Name, "reason", ch.Reason)
		}
	}
}

// findingFlags puts scanner findings in words for the popup.
func findingFlags(fs []toolguard.Finding) []string {
	var out []string
	for _, f := range fs {
		label := map[toolguard.FindingKind]string{
			toolguard.FindingInstruction:      "hidden instruction",
			toolguard.FindingInvisibleUnicode: "invisible characters",
			toolguard.FindingTerminalEscape:   "terminal escape",
			toolguard.FindingControlCharacter: "control character",
			toolguard.FindingToolReference:    "names another server's tool",
			toolguard.FindingLongDescription:  "unusually long description",
			toolguard.FindingMalformed:        "malformed definition",
			toolguard.FindingDuplicateName:    "listed twice",
		}[f.Kind]
		if label == "" {
			label = string(f.Kind)
		}
		text := f.Excerpt
		if f.Detail != "" {
			text = f.Detail
		}
		if r := []rune(text); len(r) > maxFlagExcerpt {
			text = string(r[:maxFlagExcerpt-1]) + "…"
		}
		if text != "" && f.Kind != toolguard.FindingLongDescription {
			label += ": " + text
		}
		out = append(out, label)
	}
	return out
}

// offered maps an item name to the servers (by configured name) offering it.
type offered map[string][]string

func (o offered) names() []string {
	out := make([]string, 0, len(o))
	for n := range o {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (o offered) serversOffering(name string) []string { return o[name] }

// clientNames returns what the other servers of a client offer, by kind:
// the names the other sessions of that client listed last, skipping the
// sessions of the same server identity.
func (c *Core) clientNames(sessionID, client, server string) map[toolguard.ItemKind]offered {
	out := map[toolguard.ItemKind]offered{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, s := range c.sessions {
		if id == sessionID || s.req.Client != client || serverIdentity(s.req) == server {
			continue
		}
		for kind, names := range s.listed {
			if out[kind] == nil {
				out[kind] = offered{}
			}
			for _, n := range names {
				if !slices.Contains(out[kind][n], s.req.Server) {
					out[kind][n] = append(out[kind][n], s.req.Server)
				}
			}
		}
	}
	return out
}

// noteListed remembers what a session's server offers, for collisions.
func (c *Core) noteListed(sessionID string, kind toolguard.ItemKind, names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sessions[sessionID]; ok {
		if s.listed == nil {
			s.listed = map[toolguard.ItemKind][]string{}
		}
		s.listed[kind] = names
	}
}

// collisionsByServer returns, for every live server identity, the other
// servers of the same client offering each of its names ("kind:name").
func (c *Core) collisionsByServer() map[string]map[string][]string {
	c.mu.Lock()
	byClient := map[string]map[toolguard.ItemKind]map[string][]string{} // client → kind → server id → names
	names := map[string]string{}                                        // server id → configured name
	for _, s := range c.sessions {
		id := serverIdentity(s.req)
		names[id] = s.req.Server
		for kind, listed := range s.listed {
			if byClient[s.req.Client] == nil {
				byClient[s.req.Client] = map[toolguard.ItemKind]map[string][]string{}
			}
			if byClient[s.req.Client][kind] == nil {
				byClient[s.req.Client][kind] = map[string][]string{}
			}
			byClient[s.req.Client][kind][id] = listed
		}
	}
	c.mu.Unlock()
	out := map[string]map[string][]string{}
	for _, kinds := range byClient {
		for kind, byServer := range kinds {
			for _, col := range toolguard.Collisions(byServer) {
				for _, id := range col.Servers {
					if out[id] == nil {
						out[id] = map[string][]string{}
					}
					key := string(kind) + ":" + col.Name
					for _, other := range col.Servers {
						if other != id && !slices.Contains(out[id][key], names[other]) {
							out[id][key] = append(out[id][key], names[other])
						}
					}
				}
			}
		}
	}
	return out
}

// heldSet returns the held keys of one server identity by kind (every kind
// present, possibly empty).
func (c *Core) heldSet(ctx context.Context, server string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, kind := range allKinds {
		pins, err := c.loadPins(ctx, server, kind)
		if err != nil {
			return nil, err
		}
		held := []string{}
		for _, p := range pins {
			if p.State != toolguard.StateRemoved && p.State.Held() {
				held = append(held, p.Name)
			}
		}
		out[string(kind)] = held
	}
	return out, nil
}

// quarantined reports whether the core holds tool of a session's server.
// A pin it cannot read counts as held (fail closed).
func (c *Core) quarantined(ctx context.Context, req localapi.SessionRequest, tool string) bool {
	pins, err := c.loadPins(ctx, serverIdentity(req), toolguard.KindTool)
	if err != nil {
		c.log.Error("cannot read the pins of a server: its calls are blocked", "server", req.Server, "err", err)
		return true
	}
	for _, p := range pins {
		if p.Name == tool {
			return p.State != toolguard.StateRemoved && p.State.Held()
		}
	}
	return false
}

// pushHeld sends the held set of a server identity (and the kinds whose
// lists changed) to its sessions, except the one named skip.
func (c *Core) pushHeld(ctx context.Context, server, skip string, changed []string) {
	held, err := c.heldSet(ctx, server)
	if err != nil {
		c.log.Error("cannot tell shims what is held", "server", server, "err", err)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, s := range c.sessions {
		if id != skip && serverIdentity(s.req) == server {
			s.pushTools(held, changed)
		}
	}
}

// serverIDs returns the pinned identities a person means by server: an
// identity itself (name#digest) or every identity with that name.
func (c *Core) serverIDs(ctx context.Context, server string) ([]string, error) {
	all, err := c.store.AllPins(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	var ids []string
	for _, p := range all {
		if (p.Server == server || toolguard.ServerName(p.Server) == server) && !slices.Contains(ids, p.Server) {
			ids = append(ids, p.Server)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no pinned tools for server %q: %w", server, localapi.ErrNotFound)
	}
	return ids, nil
}

// TrustTools accepts the current definitions of held items of a server and
// tells its shims, which then let them through and make the client re-list.
func (c *Core) TrustTools(ctx context.Context, req localapi.TrustRequest) (localapi.TrustResult, error) {
	if req.Server == "" {
		return localapi.TrustResult{}, fmt.Errorf("%w: trust needs a server", localapi.ErrInvalid)
	}
	kinds := allKinds
	if req.Kind != "" {
		k, err := parseKind(req.Kind)
		if err != nil {
			return localapi.TrustResult{}, err
		}
		kinds = []toolguard.ItemKind{k}
	}
	ids, err := c.serverIDs(ctx, req.Server)
	if err != nil {
		return localapi.TrustResult{}, err
	}
	res := localapi.TrustResult{Trusted: []string{}}
	found := map[string]bool{}
	changedBy := map[string][]string{}
	pinsMu.Lock()
	defer pinsMu.Unlock()
	now := time.Now().UTC()
	for _, id := range ids {
		for _, kind := range kinds {
			pins, err := c.loadPins(ctx, id, kind)
			if err != nil {
				return res, err
			}
			var names []string
			for _, p := range pins {
				if len(req.Names) == 0 && p.State != toolguard.StateTrusted && p.State != toolguard.StateRemoved {
					names = append(names, p.Name)
				}
				if slices.Contains(req.Names, p.Name) {
					found[p.Name] = true
					if p.State != toolguard.StateTrusted {
						names = append(names, p.Name)
					}
				}
			}
			if len(names) == 0 {
				continue
			}
			next, err := toolguard.Trust(pins, names, now)
			if err != nil {
				return res, fmt.Errorf("core: trust: %w", err)
			}
			if err := c.savePins(ctx, id, kind, next); err != nil {
				return res, err
			}
			for _, n := range names {
				res.Trusted = append(res.Trusted, string(kind)+":"+n)
			}
			changedBy[id] = append(changedBy[id], string(kind))
			c.log.Info("trusted after review", "server", toolguard.ServerName(id), "kind", kind, "names", strings.Join(names, ","))
		}
	}
	var missing []string
	for _, n := range req.Names {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	for id, changed := range changedBy {
		c.pushHeld(ctx, id, "", changed)
	}
	if len(missing) > 0 {
		return res, fmt.Errorf("server %q has no pinned item named %s: %w", req.Server, strings.Join(missing, ", "), localapi.ErrNotFound)
	}
	return res, nil
}

// Tools lists the pins of a server (a name or an identity; "" for all).
func (c *Core) Tools(ctx context.Context, server string) ([]localapi.ToolPin, error) {
	all, err := c.store.AllPins(ctx)
	if err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	collisions := c.collisionsByServer()
	out := []localapi.ToolPin{}
	for _, d := range all {
		if server != "" && d.Server != server && toolguard.ServerName(d.Server) != server {
			continue
		}
		p, err := decodePin(d)
		if err != nil {
			return nil, err
		}
		tp := localapi.ToolPin{
			Server: toolguard.ServerName(d.Server), ServerID: d.Server, Kind: d.Kind, Name: d.Name,
			State: string(p.State), Reason: string(p.Reason), Hash: p.Hash, FirstSeen: p.FirstSeen, UpdatedAt: p.UpdatedAt,
			Findings: []localapi.ToolFinding{}, Collisions: []string{},
		}
		for _, f := range p.Findings {
			tp.Findings = append(tp.Findings, localapi.ToolFinding{Kind: string(f.Kind), Rule: f.Rule,
				Severity: string(f.Severity), Location: f.Location, Excerpt: f.Excerpt, Detail: f.Detail})
		}
		if col := collisions[d.Server][d.Kind+":"+d.Name]; col != nil {
			tp.Collisions = col
		}
		out = append(out, tp)
	}
	return out, nil
}

// ToolDiff renders the word diff between the accepted and the current
// definition of one pinned item. When several identities of a server name
// hold it, the most recently updated one is shown.
func (c *Core) ToolDiff(ctx context.Context, server, kind, name string) (localapi.ToolDiff, error) {
	if kind != "" {
		if _, err := parseKind(kind); err != nil {
			return localapi.ToolDiff{}, err
		}
	}
	all, err := c.store.AllPins(ctx)
	if err != nil {
		return localapi.ToolDiff{}, fmt.Errorf("core: %w", err)
	}
	var best *store.PinDoc
	for i, d := range all {
		if d.Name != name || (kind != "" && d.Kind != kind) || (d.Server != server && toolguard.ServerName(d.Server) != server) {
			continue
		}
		if best == nil || d.UpdatedAt.After(best.UpdatedAt) {
			best = &all[i]
		}
	}
	if best == nil {
		return localapi.ToolDiff{}, fmt.Errorf("server %q has no pinned item named %q: %w", server, name, localapi.ErrNotFound)
	}
	p, err := decodePin(*best)
	if err != nil {
		return localapi.ToolDiff{}, err
	}
	chunks, err := toolguard.Diff(p.TrustedDefinition, p.Definition)
	if err != nil {
		return localapi.ToolDiff{}, fmt.Errorf("core: diff %q: %w", name, err)
	}
	return localapi.ToolDiff{
		Server: toolguard.ServerName(best.Server), ServerID: best.Server, Kind: best.Kind, Name: name,
		State: string(p.State), Diff: toolguard.FormatDiff(chunks),
	}, nil
}
