package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Event kinds: what happened besides calls, in the same timeline.
const (
	EventSessionStarted = "session_started" // a shim connected for a server
	EventSessionEnded   = "session_ended"   // it went away; ExitCode is the server's
	EventToolFirstSeen  = "tool_first_seen" // a tool definition was pinned; ToolHash
	EventToolChanged    = "tool_changed"    // a pinned tool's definition changed; ToolHash is the new one
	EventConfigChanged  = "config_changed"  // the watcher saw a client config change; Path
	EventSecretUsed     = "secret_used"     // a stored secret was injected; Secret is its name only
)

var validEventKinds = set(EventSessionStarted, EventSessionEnded, EventToolFirstSeen,
	EventToolChanged, EventConfigChanged, EventSecretUsed)

// maxDetail bounds an event's free text.
const maxDetail = 4 << 10

// Event is one entry of the timeline that is not a call. Fields a kind does
// not use stay empty.
type Event struct {
	ID        string    // assigned by the store; ignored by RecordEvent
	At        time.Time // when zero, the time it was recorded
	Kind      string    // one of the Event* constants
	SessionID string
	Client    string
	Server    string
	Tool      string
	ToolHash  string
	ExitCode  *int   // session_ended: the server's exit code, when known
	Secret    string // secret_used: the secret's name, never its value
	Path      string // config_changed: the config file
	Detail    string // short free text, bounded to 4 KiB
}

// RecordEvent appends events to the timeline and returns once committed.
// Every event is validated before anything is queued.
func (s *Store) RecordEvent(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	now := time.Now()
	rows := make([][]any, len(evs))
	for i := range evs {
		r, err := s.eventRow(&evs[i], now)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO events (at, kind, session_id, client, server, tool, tool_hash, exit_code, secret, path, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("store: record event: %w", err)
		}
		defer st.Close()
		for _, r := range rows {
			if _, err := st.Exec(r...); err != nil {
				return fmt.Errorf("store: record event: %w", err)
			}
		}
		return nil
	})
}

func (s *Store) eventRow(e *Event, now time.Time) ([]any, error) {
	if !validEventKinds[e.Kind] {
		return nil, fmt.Errorf("store: record event: invalid kind %q", e.Kind)
	}
	at := e.At
	if at.IsZero() {
		at = now
	}
	n, err := nanos(at)
	if err != nil || n == nil {
		return nil, fmt.Errorf("store: record event %s: time %s out of range", e.Kind, at.Format(time.RFC3339))
	}
	var exit any
	if e.ExitCode != nil {
		exit = int64(*e.ExitCode)
	}
	detail := e.Detail
	if detail != "" {
		detail = string(s.redact([]byte(detail)))
	}
	return []any{
		n, e.Kind,
		text(e.SessionID, maxField), text(e.Client, maxField), text(e.Server, maxField),
		text(e.Tool, maxField), text(e.ToolHash, maxField), exit,
		text(e.Secret, maxField), text(e.Path, maxField), text(detail, maxDetail),
	}, nil
}

// EventQuery selects events. Empty fields do not filter. Results are newest
// first by time, then id.
type EventQuery struct {
	Kind, Server, Client string
	Since                time.Time // at >= Since
	Until                time.Time // at < Until
	Limit                int       // DefaultLimit when <= 0, at most MaxLimit
	Before               string    // cursor: only events after this id in the order (older)
}

const eventColumns = `seq, at, kind, session_id, client, server, tool, tool_hash, exit_code, secret, path, detail`

// Events returns the events matching q, newest first. Before must name a
// stored event.
func (s *Store) Events(ctx context.Context, q EventQuery) ([]Event, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	var (
		where []string
		args  []any
	)
	for _, f := range []struct{ col, v string }{{"kind", q.Kind}, {"server", q.Server}, {"client", q.Client}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	w, a, err := timeRange("at", q.Since, q.Until)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	where, args = append(where, w...), append(args, a...)
	if q.Before != "" {
		seq, err := strconv.ParseInt(q.Before, 10, 64)
		var at int64
		if err == nil {
			err = s.rdb.QueryRowContext(ctx, "SELECT at FROM events WHERE seq = ?", seq).Scan(&at)
		}
		if err != nil {
			return nil, fmt.Errorf("store: events: unknown cursor %q", q.Before)
		}
		where = append(where, "(at < ? OR (at = ? AND seq < ?))")
		args = append(args, at, at, seq)
	}
	var b strings.Builder
	b.WriteString("SELECT " + eventColumns + " FROM events")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY at DESC, seq DESC LIMIT ?")
	args = append(args, clampLimit(q.Limit))

	rows, err := s.rdb.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e                                                      Event
			seq, at                                                int64
			session, client, server, tool, hash, secret, path, det sql.NullString
			exit                                                   sql.NullInt64
		)
		if err := rows.Scan(&seq, &at, &e.Kind, &session, &client, &server, &tool, &hash, &exit, &secret, &path, &det); err != nil {
			return nil, fmt.Errorf("store: events: scan: %w", err)
		}
		e.ID = strconv.FormatInt(seq, 10)
		e.At = time.Unix(0, at).UTC()
		e.SessionID, e.Client, e.Server, e.Tool = session.String, client.String, server.String, tool.String
		e.ToolHash, e.Secret, e.Path, e.Detail = hash.String, secret.String, path.String, det.String
		if exit.Valid {
			code := int(exit.Int64)
			e.ExitCode = &code
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}
