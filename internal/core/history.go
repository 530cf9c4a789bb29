package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
)

// History: what the LocalAPI serves from the store, the retention loop and
// the redaction hook.

const (
	// RetentionSetting is the settings key holding how long the history is
	// kept: a duration such as "90d", "2w" or "720h"; "0" or "off" keeps it
	// forever. Missing or unreadable means DefaultRetention.
	RetentionSetting = "history_retention"
	// DefaultRetention is 90 days.
	DefaultRetention = 90 * 24 * time.Hour
	// retentionEvery is how often the retention is applied after start.
	retentionEvery = 24 * time.Hour
)

// retentionLoop applies the retention setting now and every day until ctx
// ends. It owns nothing but its ticker: a prune interrupted by ctx leaves
// what it already removed removed.
func (c *Core) retentionLoop(ctx context.Context) {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	for {
		c.applyRetention(ctx, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// applyRetention prunes what is older than the retention setting allows.
func (c *Core) applyRetention(ctx context.Context, now time.Time) (localapi.PruneResult, error) {
	keep := c.retention(ctx)
	if keep <= 0 {
		return localapi.PruneResult{}, nil
	}
	res, err := c.PruneHistory(ctx, now.Add(-keep))
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, store.ErrClosed) {
			c.log.Warn("could not apply the history retention", "err", err)
		}
		return res, err
	}
	if res.Calls+res.Events > 0 {
		c.log.Info("history retention applied", "kept", keep.String(), "calls_removed", res.Calls, "events_removed", res.Events)
	}
	return res, nil
}

// retention reads the retention setting; a value it cannot read keeps the
// default (and says so) rather than deleting more than the user asked.
func (c *Core) retention(ctx context.Context) time.Duration {
	v, ok, err := c.store.Setting(ctx, RetentionSetting)
	if err != nil || !ok {
		return DefaultRetention
	}
	v = strings.TrimSpace(v)
	if v == "0" || strings.EqualFold(v, "off") {
		return 0
	}
	d, err := ParseAge(v)
	if err != nil || d <= 0 {
		c.log.Warn("history retention setting unreadable, keeping the default", "value", v, "default", "90d")
		return DefaultRetention
	}
	return d
}

// ParseAge reads an age such as "90d", "2w", "36h" or "15m": Go durations
// plus d (24h) and w (7d) units, as a whole number before d or w.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		num, err := strconv.ParseInt(s[:n-1], 10, 64)
		if err != nil || num < 0 {
			return 0, fmt.Errorf("age %q: want a whole number of days or weeks, e.g. 30d", s)
		}
		unit := 24 * time.Hour
		if s[n-1] == 'w' {
			unit *= 7
		}
		if num > int64(200*365*24*time.Hour/unit) {
			return 0, fmt.Errorf("age %q is too long", s)
		}
		return time.Duration(num) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("age %q: want e.g. 90d, 2w, 36h or 15m", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("age %q is negative", s)
	}
	return d, nil
}

// recordEvent appends one event to the history timeline, with a context of
// its own so the event outlives the request that caused it. Failures are
// logged, never returned: the timeline must not stop a session. The
// session, tool guard, watcher and vault code calls it (session_started,
// session_ended with the exit code, tool_first_seen, tool_changed,
// config_changed, secret_used with the name only).
func (c *Core) recordEvent(e store.Event) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.store.RecordEvent(ctx, e); err != nil {
		c.log.Error("could not record a history event", "kind", e.Kind, "err", err)
	}
}

func storeQuery(q localapi.HistoryQuery) store.CallQuery {
	return store.CallQuery{
		Server: q.Server, Tool: q.Tool, Client: q.Client, Decision: q.Decision, Search: q.Search,
		Since: q.Since, Until: q.Until, Limit: q.Limit, Before: q.Before,
	}
}

// History lists recorded calls, newest first.
func (c *Core) History(ctx context.Context, q localapi.HistoryQuery) ([]localapi.HistoryCall, error) {
	calls, err := c.store.Calls(ctx, storeQuery(q))
	if err != nil {
		return nil, historyErr(err)
	}
	out := make([]localapi.HistoryCall, len(calls))
	for i := range calls {
		out[i] = historyCall(&calls[i], false)
	}
	return out, nil
}

