package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
)

// A search page ([Store.Calls] with Search) has two plans, both exact:
//
//   - walk: read calls newest first through the (requested_at, id) indexes,
//     ask the full-text index about each one by rowid, stop at Limit
//     matches. Its cost grows with the rows read per match, so it is fast for
//     a frequent word and slow for a rare one.
//   - match: read every match from the full-text index, then sort them. Its
//     cost grows with the number of matches, so it is fast for a rare word
//     and slow for a frequent one (every tenth call of a million: 100,000
//     rows read and sorted for a page of 50).
//
// searchCalls first counts the word's matches, up to a small cap; under the
// cap the match plan runs alone. Otherwise it walks at most walkBudget rows. When the word is frequent
// the page fills within the budget. When it does not, the match plan finishes
// the page, restricted to calls older than the last row walked, so the two
// parts join in order with no gap and no duplicate; by then the word is known
// to be rarer than Limit/budget, which bounds what the match plan reads. Both
// plans run in one read transaction, so they see the same snapshot.
//
// No plan relies on seq (insert order) following requested_at: calls may be
// recorded late or out of order, and the order stays requested_at DESC, id
// DESC exactly.

// walkCostRatio is the measured cost of one row read and sorted by the match
// plan over one row read and probed by the walk plan. walkBudget balances the
// two: the worst case (a word just too rare for the walk) then costs about
// twice the optimum of either plan alone.
// Measured over 100,000 calls: about 6 µs per match for the match plan
// (index read, row lookup, sort), about 1 µs per row for the walk.
const walkCostRatio = 6.0

// walkBudget is how many rows the walk plan reads for a page of limit out of
// about total calls: sqrt(limit * total * ratio), at least limit*8 so
// frequent words never fall through, and at most total.
func walkBudget(limit int, total int64) int {
	k := int(math.Sqrt(float64(limit) * float64(total) * walkCostRatio))
	return max(k, limit*8)
}

// searchCalls is [Store.Calls] for a query with a search word; q.Limit is
// already clamped.
func (s *Store) searchCalls(ctx context.Context, q CallQuery) ([]Call, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: calls: begin: %w", err)
	}
	defer tx.Rollback()

	var total int64
	// seq is INTEGER PRIMARY KEY: each end is one b-tree seek (as two
	// subqueries; MAX(seq) - MIN(seq) in one SELECT scans the table). Gaps
	// (pruned calls) only make the estimate larger, which errs towards the
	// walk plan.
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE((SELECT MAX(seq) FROM calls) - (SELECT MIN(seq) FROM calls) + 1, 0)").Scan(&total); err != nil {
		return nil, fmt.Errorf("store: calls: count: %w", err)
	}
	match := ftsQuery(q.Search)
	plain := q
	plain.Search = ""
	where, args, err := callFilter(ctx, tx, plain)
	if err != nil {
		return nil, err
	}
	budget := walkBudget(q.Limit, total)
	// A word with few matches in all is cheapest read whole: count them, up
	// to what the match plan reads in the time the walk budget takes.
	few := max(int(float64(budget)/walkCostRatio), q.Limit)
	var n int
	if err := tx.QueryRowContext(ctx,
		"SELECT count(*) FROM (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ? LIMIT ?)", match, few).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: calls: count matches: %w", err)
	}
	if n < few {
		return matchPlan(ctx, tx, q, nil, q.Limit)
	}
	w, err := walkSearch(ctx, tx, where, args, match, q.Limit, budget)
	if err != nil {
		return nil, err
	}
	out, err := callsBySeq(ctx, tx, w.hits)
	if err != nil {
		return nil, err
	}
	if len(out) == q.Limit || w.read < budget {
		// Page full, or every row passing the filters was walked.
		return out, nil
	}
	rest, err := matchPlan(ctx, tx, q, &w, q.Limit-len(out))
	return append(out, rest...), err
}

