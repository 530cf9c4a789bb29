package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// maxRuleDoc bounds one rule document.
const maxRuleDoc = 256 << 10

// RuleDoc is one stored rule: an opaque JSON document owned by the policy
// package.
type RuleDoc struct {
	ID        string
	Doc       []byte
	CreatedAt time.Time
}

// PutRule inserts the rule, or replaces the document of an existing one
// while keeping its creation time (and so its place in [Store.Rules]). doc
// must be valid JSON. It returns once committed.
func (s *Store) PutRule(ctx context.Context, id string, doc []byte) error {
	if id == "" || len(id) > maxID {
		return fmt.Errorf("store: put rule: id must be 1 to %d bytes", maxID)
	}
	if len(doc) > maxRuleDoc {
		return fmt.Errorf("store: put rule %q: document larger than %d bytes", id, maxRuleDoc)
	}
	if !json.Valid(doc) {
		return fmt.Errorf("store: put rule %q: document is not valid JSON", id)
	}
	text := string(doc) // a copy: the caller may reuse its buffer
	return s.write(ctx, func(tx *sql.Tx) error {
		now := time.Now().UnixNano()
		_, err := tx.Exec(`INSERT INTO rules(id, doc, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
			id, text, now, now)
		if err != nil {
			return fmt.Errorf("store: put rule %q: %w", id, err)
		}
		return nil
	})
}

// DeleteRule removes the rule, reporting false when there was none.
func (s *Store) DeleteRule(ctx context.Context, id string) (bool, error) {
	var found bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM rules WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("store: delete rule %q: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: delete rule %q: %w", id, err)
		}
		found = n > 0
		return nil
	})
	return found, err
}

// Rules returns every rule in creation order (oldest first).
func (s *Store) Rules(ctx context.Context) ([]RuleDoc, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, "SELECT id, doc, created_at FROM rules ORDER BY created_at, rowid")
	if err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	defer rows.Close()
	var out []RuleDoc
	for rows.Next() {
		var (
			r  RuleDoc
			at int64
		)
		if err := rows.Scan(&r.ID, &r.Doc, &at); err != nil {
			return nil, fmt.Errorf("store: rules: scan: %w", err)
		}
		r.CreatedAt = time.Unix(0, at).UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	return out, nil
}