// HistoryCall returns one recorded call with its result excerpt.
func (c *Core) HistoryCall(ctx context.Context, id string) (localapi.HistoryCall, error) {
	call, ok, err := c.store.Call(ctx, id)
	if err != nil {
		return localapi.HistoryCall{}, fmt.Errorf("core: history: %w", err)
	}
	if !ok {
		return localapi.HistoryCall{}, fmt.Errorf("no call %q in the history: %w", id, localapi.ErrNotFound)
	}
	return historyCall(&call, true), nil
}

// ExportHistory walks every matching call from one snapshot of the store.
func (c *Core) ExportHistory(ctx context.Context, q localapi.HistoryQuery, send func(localapi.HistoryCall) error) error {
	err := c.store.EachCall(ctx, storeQuery(q), func(call store.Call) error {
		return send(historyCall(&call, true))
	})
	if err != nil {
		return historyErr(err)
	}
	return nil
}

// HistoryEvents lists timeline events, newest first.
func (c *Core) HistoryEvents(ctx context.Context, q localapi.EventQuery) ([]localapi.HistoryEvent, error) {
	evs, err := c.store.Events(ctx, store.EventQuery{
		Kind: q.Kind, Server: q.Server, Client: q.Client, Since: q.Since, Until: q.Until, Limit: q.Limit, Before: q.Before,
	})
	if err != nil {
		return nil, historyErr(err)
	}
	out := make([]localapi.HistoryEvent, len(evs))
	for i, e := range evs {
		out[i] = localapi.HistoryEvent{
			ID: e.ID, At: e.At, Kind: e.Kind, SessionID: e.SessionID, Client: e.Client, Server: e.Server,
			Tool: e.Tool, ToolHash: e.ToolHash, ExitCode: e.ExitCode, Secret: e.Secret, Path: e.Path, Detail: e.Detail,
		}
	}
	return out, nil
}

// PruneHistory removes calls and events from before before.
func (c *Core) PruneHistory(ctx context.Context, before time.Time) (localapi.PruneResult, error) {
	if before.IsZero() {
		return localapi.PruneResult{}, fmt.Errorf("%w: prune needs a time", localapi.ErrInvalid)
	}
	if before.After(time.Now().Add(time.Minute)) {
		return localapi.PruneResult{}, fmt.Errorf("%w: prune time %s is in the future", localapi.ErrInvalid, before.Format(time.RFC3339))
	}
	p, err := c.store.Prune(ctx, before)
	res := localapi.PruneResult{Before: before.UTC(), Calls: p.Calls, Events: p.Events}
	if err != nil {
		return res, fmt.Errorf("core: prune history: %w", err)
	}
	return res, nil
}

// historyErr marks the store's complaints about a query (an unknown
// cursor, a time out of range) as the caller's mistake.
func historyErr(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unknown cursor") || strings.Contains(msg, "out of range") {
		return fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
	}
	return fmt.Errorf("core: history: %w", err)
}

// historyCall is the LocalAPI view of a stored call.
func historyCall(c *store.Call, withResult bool) localapi.HistoryCall {
	h := localapi.HistoryCall{
		ID: c.ID, RequestedAt: c.RequestedAt, SessionID: c.SessionID, Client: c.Client, Server: c.Server, Tool: c.Tool,
		Arguments: jsonOrString(c.Args), ArgumentsSize: c.ArgsSize, ArgumentsTruncated: c.ArgsSize > int64(len(c.Args)),
		ArgumentsDigest: c.ArgsDigest, Decision: c.Decision, DecidedBy: c.DecidedBy, RuleID: c.RuleID,
		Note: c.Note, Reason: c.Reason, WaitMS: c.WaitMS, ServerMS: c.ServerMS,
		ResultStatus: c.ResultStatus, ResultSize: c.ResultSize, ToolHash: c.ToolHash,
		ResultFlags: historyFlags(c.ResultFlags),
	}
	if !c.DecidedAt.IsZero() {
		t := c.DecidedAt
		h.DecidedAt = &t
	}
	if withResult {
		h.ResultExcerpt = jsonOrString(c.ResultExcerpt)
	}
	return h
}

// jsonOrString returns b when it is JSON (compacted), else b as a JSON
// string, and JSON null for nothing.
func jsonOrString(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b)) // invalid UTF-8 becomes U+FFFD
	return s
}
