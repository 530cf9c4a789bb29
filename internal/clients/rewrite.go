package clients

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// WrapOptions says what a wrapped entry launches.
type WrapOptions struct {
	// ShimPath is the absolute path of the GUI-free countersign binary.
	ShimPath string
	// ClientID is passed to the shim as --client (the client table id).
	ClientID string
	// Migrate, when set, moves plaintext env values of each wrapped entry
	// into the keychain (see MigrateFunc); an entry whose migration fails is
	// skipped, not wrapped with its plaintext.
	Migrate MigrateFunc
}

// UnwrapOptions carries the journal records Wrap returned for this file.
type UnwrapOptions struct {
	// Records are the Change.Record values of earlier wraps of this file.
	// With a matching record an entry is restored byte for byte even where
	// the wrapped form alone cannot tell (an args key that did not exist, a
	// YAML scalar that had to be re-quoted). Without one, Unwrap rebuilds
	// command and args from the argv after "--".
	Records []Record
}

// Action is what happened to one entry.
type Action string

const (
	ActionWrapped   Action = "wrapped"
	ActionUnwrapped Action = "unwrapped"
	ActionUnchanged Action = "unchanged" // already wrapped (Wrap) or not wrapped (Unwrap)
	ActionSkipped   Action = "skipped"   // cannot be rewritten; Reason says why
	ActionNotFound  Action = "not_found" // a requested name matches no entry
)

