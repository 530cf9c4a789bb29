package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// pruneChunk bounds how many rows one prune transaction deletes, so a
// prune of a large history never holds the writer (and every call waiting
// to be recorded) for long.
const pruneChunk = 2000

// Pruned counts what Prune removed.
type Pruned struct {
	Calls  int64
	Events int64
}

// Prune removes the calls requested, and the events that happened, before
// before. It deletes in chunks of a few thousand rows, each committed on its
// own, so it can be interrupted (ctx) and leaves what it already removed
// removed; the counts returned are what was committed. The file does not
// shrink: SQLite reuses the freed pages for new calls.
func (s *Store) Prune(ctx context.Context, before time.Time) (Pruned, error) {
	var p Pruned
	n, err := nanos(before)
	if err != nil {
		return p, fmt.Errorf("store: prune: %w", err)
	}
	if n == nil {
		return p, fmt.Errorf("store: prune: no time given")
	}
	for _, t := range []struct {
		query string
		count *int64
	}{
		{"DELETE FROM calls WHERE seq IN (SELECT seq FROM calls WHERE requested_at < ? LIMIT ?)", &p.Calls},
		{"DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < ? LIMIT ?)", &p.Events},
	} {
		for {
			var got int64
			err := s.write(ctx, func(tx *sql.Tx) error {
				res, err := tx.Exec(t.query, n, pruneChunk)
				if err != nil {
					return fmt.Errorf("store: prune: %w", err)
				}
				got, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return p, err
			}
			*t.count += got
			if got < pruneChunk {
				break
			}
		}
	}
	return p, nil
}
