package toolguard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// State is where a pinned item stands.
type State string

const (
	// StateNew: first seen while Options.ReviewNew is on; held for review.
	StateNew State = "new"
	// StateTrusted: its current hash is the accepted one; passed through.
	StateTrusted State = "trusted"
	// StateChanged: its hash differs from the accepted one, it has no
	// blocking findings and Options.AllowChanged is on, so it is passed
	// through but flagged until trusted. Never produced by default.
	StateChanged State = "changed"
	// StateQuarantined: held — its definition changed after it was
	// trusted, or it has blocking findings, or it is malformed or
	// duplicated. Removed from the listing, calls to it blocked.
	StateQuarantined State = "quarantined"
	// StateRemoved: absent from the last complete listing.
	StateRemoved State = "removed"
)

// Held reports whether an item in this state must be withheld from the
// client and calls to it blocked. Only trusted and changed items are
// let through; an unknown state is held (fail closed).
func (s State) Held() bool { return s != StateTrusted && s != StateChanged }

// Reason says why an item is in its state (empty for trusted).
type Reason string

const (
	ReasonReview    Reason = "review"    // first seen, every new item waits for review
	ReasonChanged   Reason = "changed"   // hash differs from the trusted one
	ReasonFindings  Reason = "findings"  // the scanner flagged the current definition
	ReasonMalformed Reason = "malformed" // cannot be canonicalised
	ReasonDuplicate Reason = "duplicate" // the listing holds the key more than once
)

