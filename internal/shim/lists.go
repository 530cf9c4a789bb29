package shim

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/toolguard"
)

// List results (tools/list, prompts/list, resources/templates/list) are
// the one thing the shim changes on the way from the server: each is
// reported to the core, which pins and scans it, and the items the core
// holds (a tool whose definition changed after it was trusted, one with
// hidden instructions) are removed from the result the client sees with
// toolguard.FilterResponse, which keeps every other byte of the message.
//
// The server's reader waits for the core's verdict (at most reviewTimeout),
// so messages keep their order. When the core cannot be reached the list is
// forwarded unchanged: every tools/call is denied while the core is down
// anyway, and the result is reported once the core is back (see
// reviewUnreviewed), which then makes the client re-list. When the core
// says the result is unreadable, or it cannot be filtered, it is withheld:
// the client gets a JSON-RPC error for that request instead.

// reviewTimeout bounds how long a list response waits for the core.
const reviewTimeout = 5 * time.Second

// listMethods maps a list request to the kind of its items.
var listMethods = map[string]toolguard.ItemKind{
	"tools/list":               toolguard.KindTool,
	"prompts/list":             toolguard.KindPrompt,
	"resources/templates/list": toolguard.KindResourceTemplate,
}

// listChangedMethods is the notification that makes a client re-list a kind.
var listChangedMethods = map[toolguard.ItemKind]string{
	toolguard.KindTool:             "notifications/tools/list_changed",
	toolguard.KindPrompt:           "notifications/prompts/list_changed",
	toolguard.KindResourceTemplate: "notifications/resources/list_changed",
}

// listReq is a list request awaiting its response.
type listReq struct {
	kind    toolguard.ItemKind
	partial bool // the request carried a cursor: one page
}

// trackList remembers a list request so its response is reviewed.
func (s *shim) trackList(m message, kind toolguard.ItemKind) {
	partial := false
	eachMember(m.params, skipSpace(m.params, 0), func(k string, v []byte) error {
		if k == "cursor" && !isNull(v) {
			partial = true
		}
		return nil
	})
	s.mu.Lock()
	if _, dup := s.lists[string(m.id)]; !dup {
		s.tracked.Add(1)
	}
	s.lists[string(m.id)] = listReq{kind: kind, partial: partial}
	s.mu.Unlock()
}

// takeList returns and forgets the list request with this id.
func (s *shim) takeList(id []byte) (listReq, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.lists[string(id)]
	if ok {
		delete(s.lists, string(id))
		s.tracked.Add(-1)
	}
	return r, ok
}

// listResponse returns what to forward for the response to a list request.
func (s *shim) listResponse(r listReq, m message, line []byte) []byte {
	if m.result == nil {
		return line // an error response: nothing listed
	}
	if r.kind == toolguard.KindTool {
		s.learnTools(m.result)
	}
	sessionID := s.link.currentSession()
	if !s.link.connected() || sessionID == "" {
		s.keepUnreviewed(r, m.result)
		return line
	}
	ctx, cancel := context.WithTimeout(s.ctx, reviewTimeout)
	defer cancel()
	v, err := s.api.ReviewList(ctx, localapi.ListReport{
		SessionID: sessionID, Kind: string(r.kind), Result: m.result, Partial: r.partial,
	})
	switch {
	case errors.Is(err, localapi.ErrInvalid):
		s.cfg.Log.Warn("withheld a list result the core could not judge", "kind", r.kind, "err", err)
		return rpcError(m.id, -32603, "Countersign withheld this list result: "+err.Error())
	case err != nil:
		s.cfg.Log.Warn("the core did not review a list result; forwarded unchanged (tool calls are denied until the core answers)", "kind", r.kind, "err", err)
		s.keepUnreviewed(r, m.result)
		return line
	}
	s.setHeld(r.kind, v.Hidden, !r.partial)
	s.setFlags(r.kind, v.Flags)
	hidden := map[string]bool{}
	for _, h := range v.Hidden {
		hidden[h] = true
	}
	out, err := toolguard.FilterResponse(r.kind, line, func(key string) bool { return hidden[key] })
	if err != nil {
		s.cfg.Log.Warn("withheld a list result that cannot be filtered", "kind", r.kind, "err", err)
		return rpcError(m.id, -32603, "Countersign withheld this list result: it cannot be read unambiguously")
	}
	if len(v.Hidden) > 0 {
		s.cfg.Log.Warn("held back from the client until reviewed (countersign tools)", "kind", r.kind, "names", v.Hidden)
	}
	if r.kind == toolguard.KindTool {
		if out, err = s.namespaceList(out); err != nil {
			s.cfg.Log.Warn("withheld a tools/list result that cannot be namespaced", "err", err)
			return rpcError(m.id, -32603, "Countersign withheld this list result: its tool names cannot be namespaced")
		}
	}
	return out
}

// keepUnreviewed remembers a list result the core has not seen, to report
// it when the core is back.
func (s *shim) keepUnreviewed(r listReq, result []byte) {
	s.mu.Lock()
	s.unreviewed[r.kind] = unreviewedList{result: bytes.Clone(result), partial: r.partial}
	s.mu.Unlock()
}

type unreviewedList struct {
	result  []byte
	partial bool
}

