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
	var out []Call
	q.Limit = clampLimit(q.Limit)
	if ftsQuery(q.Search) != "" {
		return s.searchCalls(ctx, q)
	}
	err := s.EachCall(ctx, q, func(c Call) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// EachCall calls fn for every call matching q, newest first, reading one
// row at a time from a single consistent snapshot, so an export of the whole
// history runs in constant memory and never sees a half-pruned state. Unlike
// Calls, a Limit of zero or less means no limit, and there is no MaxLimit.
// An error from fn stops the walk and is returned as is. fn must not call
// the store's write methods from the same goroutine for long: the snapshot
// is held until EachCall returns.
func (s *Store) EachCall(ctx context.Context, q CallQuery, fn func(Call) error) error {
	if err := s.readable(); err != nil {
		return err
	}
	where, args, err := callFilter(ctx, s.rdb, q)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("SELECT " + callColumns + " FROM calls")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY requested_at DESC, id DESC")
	if q.Limit > 0 {
		b.WriteString(" LIMIT ?")
		args = append(args, q.Limit)
	}
	rows, err := s.rdb.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return fmt.Errorf("store: calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return fmt.Errorf("store: calls: scan: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: calls: %w", err)
	}
	return nil
}

// queryer is what callFilter reads the cursor through: the read pool, or a
// read transaction when a listing runs more than one query on one snapshot.
type queryer interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// callFilter turns q (all but Limit) into WHERE terms and their arguments.
func callFilter(ctx context.Context, db queryer, q CallQuery) ([]string, []any, error) {
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
	w, a, err := timeRange("requested_at", q.Since, q.Until)
	if err != nil {
		return nil, nil, fmt.Errorf("store: calls: %w", err)
	}
	where, args = append(where, w...), append(args, a...)
	if q.Before != "" {
		var at int64
		err := db.QueryRowContext(ctx, "SELECT requested_at FROM calls WHERE id = ?", q.Before).Scan(&at)
		if err == sql.ErrNoRows {
			return nil, nil, fmt.Errorf("store: calls: unknown cursor %q", q.Before)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("store: calls: cursor: %w", err)
		}
		where = append(where, "(requested_at < ? OR (requested_at = ? AND id < ?))")
		args = append(args, at, at, q.Before)
	}
	if m := ftsQuery(q.Search); m != "" {
		where = append(where, "seq IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)")
		args = append(args, m)
	}
	return where, args, nil
}

// timeRange is col >= since AND col < until, each only when set.
func timeRange(col string, since, until time.Time) ([]string, []any, error) {
	var (
		where []string
		args  []any
	)
	if !since.IsZero() {
		n, err := nanos(since)
		if err != nil {
			return nil, nil, fmt.Errorf("since: %w", err)
		}
		where = append(where, col+" >= ?")
		args = append(args, n)
	}
	if !until.IsZero() {
		n, err := nanos(until)
		if err != nil {
			return nil, nil, fmt.Errorf("until: %w", err)
		}
		where = append(where, col+" < ?")
		args = append(args, n)
	}
	return where, args, nil
}

// clampLimit applies DefaultLimit and MaxLimit to a listing's page size.
func clampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
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
