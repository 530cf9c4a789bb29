package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// maxPinDoc bounds one pin document: a tool definition with a large schema,
// kept twice (current and trusted).
const maxPinDoc = 4 << 20

// PinDoc is one stored pin: an opaque JSON document owned by the toolguard
// package, keyed by server identity, item kind and item name.
type PinDoc struct {
	Server    string
	Kind      string
	Name      string
	Doc       []byte
	UpdatedAt time.Time
}

// Pins returns the pins of one server identity and kind, sorted by name.
func (s *Store) Pins(ctx context.Context, server, kind string) ([]PinDoc, error) {
	return s.pins(ctx, "SELECT server, kind, name, doc, updated_at FROM pins WHERE server = ? AND kind = ? ORDER BY name", server, kind)
}

// AllPins returns every pin, sorted by server, kind and name.
func (s *Store) AllPins(ctx context.Context) ([]PinDoc, error) {
	return s.pins(ctx, "SELECT server, kind, name, doc, updated_at FROM pins ORDER BY server, kind, name")
}

func (s *Store) pins(ctx context.Context, query string, args ...any) ([]PinDoc, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: pins: %w", err)
	}
	defer rows.Close()
	var out []PinDoc
	for rows.Next() {
		var (
			p  PinDoc
			at int64
		)
		if err := rows.Scan(&p.Server, &p.Kind, &p.Name, &p.Doc, &at); err != nil {
			return nil, fmt.Errorf("store: pins: scan: %w", err)
		}
		p.UpdatedAt = time.Unix(0, at).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pins: %w", err)
	}
	return out, nil
}

// ReplacePins makes docs (item name → JSON document) the whole set of pins
// of one server identity and kind, in one transaction: names absent from
// docs are deleted. Every document must be valid JSON; nothing is written
// when one is not. It returns once committed.
func (s *Store) ReplacePins(ctx context.Context, server, kind string, docs map[string][]byte) error {
	if server == "" || kind == "" {
		return fmt.Errorf("store: replace pins: server and kind are required")
	}
	texts := make(map[string]string, len(docs))
	for name, doc := range docs {
		if len(doc) > maxPinDoc {
			return fmt.Errorf("store: replace pins of %q: %s %q larger than %d bytes", server, kind, name, maxPinDoc)
		}
		if !json.Valid(doc) {
			return fmt.Errorf("store: replace pins of %q: %s %q is not valid JSON", server, kind, name)
		}
		texts[name] = string(doc) // a copy: the caller may reuse its buffers
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("DELETE FROM pins WHERE server = ? AND kind = ?", server, kind); err != nil {
			return fmt.Errorf("store: replace pins of %q: %w", server, err)
		}
		st, err := tx.Prepare("INSERT INTO pins(server, kind, name, doc, updated_at) VALUES (?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("store: replace pins of %q: %w", server, err)
		}
		defer st.Close()
		now := time.Now().UnixNano()
		for name, text := range texts {
			if _, err := st.Exec(server, kind, name, text, now); err != nil {
				return fmt.Errorf("store: replace pins of %q: %w", server, err)
			}
		}
		return nil
	})
}
