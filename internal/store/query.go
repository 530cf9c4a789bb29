package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

const (
	// DefaultLimit is the page size when CallQuery.Limit is zero or less.
	DefaultLimit = 100
	// MaxLimit caps CallQuery.Limit; page with Before for more.
	MaxLimit = 1000
)

// CallQuery selects calls. Empty fields do not filter. Results are newest
// first by requested_at, then id.
type CallQuery struct {
	Server, Tool, Client, Decision string    // exact matches
	Since                          time.Time // requested_at >= Since
	Until                          time.Time // requested_at < Until
	Limit                          int       // DefaultLimit when <= 0, at most MaxLimit
	Before                         string    // cursor: only calls after this id in the order (older)
	// Search is full-text search (FTS5) over tool, server, argument excerpt
	// and note. Each whitespace-separated word must match; a word is taken
	// literally (FTS5 operators are not interpreted) and matches whole
	// tokens, so "passwd" finds "/etc/passwd" and "/etc/passwd" finds the
	// adjacent tokens etc, passwd.
	Search string
}

// Calls returns the calls matching q, newest first. Before must name a
// stored call; an unknown cursor is an error rather than a silent restart
// from the newest call.
func (s *Store) Calls(ctx context.Context, q CallQuery) ([]Call, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	var (
		where []string
		args  []any
	)
	eq := func(col, v string) {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	eq("server", q.Server)
	eq("tool", q.Tool)
	eq("client", q.Client)
	eq("decision", q.Decision)
	if !q.Since.IsZero() {
		n, err := nanos(q.Since)
		if err != nil {
			return nil, fmt.Errorf("store: calls: since: %w", err)
		}
		where = append(where, "requested_at >= ?")
		args = append(args, n)
	}
	if !q.Until.IsZero() {
		n, err := nanos(q.Until)
		if err != nil {
			return nil, fmt.Errorf("store: calls: until: %w", err)
		}
		where = append(where, "requested_at < ?")
		args = append(args, n)
	}
	if q.Before != "" {
		var at int64
		err := s.rdb.QueryRowContext(ctx, "SELECT requested_at FROM calls WHERE id = ?", q.Before).Scan(&at)
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("store: calls: unknown cursor %q", q.Before)
		}
		if err != nil {
			return nil, fmt.Errorf("store: calls: cursor: %w", err)
		}
		where = append(where, "(requested_at < ? OR (requested_at = ? AND id < ?))")
		args = append(args, at, at, q.Before)
	}
	if m := ftsQuery(q.Search); m != "" {
		where = append(where, "seq IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)")
		args = append(args, m)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	var b strings.Builder
	b.WriteString("SELECT " + callColumns + " FROM calls")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY requested_at DESC, id DESC LIMIT ?")
	args = append(args, limit)

	rows, err := s.rdb.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("store: calls: scan: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: calls: %w", err)
	}
	return out, nil
}

// ftsQuery turns what a person typed into an FTS5 query that cannot be a
// syntax error: every whitespace-separated word becomes a quoted phrase
// (quotes doubled), and the phrases are ANDed. A NUL byte separates words
// too: FTS5 reads the query as a C string, so a NUL inside a quoted phrase
// would cut it into an unterminated one. "" means no search.
func ftsQuery(search string) string {
	words := strings.Fields(strings.ReplaceAll(search, "\x00", " "))
	if len(words) == 0 {
		return ""
	}
	for i, w := range words {
		words[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(words, " ")
}
