package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Bounds on secret metadata. Names are validated by the vault before they
// get here; the store only bounds sizes.
const (
	maxSecretName = 128
	// MaxSecretNote is the longest note kept about a secret.
	MaxSecretNote = 4096
	maxUseField   = 256
)

// Secret is the metadata kept about one keychain secret. The value never
// reaches the store.
type Secret struct {
	Name      string
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SecretUse says that a server was launched with a secret in its
// environment: how often, first and last time, and the pid of the last shim.
type SecretUse struct {
	Secret      string
	Server      string
	Client      string
	FirstUsedAt time.Time
	LastUsedAt  time.Time
	Uses        int64
	LastPID     int
}

func checkSecretName(name string) error {
	if name == "" || len(name) > maxSecretName {
		return fmt.Errorf("store: secret name must be 1 to %d bytes", maxSecretName)
	}
	return nil
}

// PutSecret creates the metadata of name, or marks an existing one updated
// (its value was replaced). note == nil keeps the note an existing secret
// has. It returns the row as committed and whether it was created.
func (s *Store) PutSecret(ctx context.Context, name string, note *string) (Secret, bool, error) {
	if err := checkSecretName(name); err != nil {
		return Secret{}, false, err
	}
	if note != nil && len(*note) > MaxSecretNote {
		return Secret{}, false, fmt.Errorf("store: put secret %q: note longer than %d bytes", name, MaxSecretNote)
	}
	var (
		out     Secret
		created bool
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := time.Now().UnixNano()
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM secrets WHERE name = ?", name).Scan(&n); err != nil {
			return fmt.Errorf("store: put secret %q: %w", name, err)
		}
		created = n == 0
		var err error
		switch {
		case created:
			text := ""
			if note != nil {
				text = *note
			}
			_, err = tx.Exec("INSERT INTO secrets(name, note, created_at, updated_at) VALUES (?, ?, ?, ?)", name, text, now, now)
		case note != nil:
			_, err = tx.Exec("UPDATE secrets SET note = ?, updated_at = ? WHERE name = ?", *note, now, name)
		default:
			_, err = tx.Exec("UPDATE secrets SET updated_at = ? WHERE name = ?", now, name)
		}
		if err != nil {
			return fmt.Errorf("store: put secret %q: %w", name, err)
		}
		var c, u int64
		if err := tx.QueryRow("SELECT name, note, created_at, updated_at FROM secrets WHERE name = ?", name).
			Scan(&out.Name, &out.Note, &c, &u); err != nil {
			return fmt.Errorf("store: put secret %q: read back: %w", name, err)
		}
		out.CreatedAt, out.UpdatedAt = time.Unix(0, c).UTC(), time.Unix(0, u).UTC()
		return nil
	})
	if err != nil {
		return Secret{}, false, err
	}
	return out, created, nil
}

// DeleteSecret removes the metadata of name and the uses recorded for it,
// reporting false when there was no metadata.
func (s *Store) DeleteSecret(ctx context.Context, name string) (bool, error) {
	var found bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM secrets WHERE name = ?", name)
		if err != nil {
			return fmt.Errorf("store: delete secret %q: %w", name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: delete secret %q: %w", name, err)
		}
		found = n > 0
		if _, err := tx.Exec("DELETE FROM secret_uses WHERE secret = ?", name); err != nil {
			return fmt.Errorf("store: delete uses of secret %q: %w", name, err)
		}
		return nil
	})
	return found, err
}

// Secrets returns the metadata of every secret, by name.
func (s *Store) Secrets(ctx context.Context) ([]Secret, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, "SELECT name, note, created_at, updated_at FROM secrets ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: secrets: %w", err)
	}
	defer rows.Close()
	var out []Secret
	for rows.Next() {
		var (
			sec  Secret
			c, u int64
		)
		if err := rows.Scan(&sec.Name, &sec.Note, &c, &u); err != nil {
			return nil, fmt.Errorf("store: secrets: scan: %w", err)
		}
		sec.CreatedAt, sec.UpdatedAt = time.Unix(0, c).UTC(), time.Unix(0, u).UTC()
		out = append(out, sec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: secrets: %w", err)
	}
	return out, nil
}

// RecordSecretUses counts one launch of server with each of the named
// secrets, at time at, by the shim with process id pid. It returns once
// committed. Uses of names without metadata are kept too: a secret stored
// outside Countersign can still be used.
func (s *Store) RecordSecretUses(ctx context.Context, server, client string, pid int, at time.Time, names ...string) error {
	if server == "" || len(server) > maxUseField || len(client) > maxUseField {
		return fmt.Errorf("store: record secret use: server must be 1 to %d bytes, client at most %d", maxUseField, maxUseField)
	}
	for _, n := range names {
		if err := checkSecretName(n); err != nil {
			return err
		}
	}
	names = append([]string(nil), names...)
	return s.write(ctx, func(tx *sql.Tx) error {
		ns := at.UnixNano()
		for _, n := range names {
			_, err := tx.Exec(`INSERT INTO secret_uses(secret, server, client, first_used_at, last_used_at, uses, last_pid)
				VALUES (?, ?, ?, ?, ?, 1, ?)
				ON CONFLICT(secret, server, client) DO UPDATE SET
					last_used_at = MAX(last_used_at, excluded.last_used_at),
					uses = uses + 1, last_pid = excluded.last_pid`,
				n, server, client, ns, ns, pid)
			if err != nil {
				return fmt.Errorf("store: record use of secret %q: %w", n, err)
			}
		}
		return nil
	})
}

// SecretUses returns every recorded use, by secret, then most recent first.
func (s *Store) SecretUses(ctx context.Context) ([]SecretUse, error) {
	if err := s.readable(); err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT secret, server, client, first_used_at, last_used_at, uses, last_pid
		FROM secret_uses ORDER BY secret, last_used_at DESC, server, client`)
	if err != nil {
		return nil, fmt.Errorf("store: secret uses: %w", err)
	}
	defer rows.Close()
	var out []SecretUse
	for rows.Next() {
		var (
			u           SecretUse
			first, last int64
		)
		if err := rows.Scan(&u.Secret, &u.Server, &u.Client, &first, &last, &u.Uses, &u.LastPID); err != nil {
			return nil, fmt.Errorf("store: secret uses: scan: %w", err)
		}
		u.FirstUsedAt, u.LastUsedAt = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: secret uses: %w", err)
	}
	return out, nil
}
