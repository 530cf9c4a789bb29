package clients

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MaxFileSize is the largest config file this package reads or writes.
const MaxFileSize = 10 << 20

// Errors callers branch on.
var (
	ErrTooLarge = errors.New("config file is larger than 10 MiB")
	ErrReadOnly = errors.New("config file is read-only")
	ErrNotOwner = errors.New("config file belongs to another user")
	// ErrConflict: the file kept changing under us; nothing was written.
	ErrConflict = errors.New("config file kept changing while it was being rewritten")
)

// ReadConfig reads a config file, following symlinks, refusing non-regular
// files and files larger than MaxFileSize. realPath is the file the bytes
// came from.
func ReadConfig(path string) (data []byte, realPath string, err error) {
	realPath, err = filepath.EvalSymlinks(path)
	if err != nil {
		return nil, path, fmt.Errorf("clients: resolve %s: %w", path, err)
	}
	f, err := os.Open(realPath)
	if err != nil {
		return nil, realPath, fmt.Errorf("clients: read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, realPath, fmt.Errorf("clients: stat %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, realPath, fmt.Errorf("clients: %s is not a regular file", path)
	}
	if st.Size() > MaxFileSize {
		return nil, realPath, fmt.Errorf("clients: %s: %w (%d bytes)", path, ErrTooLarge, st.Size())
	}
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, realPath, fmt.Errorf("clients: read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, realPath, fmt.Errorf("clients: %s: %w", path, ErrTooLarge)
	}
	return data, realPath, nil
}

// WriteOptions configures Update.
type WriteOptions struct {
	// BackupDir receives a copy of the original bytes before the first
	// change (files 0600, dirs 0700). Required.
	BackupDir string
	// ClientID groups backups per client.
	ClientID string
	// Attempts bounds the compare-and-swap retries; 0 means 5.
	Attempts int
	// ScrubBackup, when set, is applied to the original bytes before they
	// are backed up (it is called after edit, so edit can tell it what to
	// remove): a value moved to the keychain must not stay in a backup.
	ScrubBackup func([]byte) []byte
}

// WriteResult says what Update did.
type WriteResult struct {
	Path     string `json:"path"`
	RealPath string `json:"real_path"`
	// Symlink is true when Path is a link and its target was edited.
	Symlink  bool   `json:"symlink"`
	Changed  bool   `json:"changed"`
	Backup   string `json:"backup,omitempty"`
	Attempts int    `json:"attempts"`
}

// Update rewrites a config file safely: it resolves symlinks and edits the
// target, reads the current bytes, calls edit, and when the result differs
// backs the original up, writes a temp file in the same directory (fsync,
// same mode), checks that the file still holds the bytes edit saw, and
// renames the temp file over it. When the file changed meanwhile it starts
// again from the new bytes (edit is called again), at most Attempts times,
// then gives up with ErrConflict; it never overwrites bytes it did not read.
// The check and the rename are two steps: a writer that ignores locks can
// still slip between them, which this narrows but cannot close.
func Update(path string, opts WriteOptions, edit func(cur []byte) ([]byte, error)) (WriteResult, error) {
	res := WriteResult{Path: path}
	if opts.BackupDir == "" {
		return res, errors.New("clients: update: no backup dir")
	}
	attempts := opts.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	for res.Attempts < attempts {
		res.Attempts++
		cur, real, err := ReadConfig(path)
		res.RealPath, res.Symlink = real, real != path && err == nil
		if err != nil {
			return res, err
		}
		st, err := os.Stat(real)
		if err != nil {
			return res, fmt.Errorf("clients: stat %s: %w", real, err)
		}
		if err := checkWritable(real, st); err != nil {
			return res, err
		}
		next, err := edit(bytes.Clone(cur))
		if err != nil {
			return res, err
		}
		if bytes.Equal(next, cur) {
			return res, nil // no-op writes are forbidden: clients reload on every write
		}
		if len(next) > MaxFileSize {
			return res, fmt.Errorf("clients: update %s: %w", path, ErrTooLarge)
		}
		if res.Backup == "" {
			orig := cur
			if opts.ScrubBackup != nil {
				orig = opts.ScrubBackup(bytes.Clone(cur))
			}
			if res.Backup, err = backup(opts, real, orig); err != nil {
				return res, err
			}
		}
		swapped, err := replaceIfUnchanged(real, st.Mode().Perm(), cur, next)
		if err != nil {
			return res, err
		}
		if swapped {
			res.Changed = true
			return res, nil
		}
	}
	return res, fmt.Errorf("clients: update %s after %d attempts: %w", path, res.Attempts, ErrConflict)
}

// replaceIfUnchanged writes next to a temp file beside real and renames it
// over real if real still holds expect. It reports false when real changed.
func replaceIfUnchanged(real string, mode os.FileMode, expect, next []byte) (bool, error) {
	dir := filepath.Dir(real)
	tmp := filepath.Join(dir, "."+filepath.Base(real)+".cs-tmp-"+randHex(6))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, fmt.Errorf("clients: create temp file: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(next); err != nil {
		f.Close()
		return false, fmt.Errorf("clients: write temp file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return false, fmt.Errorf("clients: sync temp file: %w", err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return false, fmt.Errorf("clients: chmod temp file: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("clients: close temp file: %w", err)
	}
	now, _, err := ReadConfig(real)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(now, expect) {
		return false, nil
	}
	if err := os.Rename(tmp, real); err != nil {
		return false, fmt.Errorf("clients: replace %s: %w", real, err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not supported for directories on every OS
		d.Close()
	}
	return true, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// Backup is one saved copy of a config file.
type Backup struct {
	ClientID string    `json:"client_id"`
	Path     string    `json:"path"` // the file it is a copy of
	File     string    `json:"file"` // the backup file
	Time     time.Time `json:"time"`
	SHA256   string    `json:"sha256"`
	Size     int64     `json:"size"`
}

// backup stores data under BackupDir/<client>/<hash of path>/ unless an
// identical copy is already there; it returns the backup file.
func backup(opts WriteOptions, real string, data []byte) (string, error) {
	ph := sha256.Sum256([]byte(real))
	dir := filepath.Join(opts.BackupDir, safeName(opts.ClientID), hex.EncodeToString(ph[:8]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("clients: backup dir: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "path"), []byte(real), 0o600); err != nil {
		return "", fmt.Errorf("clients: backup index: %w", err)
	}
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	if old, _ := filepath.Glob(filepath.Join(dir, "*-"+h[:16]+".bak")); len(old) > 0 {
		return old[0], nil
	}
	name := filepath.Join(dir, time.Now().UTC().Format("20060102T150405.000000000Z")+"-"+h[:16]+".bak")
	if err := os.WriteFile(name, data, 0o600); err != nil {
		return "", fmt.Errorf("clients: write backup: %w", err)
	}
	return name, nil
}

// ScrubBackups rewrites the existing backups of the config file real (of
// one client) through scrub, so a value just moved into the keychain does not
// stay behind in an older copy. Each changed backup is replaced atomically
// and keeps its time.
func ScrubBackups(backupDir, clientID, real string, scrub func([]byte) []byte) error {
	ph := sha256.Sum256([]byte(real))
	dir := filepath.Join(backupDir, safeName(clientID), hex.EncodeToString(ph[:8]))
	files, err := filepath.Glob(filepath.Join(dir, "*.bak"))
	if err != nil {
		return fmt.Errorf("clients: list backups: %w", err)
	}
	var errs []error
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("clients: read backup: %w", err))
			continue
		}
		clean := scrub(bytes.Clone(data))
		if bytes.Equal(clean, data) {
			continue
		}
		ts, _, _ := strings.Cut(filepath.Base(f), "-")
		sum := sha256.Sum256(clean)
		name := filepath.Join(dir, ts+"-"+hex.EncodeToString(sum[:])[:16]+".bak")
		tmp := filepath.Join(dir, ".scrub-"+randHex(6))
		if err := os.WriteFile(tmp, clean, 0o600); err != nil {
			errs = append(errs, fmt.Errorf("clients: scrub backup: %w", err))
			continue
		}
		if err := os.Rename(tmp, name); err != nil {
			os.Remove(tmp)
			errs = append(errs, fmt.Errorf("clients: scrub backup: %w", err))
			continue
		}
		if name != f {
			if err := os.Remove(f); err != nil {
				errs = append(errs, fmt.Errorf("clients: remove scrubbed backup: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

func safeName(s string) string {
	if s == "" {
		return "unknown"
	}
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// ListBackups returns the backups of one client (all clients when
// clientID is empty), newest first.
func ListBackups(backupDir, clientID string) ([]Backup, error) {
	pat := filepath.Join(backupDir, "*", "*", "*.bak")
	if clientID != "" {
		pat = filepath.Join(backupDir, safeName(clientID), "*", "*.bak")
	}
	files, err := filepath.Glob(pat)
	if err != nil {
		return nil, fmt.Errorf("clients: list backups: %w", err)
	}
	var out []Backup
	for i := len(files) - 1; i >= 0; i-- { // names start with a UTC timestamp
		f := files[i]
		dir := filepath.Dir(f)
		orig, err := os.ReadFile(filepath.Join(dir, "path"))
		if err != nil {
			return nil, fmt.Errorf("clients: backup index %s: %w", dir, err)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("clients: read backup: %w", err)
		}
		sum := sha256.Sum256(data)
		base := filepath.Base(f)
		t, _ := time.Parse("20060102T150405.000000000Z", base[:len("20060102T150405.000000000Z")])
		out = append(out, Backup{ClientID: filepath.Base(filepath.Dir(dir)), Path: string(orig), File: f,
			Time: t, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))})
	}
	return out, nil
}

// RestoreBackup writes a backup back over its file through Update (so the
// current bytes are backed up first and the swap is checked).
func RestoreBackup(b Backup, opts WriteOptions) (WriteResult, error) {
	data, err := os.ReadFile(b.File)
	if err != nil {
		return WriteResult{}, fmt.Errorf("clients: read backup: %w", err)
	}
	return Update(b.Path, opts, func([]byte) ([]byte, error) { return data, nil })
}
