package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrClosed is returned by every method called after [Store.Close].
var ErrClosed = errors.New("store: closed")

// busyTimeoutMS is how long a connection waits for a lock held by another
// connection (another process opening the same file, a checkpoint) before
// failing with SQLITE_BUSY.
const busyTimeoutMS = 5000

// readers is the size of the read-only connection pool.
const readers = 4

// Store is an open Countersign database. Its methods are safe for concurrent
// use. Writes go through one goroutine that owns the only writing
// connection; reads use a separate pool of read-only connections.
type Store struct {
	path string
	wdb  *sql.DB // exactly one connection, used only by the writer goroutine after Open
	rdb  *sql.DB // read-only, query_only pool

	redactor atomic.Pointer[Redact] // see SetRedactor

	// Writer-goroutine state for the transaction in progress (see stage.go).
	stageStmt  *sql.Stmt
	stagedNoAt bool

	mu     sync.RWMutex // guards closed and sends on queue
	closed bool
	queue  chan *op

	writerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

// Open opens (creating it 0600 when missing) the database at path and
// migrates it to the latest schema. The parent directory must exist. A
// database written by a newer Countersign (a schema version this build does
// not know) is refused rather than guessed at.
func Open(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: resolve %q: %w", path, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, err
	}

	wdb, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("store: open writer: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)

	ctx := context.Background()
	if err := retryBusy(func() error {
		if err := checkWriterPragmas(ctx, wdb); err != nil {
			return err
		}
		return migrate(ctx, wdb, len(migrations))
	}); err != nil {
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	if err := rdb.PingContext(ctx); err != nil {
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}

	s := &Store{
		path:       abs,
		wdb:        wdb,
		rdb:        rdb,
		queue:      make(chan *op, queueLen),
		writerDone: make(chan struct{}),
	}
	go s.writer()
	return s, nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close stops accepting work, lets the writer commit everything already
// queued, waits for it to exit and closes every connection. Calls after the
// first return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.queue) // no sender can be mid-send: senders hold mu.RLock
		s.mu.Unlock()
		<-s.writerDone

		var errs []error
		if err := s.rdb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close readers: %w", err))
		}
		if err := s.wdb.Close(); err != nil {
			errs = append(errs, fmt.Errorf("store: close writer: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// readable reports ErrClosed once Close has begun.
func (s *Store) readable() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// createPrivate makes sure the database file exists and is readable by its
// owner only. SQLite gives the -wal and -shm files the mode of the database
// file, so they are private too.
func createPrivate(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("store: parent directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("store: parent %q is not a directory", dir)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store: create %q: %w", path, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		// An existing file with wider permissions: tighten it.
		err = f.Chmod(0o600)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: make %q private: %w", path, err)
	}
	return nil
}

// dsn builds the modernc.org/sqlite data source name. The path goes in a
// file: URI, percent-encoded, so no character in it can be read as a
// parameter.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Set("mode", "ro")
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "temp_store(MEMORY)") // the call staging table
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows: file:///C:/dir/file
	}
	return u.String()
}

// checkWriterPragmas fails closed if SQLite silently refused a setting the
// store relies on (journal_mode=WAL is refused on some file systems).
func checkWriterPragmas(ctx context.Context, db *sql.DB) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: read journal_mode: %w", err)
	}
	if mode != "wal" {
		return fmt.Errorf("store: journal_mode is %q, want wal", mode)
	}
	var fk int
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("store: read foreign_keys: %w", err)
	}
	if fk != 1 {
		return fmt.Errorf("store: foreign_keys is off")
	}
	return nil
}

// retryBusy repeats fn while SQLite reports the database busy. Switching a
// file to WAL and migrating it take locks that SQLite refuses at once,
// without waiting for busy_timeout, when another process opens the same
// file at that moment (only tests do: one core owns the file).
func retryBusy(fn func() error) error {
	var err error
	for wait := 5 * time.Millisecond; ; wait *= 2 {
		err = fn()
		var coded interface{ Code() int }
		if err == nil || !errors.As(err, &coded) || coded.Code()&0xff != sqliteBusy || wait > 2*time.Second {
			return err
		}
		time.Sleep(wait)
	}
}

// sqliteBusy is SQLITE_BUSY, the primary code of "database is locked".
const sqliteBusy = 5