// reviewUnreviewed reports the list results forwarded while the core was
// unreachable. If the core now holds something the client already got, the
// client is told to re-list so the held item disappears from its view.
func (s *shim) reviewUnreviewed() {
	s.mu.Lock()
	pending := s.unreviewed
	s.unreviewed = map[toolguard.ItemKind]unreviewedList{}
	s.mu.Unlock()
	for kind, u := range pending {
		ctx, cancel := context.WithTimeout(s.ctx, reviewTimeout)
		v, err := s.api.ReviewList(ctx, localapi.ListReport{
			SessionID: s.link.currentSession(), Kind: string(kind), Result: u.result, Partial: u.partial,
		})
		cancel()
		if err != nil {
			if !errors.Is(err, localapi.ErrInvalid) {
				s.keepUnreviewed(listReq{kind: kind, partial: u.partial}, u.result)
			}
			s.cfg.Log.Warn("the core did not review a list result forwarded while it was down", "kind", kind, "err", err)
			continue
		}
		s.setHeld(kind, v.Hidden, !u.partial)
		s.setFlags(kind, v.Flags)
		if len(v.Hidden) > 0 {
			s.listChanged(kind)
		}
	}
}

// setHeld records what the core holds of one kind. A complete listing (or
// a push from the core) replaces the set; a page adds to it.
func (s *shim) setHeld(kind toolguard.ItemKind, names []string, replace bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if replace || s.quarantine[kind] == nil {
		s.quarantine[kind] = map[string]bool{}
	}
	for _, n := range names {
		s.quarantine[kind][n] = true
	}
}

func (s *shim) setFlags(kind toolguard.ItemKind, flags map[string][]string) {
	if kind != toolguard.KindTool {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, f := range flags {
		s.guardFlags[k] = f
	}
}

// isHeld reports whether the core holds the item of kind with this key.
func (s *shim) isHeld(kind toolguard.ItemKind, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quarantine[kind][key]
}

func (s *shim) guardFlagsFor(tool string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.guardFlags[tool])
}

// toolsUpdate applies what the core pushed: the held set of every kind, and
// the kinds whose lists changed (a person trusted held items), which the
// client is told to re-list.
func (s *shim) toolsUpdate(u localapi.SessionUpdate) {
	for k, names := range u.Quarantined {
		s.setHeld(toolguard.ItemKind(k), names, true)
	}
	for _, k := range u.ListChanged {
		s.listChanged(toolguard.ItemKind(k))
	}
}

func (s *shim) listChanged(kind toolguard.ItemKind) {
	method, ok := listChangedMethods[kind]
	if !ok {
		return
	}
	s.toClient.write([]byte(`{"jsonrpc":"2.0","method":"` + method + `"}` + "\n"))
}

// heldPrompt answers a prompts/get for a held prompt with an error; it
// reports whether it did. Params it cannot read unambiguously are refused.
func (s *shim) heldPrompt(m message) (bool, error) {
	var name string
	seen := false
	_, err := eachMember(m.params, skipSpace(m.params, 0), func(k string, v []byte) error {
		if folded(k, "name") {
			return errDuplicate
		}
		if k == "name" {
			n, ok := stringValue(v)
			if !ok || seen {
				return errDuplicate
			}
			name, seen = n, true
		}
		return nil
	})
	if err != nil {
		return true, s.toClient.write(rpcError(m.id, -32602, "Invalid params: Countersign could not read this prompts/get unambiguously, so it was not forwarded"))
	}
	if !s.isHeld(toolguard.KindPrompt, name) {
		return false, nil
	}
	s.cfg.Log.Warn("blocked prompts/get for a held prompt", "prompt", name)
	return true, s.toClient.write(rpcError(m.id, -32602,
		"Countersign blocked the prompt "+jsonQuote(name)+" on server "+jsonQuote(s.cfg.Name)+": its definition is held until the user reviews it (countersign tools)."))
}

func jsonQuote(s string) string { return string(jsonString(s)) }

// serverBatch looks into a batch from the server while calls or list
// requests are tracked. A list response inside a batch could carry held
// items past the review, so it is withheld (the client gets an error for
// its request). A response to a tracked tools/call is completed like one
// sent alone: recorded, its result scanned, and withheld when that is on.
// The rest of the batch goes on as its original bytes. It returns what to
// forward (nil: nothing).
func (s *shim) serverBatch(line []byte) []byte {
	var keep [][]byte
	changed := false
	_, err := eachElement(line, skipSpace(line, 0), func(v []byte) error {
		m := classify(v)
		if m.kind != kindResponse || m.ambiguous {
			keep = append(keep, v)
			return nil
		}
		if _, ok := s.takeList(m.id); ok {
			changed = true
			s.cfg.Log.Warn("withheld a list result sent inside a batch")
			s.toClient.write(rpcError(m.id, -32603, "Countersign withheld this list result: it came inside a batch"))
			return nil
		}
		s.mu.Lock()
		_, isCall := s.inflight[string(m.id)]
		s.mu.Unlock()
		if isCall {
			out := bytes.TrimRight(s.serverResponse(m, v), "\r\n")
			changed = changed || !bytes.Equal(out, v)
			keep = append(keep, out)
			return nil
		}
		keep = append(keep, v)
		return nil
	})
	if err != nil || !changed {
		return line
	}
	if len(keep) == 0 {
		return nil
	}
	out := append([]byte{'['}, bytes.Join(keep, []byte{','})...)
	return append(out, ']', '\n')
}