// Pin is what is remembered about one listed item of one server. The
// caller persists pins and hands them back to Evaluate and Trust.
type Pin struct {
	Server string   `json:"server"`
	Kind   ItemKind `json:"kind"`
	// Name is the item's key: the tool or prompt name, or the resource
	// template's uriTemplate.
	Name   string `json:"name"`
	Hash   string `json:"hash"`
	State  State  `json:"state"`
	Reason Reason `json:"reason,omitempty"`
	// Definition is the item as last listed, its original bytes.
	Definition json.RawMessage `json:"definition"`
	// TrustedHash and TrustedDefinition are the accepted version (by trust
	// on first use or by Trust); empty if never accepted. Diff review
	// compares TrustedDefinition with Definition.
	TrustedHash       string          `json:"trusted_hash,omitempty"`
	TrustedDefinition json.RawMessage `json:"trusted_definition,omitempty"`
	// Findings are the scanner's findings on Definition.
	Findings  []Finding `json:"findings,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Options are the user's settings for Evaluate.
type Options struct {
	// ReviewNew holds every first-seen item for review (StateNew) instead
	// of trusting it on first use.
	ReviewNew bool
	// AllowChanged lets a changed item without blocking findings through
	// as StateChanged instead of quarantining it. Off by default.
	AllowChanged bool
	// Partial says the result is one page of a paginated listing (the
	// request carried a cursor): pins missing from it are not marked
	// removed. A result with a nextCursor is treated as partial anyway.
	Partial bool
	Scan    ScanOptions
}

// Change is one transition Evaluate made. From is empty on first sight.
type Change struct {
	Name        string `json:"name"`
	From        State  `json:"from,omitempty"`
	To          State  `json:"to"`
	Reason      Reason `json:"reason,omitempty"`
	HashChanged bool   `json:"hash_changed"`
}

// Evaluation is the outcome of one listing.
type Evaluation struct {
	Kind ItemKind
	// Pins are all of the server's pins of this kind after the listing,
	// sorted by name (including removed ones); persist them all.
	Pins []Pin
	// Changes lists the transitions, sorted by name.
	Changes []Change
	// Findings are every finding of the listing, including those on items
	// that cannot be pinned.
	Findings []Finding
	hidden   map[string]bool

	// The listing Evaluate saw, so Filter need not parse it again.
	src                []byte
	listStart, listEnd int
	itemSpans          [][2]int
	itemKeys           []string // "" for an item without a key
}

// Hidden returns the keys withheld from the client, sorted.
func (e *Evaluation) Hidden() []string {
	out := make([]string, 0, len(e.hidden))
	for k := range e.hidden {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Held reports whether the item with this key is withheld.
func (e *Evaluation) Held(key string) bool { return e.hidden[key] }

// Filter removes the withheld items (and items without a key) from the
// list result Evaluate saw; see FilterResult.
func (e *Evaluation) Filter(result []byte) ([]byte, error) {
	if !e.sameSource(result) {
		return FilterResult(e.Kind, result, e.Held)
	}
	if e.itemSpans == nil || len(e.hidden) == 0 && !slices.Contains(e.itemKeys, "") {
		return result, nil
	}
	arr := make([]byte, 0, e.listEnd-e.listStart)
	arr = append(arr, '[')
	for i, sp := range e.itemSpans {
		if k := e.itemKeys[i]; k == "" || e.hidden[k] {
			continue
		}
		if len(arr) > 1 {
			arr = append(arr, ',')
		}
		arr = append(arr, result[sp[0]:sp[1]]...)
	}
	arr = append(arr, ']')
	return splice(result, e.listStart, e.listEnd, arr), nil
}

// sameSource reports whether result is the very buffer Evaluate parsed
// (same memory and length); anything else is parsed again.
func (e *Evaluation) sameSource(result []byte) bool {
	return len(result) > 0 && len(result) == len(e.src) && &result[0] == &e.src[0]
}

// FilterResponse is Filter for a whole JSON-RPC response; see
// FilterResponse.
func (e *Evaluation) FilterResponse(message []byte) ([]byte, error) {
	return FilterResponse(e.Kind, message, e.Held)
}

// seen is one key's appearance in a listing.
type seen struct {
	hash     string
	def      json.RawMessage
	findings []Finding
	forced   Reason // malformed or duplicate: always quarantined
}

// Evaluate compares a fresh list result (tools/list, prompts/list or
// resources/templates/list, the "result" object) of one server with its
// stored pins and returns the new pins and what to withhold.
//
// Transitions, for an item with current hash h:
//
//	no pin           blocking findings → quarantined (findings)
//	                 ReviewNew          → new (review)
//	                 otherwise          → trusted (trust on first use)
//	trusted hash = h                    → trusted (even if a newer scanner now finds something: h was accepted)
//	trusted hash ≠ h blocking findings  → quarantined (findings)
//	                 AllowChanged       → changed (changed)
//	                 otherwise          → quarantined (changed)
//	never trusted    blocking findings  → quarantined (findings)
//	                 otherwise          → stays new or quarantined (a held item never trusts itself)
//	malformed or duplicated             → quarantined (malformed / duplicate), whatever came before
//	pinned, absent from a complete list → removed (keeps its trusted hash: reappearing unchanged is trusted again)
//
// A result that is not valid JSON is an error; the caller must then
// withhold it. pins must all belong to server and kind.
func Evaluate(server string, kind ItemKind, pins []Pin, result []byte, opts Options, now time.Time) (Evaluation, error) {
	spec, err := specFor(kind)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluate: %w", err)
	}
	for _, p := range pins {
		if p.Server != server || p.Kind != kind {
			return Evaluation{}, fmt.Errorf("evaluate %s/%s: pin %s/%s/%s belongs elsewhere", server, kind, p.Server, p.Kind, p.Name)
		}
	}
	root, release, err := parsePooled(result)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluate %s list of %s: %w", kind, server, err)
	}
	// The tree never leaves this function: keys, definitions and findings
	// taken from it are copied.
	defer release()
	items, err := listItems(spec, &root)
	if err != nil {
		return Evaluation{}, fmt.Errorf("evaluate %s list of %s: %w", kind, server, err)
	}
	partial := opts.Partial || hasNextCursor(&root)

	ev := Evaluation{Kind: kind, hidden: map[string]bool{}, src: result}
	if list, ok := root.get(spec.listKey); ok {
		ev.listStart, ev.listEnd = list.start, list.end
		ev.itemSpans = make([][2]int, len(items))
		ev.itemKeys = make([]string, len(items))
	}
	sc := newScanner(opts.Scan, ownNames(spec, items), true)
	current := map[string]*seen{}
	var order []string
	var scratch []byte
	for i := range items {
		it := &items[i].val
		before := len(sc.findings)
		sc.item(spec.listKey, i, it)
		findings := slices.Clone(sc.findings[before:])
		// Not copied yet: only definitions that end up in a pin are.
		raw := json.RawMessage(result[it.start:it.end:it.end])
		key, ok := itemKey(spec, it)
		// The key may be a substring of the whole listing; do not keep it alive.
		key = strings.Clone(key)
		ev.itemSpans[i] = [2]int{it.start, it.end}
		ev.itemKeys[i] = key
		if !ok {
			sc.add(Finding{Kind: FindingMalformed, Rule: "no-key", Severity: SeverityHigh,
				Excerpt: excerpt(string(raw), 0, 0), Detail: fmt.Sprintf("item has no string %q; withheld", spec.keyKey)})
			continue
		}
		h, herr := hashItem(&scratch, spec, it)
		var forced Reason
		if herr != nil {
			sum := sha256.Sum256(raw)
			h = hex.EncodeToString(sum[:])
			forced = ReasonMalformed
			f := Finding{Kind: FindingMalformed, Rule: "not-canonical", Severity: SeverityHigh,
				Excerpt: excerpt(string(raw), 0, 0), Detail: herr.Error()}
			sc.add(f)
			findings = append(findings, f)
		}
		if prev, dup := current[key]; dup {
			f := Finding{Kind: FindingDuplicateName, Rule: "duplicate-key", Severity: SeverityHigh,
				Excerpt: Visible(key), Detail: fmt.Sprintf("%q is listed more than once", key)}
			sc.add(f)
			sum := sha256.Sum256([]byte(prev.hash + "\n" + h))
			prev.hash = hex.EncodeToString(sum[:])
			prev.def = joinDefinitions(prev.def, raw, prev.forced == ReasonDuplicate)
			prev.findings = append(append(prev.findings, findings...), f)
			prev.forced = ReasonDuplicate
			continue
		}
		current[key] = &seen{hash: h, def: raw, findings: findings, forced: forced}
		order = append(order, key)
	}
	ev.Findings = sc.findings

	byName := make(map[string]int, len(pins))
	out := make([]Pin, 0, len(pins)+len(order))
	for _, p := range pins {
		if _, dup := byName[p.Name]; dup {
			return Evaluation{}, fmt.Errorf("evaluate %s/%s: pin %q stored twice", server, kind, p.Name)
		}
		byName[p.Name] = len(out)
		out = append(out, p)
	}
	for _, key := range order {
		cur := current[key]
		idx, known := byName[key]
		var old *Pin
		if known {
			old = &out[idx]
		}
		state, reason := transition(old, cur, opts)
		np := Pin{Server: server, Kind: kind, Name: key, FirstSeen: now}
		if old != nil {
			np = *old
		}
		ch := Change{Name: key, To: state, Reason: reason, HashChanged: old == nil || old.Hash != cur.hash}
		if old != nil {
			ch.From = old.State
		}
		if old == nil || old.State != state || old.Hash != cur.hash || old.Reason != reason {
			np.UpdatedAt = now
		}
		var def json.RawMessage
		if old != nil && old.Hash == cur.hash && len(old.Definition) > 0 {
			// Same content: keep the stored bytes rather than copy again.
			def = old.Definition
		} else {
			def = slices.Clone(cur.def)
		}
		if state == StateTrusted && np.TrustedHash != cur.hash {
			// Trust on first use accepts the definition.
			np.TrustedHash, np.TrustedDefinition = cur.hash, def
		}
		np.Hash, np.Definition, np.Findings, np.State, np.Reason = cur.hash, def, cur.findings, state, reason
		if old == nil || ch.From != ch.To || ch.HashChanged || old.Reason != reason {
			ev.Changes = append(ev.Changes, ch)
		}
		if state.Held() {
			ev.hidden[key] = true
		}
		if known {
			out[idx] = np
		} else {
			byName[key] = len(out)
			out = append(out, np)
		}
	}
	if !partial {
		for i := range out {
			p := &out[i]
			if _, listed := current[p.Name]; listed || p.State == StateRemoved {
				continue
			}
			ev.Changes = append(ev.Changes, Change{Name: p.Name, From: p.State, To: StateRemoved, Reason: p.Reason})
			p.State = StateRemoved
			p.UpdatedAt = now
		}
	}
	// Items listed only without a key are withheld by Filter anyway.
	slices.SortFunc(out, func(a, b Pin) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(ev.Changes, func(a, b Change) int { return strings.Compare(a.Name, b.Name) })
	ev.Pins = out
	return ev, nil
}

// joinDefinitions keeps every definition of a duplicated key, as a JSON
// array, so review shows all of them.
func joinDefinitions(prev, next json.RawMessage, prevIsArray bool) json.RawMessage {
	var b []byte
	if prevIsArray {
		b = append(b, prev[:len(prev)-1]...)
	} else {
		b = append(append(b, '['), prev...)
	}
	b = append(append(b, ','), next...)
	return append(b, ']')
}

// transition is the state table documented on Evaluate.
func transition(old *Pin, cur *seen, opts Options) (State, Reason) {
	if cur.forced != "" {
		return StateQuarantined, cur.forced
	}
	blocking := Blocking(cur.findings)
	if old == nil {
		switch {
		case blocking:
			return StateQuarantined, ReasonFindings
		case opts.ReviewNew:
			return StateNew, ReasonReview
		}
		return StateTrusted, ""
	}
	if old.TrustedHash != "" {
		switch {
		case cur.hash == old.TrustedHash:
			return StateTrusted, ""
		case blocking:
			return StateQuarantined, ReasonFindings
		case opts.AllowChanged:
			return StateChanged, ReasonChanged
		}
		return StateQuarantined, ReasonChanged
	}
	// Never accepted: a held item never trusts itself, whatever it turns into.
	if blocking {
		return StateQuarantined, ReasonFindings
	}
	wasNew := old.State == StateNew || (old.State == StateRemoved && old.Reason == ReasonReview)
	if wasNew {
		return StateNew, ReasonReview
	}
	if old.Hash == cur.hash && old.Reason != "" && old.Reason != ReasonMalformed && old.Reason != ReasonDuplicate {
		return StateQuarantined, old.Reason
	}
	return StateQuarantined, ReasonChanged
}

// ErrUnknownItem is returned by Trust for a name that has no pin.
var ErrUnknownItem = errors.New("no such pinned item")

// ErrStale is returned by TrustHash when the item's definition changed
// after the reviewed version: the user must review the new one.
var ErrStale = errors.New("definition changed since it was reviewed")

// Trust accepts the current definitions of the named items (every item
// that is not trusted or removed when names is empty): TrustedHash and
// TrustedDefinition become the current ones, and listed items become
// trusted. A removed item's last definition is accepted but it stays
// removed. The input is not modified; the updated pins are returned.
func Trust(pins []Pin, names []string, now time.Time) ([]Pin, error) {
	out := slices.Clone(pins)
	if len(names) == 0 {
		for i := range out {
			if out[i].State != StateTrusted && out[i].State != StateRemoved {
				accept(&out[i], now)
			}
		}
		return out, nil
	}
	for _, n := range names {
		i := slices.IndexFunc(out, func(p Pin) bool { return p.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("trust %q: %w", n, ErrUnknownItem)
		}
		accept(&out[i], now)
	}
	return out, nil
}

// TrustHash accepts the named item only if its current hash is the one the
// user reviewed, so a definition that changed during review is not
// accepted unseen.
func TrustHash(pins []Pin, name, reviewedHash string, now time.Time) ([]Pin, error) {
	i := slices.IndexFunc(pins, func(p Pin) bool { return p.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("trust %q: %w", name, ErrUnknownItem)
	}
	if pins[i].Hash != reviewedHash {
		return nil, fmt.Errorf("trust %q: %w", name, ErrStale)
	}
	return Trust(pins, []string{name}, now)
}

func accept(p *Pin, now time.Time) {
	p.TrustedHash, p.TrustedDefinition = p.Hash, p.Definition
	if p.State != StateRemoved {
		p.State, p.Reason = StateTrusted, ""
	}
	p.UpdatedAt = now
}
