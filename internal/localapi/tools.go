package localapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// Tool integrity routes: shims report list results for review, and people
// list, diff and trust pinned tools, prompts and resource templates.
//
//	POST /v1/lists                        ListReport → ListVerdict
//	GET  /v1/tools?server=S               []ToolPin (S: a server name or identity; empty: all)
//	POST /v1/tools/trust                  TrustRequest → TrustResult
//	GET  /v1/tools/diff?server=S&tool=T[&kind=K]   ToolDiff

// ListReport is a list result a shim saw: the "result" member of a
// tools/list, prompts/list or resources/templates/list response.
type ListReport struct {
	SessionID string          `json:"session_id"`
	Kind      string          `json:"kind"` // tool, prompt or resource_template
	Result    json.RawMessage `json:"result"`
	// Partial: the request carried a cursor (one page of a listing), so
	// items missing from it are not gone.
	Partial bool `json:"partial,omitempty"`
}

// ListVerdict is the core's answer to a ListReport: the keys (tool and
// prompt names, resource template URI templates) the shim must withhold from
// the client, and the risk flags, in words, of the items it lets through.
type ListVerdict struct {
	Hidden []string            `json:"hidden"`
	Flags  map[string][]string `json:"flags,omitempty"`
}

// ToolPin is one pinned item of one server identity, as `tools --json`
// prints it.
type ToolPin struct {
	Server     string        `json:"server"`    // the configured name
	ServerID   string        `json:"server_id"` // name#digest of its command line or URL
	Kind       string        `json:"kind"`      // tool, prompt or resource_template
	Name       string        `json:"name"`
	State      string        `json:"state"` // trusted, new, changed, quarantined, removed
	Reason     string        `json:"reason,omitempty"`
	Hash       string        `json:"hash"`
	FirstSeen  time.Time     `json:"first_seen"`
	UpdatedAt  time.Time     `json:"updated_at"`
	Findings   []ToolFinding `json:"findings"`
	Collisions []string      `json:"collisions"` // other servers of a client offering the same name
}

// ToolFinding is one scanner finding on a pinned item.
type ToolFinding struct {
	Kind     string `json:"kind"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Location string `json:"location"`
	Excerpt  string `json:"excerpt"`
	Detail   string `json:"detail,omitempty"`
}

// TrustRequest accepts the current definitions of held items of a server
// (its name, or one identity). Names empty: every held item of the server.
// Kind empty: items of any kind with those names.
type TrustRequest struct {
	Server string   `json:"server"`
	Kind   string   `json:"kind,omitempty"`
	Names  []string `json:"names,omitempty"`
}

// TrustResult lists what a TrustRequest accepted, as "kind:name".
type TrustResult struct {
	Trusted []string `json:"trusted"`
}

// ToolDiff is the review of one pinned item: the word diff between the
// accepted definition and the current one.
type ToolDiff struct {
	Server   string `json:"server"`
	ServerID string `json:"server_id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	State    string `json:"state"`
	Diff     string `json:"diff"`
}

func (h *Handler) reviewList(w http.ResponseWriter, r *http.Request) {
	var rep ListReport
	if !readJSON(w, r, &rep) {
		return
	}
	v, err := h.b.ReviewList(r.Context(), rep)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if v.Hidden == nil {
		v.Hidden = []string{}
	}
	writeJSON(w, v)
}

func (h *Handler) tools(w http.ResponseWriter, r *http.Request) {
	list, err := h.b.Tools(r.Context(), r.URL.Query().Get("server"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if list == nil {
		list = []ToolPin{}
	}
	writeJSON(w, list)
}

func (h *Handler) trustTools(w http.ResponseWriter, r *http.Request) {
	var req TrustRequest
	if !readJSON(w, r, &req) {
		return
	}
	res, err := h.b.TrustTools(r.Context(), req)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if res.Trusted == nil {
		res.Trusted = []string{}
	}
	writeJSON(w, res)
}

func (h *Handler) toolDiff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := h.b.ToolDiff(r.Context(), q.Get("server"), q.Get("kind"), q.Get("tool"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, d)
}

// ReviewList reports a list result and returns what to withhold.
func (c *Client) ReviewList(ctx context.Context, rep ListReport) (ListVerdict, error) {
	var v ListVerdict
	return v, c.do(ctx, http.MethodPost, "/v1/lists", rep, &v)
}

// Tools lists the pinned items of server (a name or an identity; "" for all).
func (c *Client) Tools(ctx context.Context, server string) ([]ToolPin, error) {
	var out []ToolPin
	return out, c.do(ctx, http.MethodGet, "/v1/tools?server="+url.QueryEscape(server), nil, &out)
}

// TrustTools accepts the current definitions of held items.
func (c *Client) TrustTools(ctx context.Context, req TrustRequest) (TrustResult, error) {
	var out TrustResult
	return out, c.do(ctx, http.MethodPost, "/v1/tools/trust", req, &out)
}

// ToolDiff returns the review diff of one item (kind "" finds any kind).
func (c *Client) ToolDiff(ctx context.Context, server, kind, name string) (ToolDiff, error) {
	q := url.Values{"server": {server}, "tool": {name}}
	if kind != "" {
		q.Set("kind", kind)
	}
	var out ToolDiff
	return out, c.do(ctx, http.MethodGet, "/v1/tools/diff?"+q.Encode(), nil, &out)
}