// matchPlan reads the calls matching q from the full-text index, sorts them
// and keeps limit; after a walk, only those older than its last row.
func matchPlan(ctx context.Context, tx *sql.Tx, q CallQuery, after *walked, limit int) ([]Call, error) {
	where, args, err := callFilter(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	if after != nil {
		where = append(where, "(requested_at < ? OR (requested_at = ? AND id < ?))")
		args = append(args, after.lastAt, after.lastAt, after.lastID)
	}
	query := "SELECT " + callColumns + " FROM calls WHERE " + strings.Join(where, " AND ") +
		" ORDER BY requested_at DESC, id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := tx.QueryContext(ctx, query, args...)
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

// walked is what the walk plan found: the matching calls' seq, newest
// first, how many rows it read, and the last row read (the resume point).
type walked struct {
	hits   []int64
	read   int
	lastAt int64
	lastID string
}

// walkSearch reads at most budget calls passing where, newest first, and
// keeps those the full-text query match matches, stopping at limit of them.
// It reads in chunks: for each chunk it asks the full-text index only for
// the matches whose rowid lies between the chunk's lowest and highest seq
// (FTS5 reads a rowid range without touching the rest of the index) and
// keeps the chunk's rows among them. That is exact whatever the seq order;
// it is cheap when seq roughly follows requested_at, as it does when calls
// are recorded as they happen.
func walkSearch(ctx context.Context, tx *sql.Tx, where []string, args []any, match string, limit, budget int) (walked, error) {
	var w walked
	chunk := min(max(limit*4, 64), budget)
	type row struct {
		seq int64
		at  int64
		id  string
	}
	rowsBuf := make([]row, 0, chunk)
	for w.read < budget && len(w.hits) < limit {
		n := min(chunk, budget-w.read)
		cond := where
		cargs := args
		if w.read > 0 {
			cond = append(cond[:len(cond):len(cond)], "(requested_at < ? OR (requested_at = ? AND id < ?))")
			cargs = append(cargs[:len(cargs):len(cargs)], w.lastAt, w.lastAt, w.lastID)
		}
		var b strings.Builder
		b.WriteString("SELECT seq, requested_at, id FROM calls")
		if len(cond) > 0 {
			b.WriteString(" WHERE " + strings.Join(cond, " AND "))
		}
		b.WriteString(" ORDER BY requested_at DESC, id DESC LIMIT ?")
		rs, err := tx.QueryContext(ctx, b.String(), append(cargs[:len(cargs):len(cargs)], n)...)
		if err != nil {
			return w, fmt.Errorf("store: calls: walk: %w", err)
		}
		rowsBuf = rowsBuf[:0]
		lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.seq, &r.at, &r.id); err != nil {
				rs.Close()
				return w, fmt.Errorf("store: calls: walk: scan: %w", err)
			}
			rowsBuf = append(rowsBuf, r)
			lo, hi = min(lo, r.seq), max(hi, r.seq)
		}
		if err := rs.Err(); err != nil {
			rs.Close()
			return w, fmt.Errorf("store: calls: walk: %w", err)
		}
		rs.Close()
		if len(rowsBuf) == 0 {
			return w, nil
		}
		hits, err := matchesBetween(ctx, tx, match, lo, hi)
		if err != nil {
			return w, err
		}
		for _, r := range rowsBuf {
			w.read++
			w.lastAt, w.lastID = r.at, r.id
			if _, ok := hits[r.seq]; ok {
				w.hits = append(w.hits, r.seq)
				if len(w.hits) == limit {
					return w, nil
				}
			}
		}
		if len(rowsBuf) < n {
			return w, nil // every row passing the filters was read
		}
		chunk = min(chunk*2, 4096)
	}
	return w, nil
}

// matchesBetween is the set of rowids in [lo, hi] the full-text query
// matches.
func matchesBetween(ctx context.Context, tx *sql.Tx, match string, lo, hi int64) (map[int64]struct{}, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT rowid FROM calls_fts WHERE calls_fts MATCH ? AND rowid >= ? AND rowid <= ?", match, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: calls: walk: match: %w", err)
	}
	defer rows.Close()
	set := make(map[int64]struct{})
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: calls: walk: match: %w", err)
		}
		set[id] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: calls: walk: match: %w", err)
	}
	return set, nil
}

// callsBySeq reads the calls with these seqs, newest first.
func callsBySeq(ctx context.Context, tx *sql.Tx, seqs []int64) ([]Call, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	args := make([]any, len(seqs))
	for i, v := range seqs {
		args[i] = v
	}
	query := "SELECT " + callColumns + " FROM calls WHERE seq IN (?" + strings.Repeat(", ?", len(seqs)-1) +
		") ORDER BY requested_at DESC, id DESC"
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: calls: read page: %w", err)
	}
	defer rows.Close()
	out := make([]Call, 0, len(seqs))
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("store: calls: scan: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: calls: read page: %w", err)
	}
	return out, nil
}
