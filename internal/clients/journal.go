package clients

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Paths of the state kept for rewrites, relative to Countersign's state
// directory. Every user of Wrap/Unwrap (CLI, desktop app) uses the same ones.

// JournalPath is the journal file of Wrap records under state dir dir.
func JournalPath(dir string) string { return filepath.Join(dir, "clients", "journal.json") }

// BackupDir is where Update keeps backups under state dir dir.
func BackupDir(dir string) string { return filepath.Join(dir, "clients", "backups") }

// JournalEntry is one kept Record: which client and file it belongs to.
type JournalEntry struct {
	ClientID string    `json:"client_id"`
	Path     string    `json:"path"` // the real (symlink-resolved) config file
	Time     time.Time `json:"time"`
	Record   Record    `json:"record"`
}

// Journal holds the Records of wraps so that Unwrap can restore entries
// byte for byte. It is a user-only (0600) JSON file, replaced atomically.
// Two processes editing it at once can lose one's update (last save wins);
// Unwrap without a record still rebuilds the entry from its argv.
type Journal struct {
	path    string
	Entries []JournalEntry `json:"entries"`
}

// OpenJournal reads the journal at path; a missing file is an empty journal.
func OpenJournal(path string) (*Journal, error) {
	j := &Journal{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("clients: read journal: %w", err)
	}
	if err := json.Unmarshal(b, j); err != nil {
		return nil, fmt.Errorf("clients: journal %s is damaged (move it away to continue without exact restores): %w", path, err)
	}
	return j, nil
}

// Records returns the records kept for one file of one client.
func (j *Journal) Records(clientID, path string) []Record {
	var out []Record
	for _, e := range j.Entries {
		if e.ClientID == clientID && e.Path == path {
			out = append(out, e.Record)
		}
	}
	return out
}

// Put keeps rec for (clientID, path), replacing a record of the same entry.
func (j *Journal) Put(clientID, path string, rec Record, now time.Time) {
	j.Drop(clientID, path, rec.Locator)
	j.Entries = append(j.Entries, JournalEntry{ClientID: clientID, Path: path, Time: now.UTC(), Record: rec})
}

// Drop forgets the record of one entry (by locator).
func (j *Journal) Drop(clientID, path, locator string) {
	kept := j.Entries[:0]
	for _, e := range j.Entries {
		if !(e.ClientID == clientID && e.Path == path && e.Record.Locator == locator) {
			kept = append(kept, e)
		}
	}
	j.Entries = kept
}

// Save writes the journal (0600, directory 0700) through a temp file and a
// rename, so a crash never leaves half a journal.
func (j *Journal) Save() error {
	sort.SliceStable(j.Entries, func(a, b int) bool {
		x, y := j.Entries[a], j.Entries[b]
		if x.ClientID != y.ClientID {
			return x.ClientID < y.ClientID
		}
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		return x.Record.Locator < y.Record.Locator
	})
	if j.Entries == nil {
		j.Entries = []JournalEntry{}
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("clients: encode journal: %w", err)
	}
	dir := filepath.Dir(j.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("clients: journal dir: %w", err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(j.path)+".tmp-"+randHex(6))
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("clients: write journal: %w", err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("clients: replace journal: %w", err)
	}
	return nil
}
