package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// HistoryQuery selects recorded calls (GET /v1/history and
// GET /v1/export). Empty fields do not filter.
type HistoryQuery struct {
	Server   string
	Tool     string
	Client   string
	Decision string
	Search   string    // full-text: every word must match
	Since    time.Time // requested at or after
	Until    time.Time // requested before
	Limit    int       // listing: 100 when 0, at most 1000; export: 0 = everything
	Before   string    // cursor: the id of the last call of the previous page
}

// values encodes q as URL query parameters.
func (q HistoryQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("server", q.Server)
	set("tool", q.Tool)
	set("client", q.Client)
	set("decision", q.Decision)
	set("search", q.Search)
	set("before", q.Before)
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(time.RFC3339Nano))
	}
	if q.Limit != 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// parseHistoryQuery reads what values wrote.
func parseHistoryQuery(v url.Values) (HistoryQuery, error) {
	q := HistoryQuery{
		Server: v.Get("server"), Tool: v.Get("tool"), Client: v.Get("client"),
		Decision: v.Get("decision"), Search: v.Get("search"), Before: v.Get("before"),
	}
	for _, t := range []struct {
		key string
		dst *time.Time
	}{{"since", &q.Since}, {"until", &q.Until}} {
		if s := v.Get(t.key); s != "" {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return q, fmt.Errorf("%w: %s: %v", ErrInvalid, t.key, err)
			}
			*t.dst = tm
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, fmt.Errorf("%w: limit %q is not a count", ErrInvalid, s)
		}
		q.Limit = n
	}
	return q, nil
}

// HistoryCall is one recorded call as the LocalAPI and `countersign history
// --json` show it. Every key is always present; text that is not known is
// "", a time not known is null. Arguments and the result excerpt are JSON
// when the stored (redacted, at most 64 KiB) excerpt parses as JSON, else a
// JSON string holding it; ArgumentsTruncated says the excerpt is shorter
// than the arguments were.
type HistoryCall struct {
	ID                 string          `json:"id"`
	RequestedAt        time.Time       `json:"requested_at"`
	DecidedAt          *time.Time      `json:"decided_at"`
	SessionID          string          `json:"session_id"`
	Client             string          `json:"client"`
	Server             string          `json:"server"`
	Tool               string          `json:"tool"`
	Arguments          json.RawMessage `json:"arguments"`
	ArgumentsSize      int64           `json:"arguments_size"`
	ArgumentsTruncated bool            `json:"arguments_truncated"`
	ArgumentsDigest    string          `json:"arguments_digest"`
	Decision           string          `json:"decision"`
	DecidedBy          string          `json:"decided_by"`
	RuleID             string          `json:"rule_id"`
	Note               string          `json:"note"`
	Reason             string          `json:"reason"`
	WaitMS             int64           `json:"wait_ms"`
	ServerMS           int64           `json:"server_ms"`
	ResultStatus       string          `json:"result_status"`
	ResultSize         int64           `json:"result_size"`
	ToolHash           string          `json:"tool_hash"`
	// ResultFlags are the hidden-instruction findings in the result
	// (never null: [] when none).
	ResultFlags []ResultFlag `json:"result_flags"`
	// ResultExcerpt is filled by HistoryCall (one call) and the export, not
	// by listings, which stay small.
	ResultExcerpt json.RawMessage `json:"result_excerpt,omitempty"`
}

// HistoryEvent is one non-call entry of the history timeline.
type HistoryEvent struct {
	ID        string    `json:"id"`
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	SessionID string    `json:"session_id"`
	Client    string    `json:"client"`
	Server    string    `json:"server"`
	Tool      string    `json:"tool"`
	ToolHash  string    `json:"tool_hash"`
	ExitCode  *int      `json:"exit_code"`
	Secret    string    `json:"secret"` // a secret's name, never its value
	Path      string    `json:"path"`
	Detail    string    `json:"detail"`
}

// EventQuery selects timeline events (GET /v1/timeline).
type EventQuery struct {
	Kind, Server, Client string
	Since, Until         time.Time
	Limit                int
	Before               string
}

// PruneRequest asks the core to remove history older than Before
// (POST /v1/prune).
type PruneRequest struct {
	Before time.Time `json:"before"`
}

// PruneResult counts what a prune removed.
type PruneResult struct {
	Before time.Time `json:"before"`
	Calls  int64     `json:"calls"`
	Events int64     `json:"events"`
}

// Handlers.

func (h *Handler) history(w http.ResponseWriter, r *http.Request) {
	q, err := parseHistoryQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	calls, err := h.b.History(r.Context(), q)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if calls == nil {
		calls = []HistoryCall{}
	}
	writeJSON(w, calls)
}

