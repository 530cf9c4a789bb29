package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestOpenCreatesPrivateWALFile(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if err := s.SetSetting(ctx, "k", "v"); err != nil { // make SQLite create -wal and -shm
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("stat %s: %v", p, err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("%s mode = %o, want 600", filepath.Base(p), got)
			}
		}
	}

	var mode, sync string
	var fk, busy int
	row := s.wdb.QueryRowContext(ctx, "SELECT (SELECT journal_mode FROM pragma_journal_mode), (SELECT synchronous FROM pragma_synchronous), (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT timeout FROM pragma_busy_timeout)")
	if err := row.Scan(&mode, &sync, &fk, &busy); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != "1" || fk != 1 || busy != busyTimeoutMS {
		t.Errorf("writer pragmas: journal_mode=%s synchronous=%s foreign_keys=%d busy_timeout=%d; want wal 1(NORMAL) 1 %d", mode, sync, fk, busy, busyTimeoutMS)
	}
}

func TestOpenTightensExistingFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permission bits do not apply on windows")
	}
	path := filepath.Join(t.TempDir(), "loose.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %o, want 600", got)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path string }{
		{"missing parent", filepath.Join(dir, "nope", "c.db")},
		{"parent is a file", filepath.Join(file, "c.db")},
		{"not a database", garbage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want error", tc.path)
			}
		})
	}
}

func TestReadersAreReadOnly(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var qo int
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
		t.Fatal(err)
	}
	if qo != 1 {
		t.Errorf("reader query_only = %d, want 1", qo)
	}
	if _, err := s.rdb.ExecContext(ctx, "INSERT INTO settings(key, value) VALUES ('x', 'y')"); err == nil {
		t.Fatal("write through the reader pool succeeded")
	}
	// Even with query_only turned off, mode=ro keeps the connection read-only.
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only=0"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO settings(key, value) VALUES ('x', 'y')"); err == nil {
		t.Fatal("write through a read-only connection succeeded")
	}
	conn.Raw(func(any) error { return driver.ErrBadConn }) // do not return the altered connection to the pool
}

func TestClosedStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	ctx := context.Background()
	for name, err := range map[string]error{
		"Record":     s.Record(ctx, Call{ID: "a"}),
		"PutRule":    s.PutRule(ctx, "r", []byte(`{}`)),
		"SetSetting": s.SetSetting(ctx, "k", "v"),
	} {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
	if _, _, err := s.Setting(ctx, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Setting after Close = %v, want ErrClosed", err)
	}
	if _, err := s.Calls(ctx, CallQuery{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Calls after Close = %v, want ErrClosed", err)
	}
}
