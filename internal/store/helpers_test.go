package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// openTemp opens a store on a fresh file under t.TempDir and closes it when
// the test ends.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "countersign.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// reopen closes s and opens the same file again.
func reopen(t testing.TB, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2, err := Open(s.Path())
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { s2.Close() })
	return s2
}

func mustRecord(t testing.TB, s *Store, calls ...Call) {
	t.Helper()
	if err := s.Record(context.Background(), calls...); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

type sqlTx = sql.Tx