func (h *Handler) historyCall(w http.ResponseWriter, r *http.Request) {
	c, err := h.b.HistoryCall(r.Context(), r.PathValue("id"))
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, c)
}

// historyExport streams matching calls as NDJSON, flushing as it goes. An
// error after the first line can only end the stream early; the client
// sees it as a stream that stops without its final line (see
// exportTrailer).
func (h *Handler) historyExport(w http.ResponseWriter, r *http.Request) {
	q, err := parseHistoryQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	flusher, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err = h.b.ExportHistory(r.Context(), q, func(c HistoryCall) error {
		if err := enc.Encode(exportLine{Call: &c}); err != nil {
			return err
		}
		n++
		if flusher != nil && n%256 == 0 {
			flusher.Flush()
		}
		return nil
	})
	if err != nil && n == 0 {
		writeError(w, statusOf(err), err)
		return
	}
	if err != nil {
		h.log.Warn("history export ended early", "after", n, "err", err)
		return
	}
	enc.Encode(exportLine{End: &exportEnd{Count: n}})
}

// exportLine is one NDJSON line of an export: a call, or the trailer that
// says the export is complete. A stream that ends without the trailer was
// cut short.
type exportLine struct {
	Call *HistoryCall `json:"call,omitempty"`
	End  *exportEnd   `json:"end,omitempty"`
}

type exportEnd struct {
	Count int `json:"count"`
}

func (h *Handler) historyEvents(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := EventQuery{Kind: v.Get("kind"), Server: v.Get("server"), Client: v.Get("client"), Before: v.Get("before")}
	hq, err := parseHistoryQuery(v) // since, until, limit
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	q.Since, q.Until, q.Limit = hq.Since, hq.Until, hq.Limit
	evs, err := h.b.HistoryEvents(r.Context(), q)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	if evs == nil {
		evs = []HistoryEvent{}
	}
	writeJSON(w, evs)
}

func (h *Handler) historyPrune(w http.ResponseWriter, r *http.Request) {
	var req PruneRequest
	if !readJSON(w, r, &req) {
		return
	}
	res, err := h.b.PruneHistory(r.Context(), req.Before)
	if err != nil {
		writeError(w, statusOf(err), err)
		return
	}
	writeJSON(w, res)
}

// Client methods.

// History lists recorded calls, newest first, one page at a time.
func (c *Client) History(ctx context.Context, q HistoryQuery) ([]HistoryCall, error) {
	var out []HistoryCall
	return out, c.do(ctx, http.MethodGet, "/v1/history?"+q.values().Encode(), nil, &out)
}

// HistoryCall returns one recorded call with its result excerpt; the error
// wraps ErrNotFound when there is no such call.
func (c *Client) HistoryCall(ctx context.Context, id string) (HistoryCall, error) {
	var out HistoryCall
	return out, c.do(ctx, http.MethodGet, "/v1/calls/"+url.PathEscape(id), nil, &out)
}

// HistoryEvents lists timeline events, newest first.
func (c *Client) HistoryEvents(ctx context.Context, q EventQuery) ([]HistoryEvent, error) {
	v := HistoryQuery{Since: q.Since, Until: q.Until, Limit: q.Limit, Before: q.Before}.values()
	for k, s := range map[string]string{"kind": q.Kind, "server": q.Server, "client": q.Client} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var out []HistoryEvent
	return out, c.do(ctx, http.MethodGet, "/v1/timeline?"+v.Encode(), nil, &out)
}

// PruneHistory removes calls and events older than before.
func (c *Client) PruneHistory(ctx context.Context, before time.Time) (PruneResult, error) {
	var out PruneResult
	return out, c.do(ctx, http.MethodPost, "/v1/prune", PruneRequest{Before: before}, &out)
}

// ExportHistory streams every call matching q (newest first; q.Limit 0 means
// all) to fn, one at a time, in constant memory. It returns an error if the
// stream ends before the core said it was complete.
func (c *Client) ExportHistory(ctx context.Context, q HistoryQuery, fn func(HistoryCall) error) error {
	s, err := openStream[exportLine](ctx, c, http.MethodGet, "/v1/export?"+q.values().Encode(), nil)
	if err != nil {
		return err
	}
	defer s.Close()
	n := 0
	for {
		line, err := s.Next()
		if err != nil {
			return fmt.Errorf("localapi: export cut short after %d calls: %w", n, err)
		}
		switch {
		case line.End != nil:
			if line.End.Count != n {
				return fmt.Errorf("localapi: export: core sent %d calls, received %d", line.End.Count, n)
			}
			return nil
		case line.Call != nil:
			n++
			if err := fn(*line.Call); err != nil {
				return err
			}
		}
	}
}
