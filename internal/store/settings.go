package store

import (
	"context"
	"database/sql"
	"fmt"
)

const (
	maxSettingKey   = 256
	maxSettingValue = 64 << 10
)

// Setting returns the value stored under key, and false when there is none.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	if err := s.readable(); err != nil {
		return "", false, err
	}
	var v string
	err := s.rdb.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: setting %q: %w", key, err)
	}
	return v, true, nil
}

// SetSetting stores value under key, replacing any previous value, and
// returns once committed.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" || len(key) > maxSettingKey {
		return fmt.Errorf("store: set setting: key must be 1 to %d bytes", maxSettingKey)
	}
	if len(value) > maxSettingValue {
		return fmt.Errorf("store: set setting %q: value larger than %d bytes", key, maxSettingValue)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO settings(key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		if err != nil {
			return fmt.Errorf("store: set setting %q: %w", key, err)
		}
		return nil
	})
}