// Change reports one entry of a Wrap or Unwrap. A later remote bridge
// (--url) fits the same shape: Transport remote, Action wrapped, and a
// Record whose edits replace the entry's transport keys.
type Change struct {
	Server    string    `json:"server"`
	Locator   string    `json:"locator,omitempty"`
	Scope     string    `json:"scope,omitempty"`
	Action    Action    `json:"action"`
	Transport Transport `json:"transport,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	// Record is set for ActionWrapped; the caller keeps it in its journal
	// (user-only file) and hands it back to Unwrap.
	Record *Record `json:"record,omitempty"`
	// FromRecord is true when Unwrap restored the entry from a Record.
	FromRecord bool `json:"from_record,omitempty"`
	// Migrated lists env values Wrap moved to the keychain.
	Migrated []MigratedKey `json:"migrated,omitempty"`
	// swaps say what to scrub from backups after a migration.
	swaps []swap
}

// Record is the journal entry of one wrap: the byte edits made inside the
// entry, as offsets relative to the entry's first byte in the wrapped file.
// It holds only launch fields (command and args), which may contain
// whatever the user put in them.
type Record struct {
	Server    string `json:"server"`
	Locator   string `json:"locator"`
	Edits     []Edit `json:"edits"`
	ArgsAdded bool   `json:"args_added,omitempty"`
}

// Edit is one replaced byte span: Original before wrapping, Wrapped after.
type Edit struct {
	Offset   int    `json:"offset"`
	Original string `json:"original"`
	Wrapped  string `json:"wrapped"`
}

type splice struct {
	off, end int
	text     string
}

// Wrap rewrites the stdio entries named in names (server names or
// locators; empty means every entry) so the client launches
// "SHIM shim --name NAME --client ID -- COMMAND ARGS...". Only the command
// and args values change; the result is re-parsed and compared with the
// original before it is returned. A file that does not parse, or a result
// that does not validate, is an error and no bytes are returned.
func Wrap(src []byte, a Adapter, names []string, opts WrapOptions) ([]byte, []Change, error) {
	if !isAbs(opts.ShimPath) {
		return nil, nil, fmt.Errorf("clients: wrap: shim path %q is not absolute", opts.ShimPath)
	}
	if !isCountersign(opts.ShimPath) {
		return nil, nil, fmt.Errorf("clients: wrap: shim path %q is not a countersign binary", opts.ShimPath)
	}
	if opts.ClientID == "" {
		return nil, nil, errors.New("clients: wrap: empty client id")
	}
	_, entries, err := parseEntries(src, a)
	if err != nil {
		return nil, nil, fmt.Errorf("clients: wrap: %w", err)
	}
	var all []splice
	var changes []Change
	var done []*entry
	var recs []*Record
	migs := map[*entry]*migration{}
	remotes := map[*entry]*remoteWrap{}
	for _, e := range selectEntries(entries, names, &changes) {
		ch := Change{Server: e.Name, Locator: e.Locator, Scope: e.Scope, Transport: e.Transport}
		switch {
		case e.Wrapped:
			ch.Action, ch.Reason = ActionUnchanged, "already wrapped"
		case e.Transport == TransportRemote:
			rw, err := planRemote(src, a, e, opts)
			if err != nil {
				ch.Action, ch.Reason = ActionSkipped, err.Error()
				break
			}
			remotes[e] = rw
			ch.Action = ActionWrapped
			rec := &Record{Server: e.Name, Locator: e.Locator}
			for _, sp := range rw.splices {
				rec.Edits = append(rec.Edits, Edit{Offset: sp.off, Original: string(src[sp.off:sp.end]), Wrapped: sp.text})
			}
			if len(rw.migrated) == 0 {
				ch.Record = rec // a moved secret is in the original bytes: no journal then
			}
			ch.Migrated, ch.swaps = rw.migrated, rw.swaps
			all = append(all, rw.splices...)
			done = append(done, e)
			recs = append(recs, rec)
		case !e.Wrappable:
			ch.Action, ch.Reason = ActionSkipped, e.Reason
		default:
			var mg *migration
			if opts.Migrate != nil {
				var err error
				if mg, err = planMigration(src, a.Format, e, opts.Migrate); err != nil {
					ch.Action, ch.Reason = ActionSkipped, err.Error()
					break
				}
			}
			sp, added, err := wrapSplices(src, a.Format, e, opts, mg.shimEnv())
			if err != nil {
				ch.Action, ch.Reason = ActionSkipped, err.Error()
				break
			}
			if mg != nil {
				migs[e] = mg
				ch.Migrated, ch.swaps = mg.keys(), mg.swaps
			}
			ch.Action = ActionWrapped
			ch.Record = &Record{Server: e.Name, Locator: e.Locator, ArgsAdded: added}
			all = append(all, sp...)
			done = append(done, e)
			recs = append(recs, ch.Record)
			// offsets are filled in once all splices are known
			ch.Record.Edits = make([]Edit, len(sp))
			for i, s := range sp {
				ch.Record.Edits[i] = Edit{Offset: s.off, Original: string(src[s.off:s.end]), Wrapped: s.text}
			}
			if mg != nil {
				all = append(all, mg.splices...) // shift offsets; never recorded (they hold values)
			}
		}
		changes = append(changes, ch)
	}
	if len(all) == 0 {
		return src, changes, nil
	}
	out, err := applySplices(src, all)
	if err != nil {
		return nil, nil, fmt.Errorf("clients: wrap: %w", err)
	}
	relativize(recs, done, all)
	if err := validate(src, out, a, done, opts, false, nil, migs, remotes); err != nil {
		return nil, nil, fmt.Errorf("clients: wrap: result failed validation, nothing written: %w", err)
	}
	return out, changes, nil
}

// Unwrap restores the wrapped entries named in names (empty: all).
// unwrap(wrap(x)) == x byte for byte when the records Wrap returned are
// passed in; without them every case is still exact except an args key
// that Wrap had to add (it stays as an empty list).
func Unwrap(src []byte, a Adapter, names []string, opts UnwrapOptions) ([]byte, []Change, error) {
	_, entries, err := parseEntries(src, a)
	if err != nil {
		return nil, nil, fmt.Errorf("clients: unwrap: %w", err)
	}
	var all []splice
	var changes []Change
	var done []*entry
	deleted := map[*entry]bool{}
	for _, e := range selectEntries(entries, names, &changes) {
		ch := Change{Server: e.Name, Locator: e.Locator, Scope: e.Scope, Transport: e.Transport}
		switch {
		case !e.Wrapped:
			ch.Action, ch.Reason = ActionUnchanged, "not wrapped"
		case e.launch == nil || e.dup || !spliceable(e.launch):
			ch.Action, ch.Reason = ActionSkipped, e.Reason
		case len(secretRefsInShim(append([]string{e.Command}, e.Args...))) > 0:
			refs := secretRefsInShim(append([]string{e.Command}, e.Args...))
			ch.Action, ch.Reason = ActionSkipped, "its secrets live in the keychain ("+strings.Join(refs, ", ")+
				"); unwrapped it would start without them. Put the values back in its env by hand, then unwrap"
		default:
			sp, fromRec, argsDeleted, err := unwrapSplices(src, a.Format, e, opts.Records)
			if err == nil && !fromRec && e.Transport == TransportRemote {
				err = errors.New("restoring a remote entry needs its wrap journal record, which is missing or no longer matches the file; edit it by hand")
			}
			if err != nil {
				ch.Action, ch.Reason = ActionSkipped, err.Error()
				break
			}
			ch.Action, ch.FromRecord = ActionUnwrapped, fromRec
			deleted[e] = argsDeleted
			all = append(all, sp...)
			done = append(done, e)
		}
		changes = append(changes, ch)
	}
	if len(all) == 0 {
		return src, changes, nil
	}
	out, err := applySplices(src, all)
	if err != nil {
		return nil, nil, fmt.Errorf("clients: unwrap: %w", err)
	}
	if err := validate(src, out, a, done, WrapOptions{}, true, deleted, nil, nil); err != nil {
		return nil, nil, fmt.Errorf("clients: unwrap: result failed validation, nothing written: %w", err)
	}
	return out, changes, nil
}

// Parse lists the servers of one config file.
func Parse(src []byte, a Adapter) ([]Server, error) {
	_, entries, err := parseEntries(src, a)
	if err != nil {
		return nil, err
	}
	out := make([]Server, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Server)
	}
	return out, nil
}

func selectEntries(entries []*entry, names []string, changes *[]Change) []*entry {
	if len(names) == 0 {
		return entries
	}
	var out []*entry
	for _, n := range names {
		found := false
		for _, e := range entries {
			if e.Name == n || e.Locator == n {
				found = true
				if !containsEntry(out, e) {
					out = append(out, e)
				}
			}
		}
		if !found {
			*changes = append(*changes, Change{Server: n, Action: ActionNotFound, Reason: "no such server in this file"})
		}
	}
	return out
}

func containsEntry(es []*entry, e *entry) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}

func isAbs(p string) bool {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return true
	}
	// Windows drive or UNC path, accepted on any host so configs for
	// Windows can be produced and tested anywhere.
	return len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
}

func applySplices(src []byte, sp []splice) ([]byte, error) {
	sort.SliceStable(sp, func(i, j int) bool { return sp[i].off < sp[j].off })
	var b bytes.Buffer
	last := 0
	for _, s := range sp {
		if s.off < last || s.end < s.off || s.end > len(src) {
			return nil, fmt.Errorf("overlapping or invalid edit at byte %d", s.off)
		}
		b.Write(src[last:s.off])
		b.WriteString(s.text)
		last = s.end
	}
	b.Write(src[last:])
	return b.Bytes(), nil
}

// relativize turns each record's absolute edit offsets (in the original)
// into offsets relative to the entry start in the output.
func relativize(recs []*Record, es []*entry, all []splice) {
	sorted := append([]splice{}, all...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].off < sorted[j].off })
	shiftBefore := func(off int) int {
		d := 0
		for _, s := range sorted {
			if s.off < off {
				d += len(s.text) - (s.end - s.off)
			}
		}
		return d
	}
	for i, r := range recs {
		start := es[i].node.start
		newStart := start + shiftBefore(start)
		sort.SliceStable(r.Edits, func(a, b int) bool { return r.Edits[a].Offset < r.Edits[b].Offset })
		for j := range r.Edits {
			r.Edits[j].Offset = r.Edits[j].Offset + shiftBefore(r.Edits[j].Offset) - newStart
		}
	}
}
