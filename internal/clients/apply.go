package clients

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/countersign/countersign/internal/vault"
)

// ApplyRequest says which entries of which client configs to wrap or unwrap.
type ApplyRequest struct {
	Unwrap bool
	// DryRun computes the change and its redacted diff and writes nothing.
	DryRun bool
	// Client is a client table id; "" selects every client found.
	Client string
	// Path limits the change to one config file of the client (its path or,
	// for a link, its target); "" selects every file.
	Path string
	// Names are server names or locators; empty selects every server.
	Names []string
	// ShimPath is the absolute path of the GUI-free countersign (wrap only).
	ShimPath string
	// Home is the countersign state directory: the journal and backups live
	// under it.
	Home string
	// MigrateSecrets moves plaintext secret values of the wrapped entries'
	// env into Keychain and leaves shim references in their place.
	MigrateSecrets bool
	Keychain       vault.Keychain
	// Wrote, when set, is told about every file written (with its new
	// bytes), so a watcher can recognise its own writes.
	Wrote func(path string, data []byte)
}

// ApplyResult is what Apply did (or, for a dry run, would do), file by file.
type ApplyResult struct {
	DryRun   bool         `json:"dry_run"`
	Files    []FileChange `json:"files"`
	NotFound []NotFound   `json:"not_found"`
}

// Failed reports whether any file failed or any requested name was missing.
func (r ApplyResult) Failed() bool {
	if len(r.NotFound) > 0 {
		return true
	}
	for _, f := range r.Files {
		if f.Error != "" {
			return true
		}
	}
	return false
}

// FileChange is the outcome for one config file.
type FileChange struct {
	Client   string `json:"client"`
	Path     string `json:"path"`
	RealPath string `json:"real_path,omitempty"`
	Symlink  bool   `json:"symlink"`
	Changed  bool   `json:"changed"` // the file was (or, with dry_run, would be) rewritten
	Backup   string `json:"backup,omitempty"`
	// Diff is a unified diff of the change, secrets redacted (dry run only).
	Diff    string         `json:"diff,omitempty"`
	Error   string         `json:"error,omitempty"`
	Servers []ServerChange `json:"servers"`
}

// ServerChange is the outcome for one entry.
type ServerChange struct {
	Server    string `json:"server"`
	Locator   string `json:"locator,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Action    string `json:"action"` // wrapped | unwrapped | unchanged | skipped
	Transport string `json:"transport,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Status    string `json:"status"` // the sentence a person reads
	// FromRecord: unwrap restored the entry byte for byte from the journal.
	FromRecord bool `json:"from_record,omitempty"`
	// Migrated names the env keys whose values moved to the keychain.
	Migrated []MigratedKey `json:"migrated,omitempty"`
}

// MigratedKey is one env value moved into the keychain: the key in the
// config and the keychain secret that now holds the value.
type MigratedKey struct {
	Key    string `json:"key"`
	Secret string `json:"secret"`
}

// NotFound is a requested server no selected config has.
type NotFound struct {
	Client string `json:"client"`
	Server string `json:"server"`
}

// ErrNoConfig is returned when the requested client has no config file.
var ErrNoConfig = errors.New("no config file found")

// Apply wraps or unwraps the selected entries of every selected config
// file: each file is backed up and rewritten atomically, and the journal
// under req.Home keeps what unwrap needs to restore entries byte for byte.
// A file that fails is reported in its FileChange and the others go on.
func Apply(ctx context.Context, env Env, req ApplyRequest) (ApplyResult, error) {
	if !req.Unwrap && req.ShimPath == "" {
		return ApplyResult{}, errors.New("wrap needs the path of the countersign binary")
	}
	if req.MigrateSecrets && (req.Unwrap || req.Keychain == nil) {
		return ApplyResult{}, errors.New("migrating secrets needs wrap and a keychain")
	}
	journal, err := OpenJournal(JournalPath(req.Home))
	if err != nil {
		return ApplyResult{}, err
	}
	var selected []Client
	for _, c := range Discover(env) {
		if req.Client == "" || c.ID == req.Client {
			selected = append(selected, c)
		}
	}
	if req.Client != "" && len(selected) == 0 {
		return ApplyResult{}, fmt.Errorf("%w for %s on this machine (or in the current directory)", ErrNoConfig, req.Client)
	}
	out := ApplyResult{DryRun: req.DryRun, Files: []FileChange{}, NotFound: []NotFound{}}
	found := map[string]bool{}
	for _, c := range selected {
		for _, cfg := range c.Configs {
			if req.Path != "" && cfg.Path != req.Path && cfg.RealPath != req.Path {
				continue
			}
			names := namesIn(cfg, req.Names, found)
			if len(req.Names) > 0 && len(names) == 0 {
				continue
			}
			if cfg.Error == "" && len(cfg.Servers) == 0 {
				continue
			}
			out.Files = append(out.Files, applyFile(ctx, req, c.ID, cfg, names, journal))
		}
	}
	for _, n := range req.Names {
		if !found[n] {
			out.NotFound = append(out.NotFound, NotFound{Client: req.Client, Server: n})
		}
	}
	return out, nil
}

// namesIn returns the requested names (or locators) present in cfg and
// marks them found; nil when every server is requested.
func namesIn(cfg Config, want []string, found map[string]bool) []string {
	var out []string
	for _, n := range want {
		for _, s := range cfg.Servers {
			if s.Name == n || s.Locator == n {
				out = append(out, n)
				found[n] = true
				break
			}
		}
	}
	return out
}

// applyFile wraps or unwraps the entries of one config file.
func applyFile(ctx context.Context, req ApplyRequest, clientID string, cfg Config, names []string, journal *Journal) FileChange {
	fc := FileChange{Client: clientID, Path: cfg.Path, RealPath: cfg.RealPath, Symlink: cfg.RealPath != "", Servers: []ServerChange{}}
	if cfg.Error != "" {
		fc.Error = "cannot read this file, nothing changed: " + cfg.Error
		return fc
	}
	if cfg.ReadOnly {
		const why = "read-only file managed by an administrator"
		for _, s := range cfg.Servers {
			if len(names) == 0 || slices.Contains(names, s.Name) || slices.Contains(names, s.Locator) {
				fc.Servers = append(fc.Servers, ServerChange{Server: s.Name, Locator: s.Locator, Scope: s.Scope,
					Action: string(ActionSkipped), Transport: string(s.Transport), Reason: why, Status: "not changed: " + why})
			}
		}
		return fc
	}
	real := cfg.Path
	if cfg.RealPath != "" {
		real = cfg.RealPath
	}
	records := journal.Records(clientID, real)
	wopts := WrapOptions{ShimPath: req.ShimPath, ClientID: clientID}
	var mig *keychainMigration
	if req.MigrateSecrets {
		mig = newKeychainMigration(req.Keychain, req.DryRun)
		wopts.Migrate = mig.migrate(ctx)
	}
	edit := func(cur []byte) ([]byte, []Change, error) {
		if req.Unwrap {
			return Unwrap(cur, cfg.Adapter, names, UnwrapOptions{Records: records})
		}
		return Wrap(cur, cfg.Adapter, names, wopts)
	}
	var changes []Change
	var written []byte
	if req.DryRun {
		cur, _, err := ReadConfig(cfg.Path)
		if err != nil {
			fc.Error = err.Error()
			return fc
		}
		next, ch, err := edit(cur)
		if err != nil {
			fc.Error = err.Error()
			return fc
		}
		changes = ch
		if d := diff.Diff(cfg.Path+" (now)", cur, cfg.Path+" (after "+verb(req)+")", next); len(d) > 0 {
			fc.Changed, fc.Diff = true, RedactText(string(d))
		}
	} else {
		wo := WriteOptions{BackupDir: BackupDir(req.Home), ClientID: clientID}
		if mig != nil {
			wo.ScrubBackup = func(b []byte) []byte { return scrubber(swapsOf(changes))(b) }
		}
		res, err := Update(cfg.Path, wo,
			func(cur []byte) ([]byte, error) {
				next, ch, err := edit(cur)
				changes, written = ch, next // Update may call edit again: keep the last call's
				return next, err
			})
		fc.RealPath, fc.Symlink, fc.Changed, fc.Backup = nonSame(res.RealPath, cfg.Path), res.Symlink, res.Changed, res.Backup
		if mig != nil {
			if rerr := mig.settle(ctx, err == nil && res.Changed, changes); rerr != nil {
				err = errors.Join(err, rerr)
			}
			if sw := swapsOf(changes); err == nil && len(sw) > 0 {
				if serr := ScrubBackups(BackupDir(req.Home), clientID, res.RealPath, scrubber(sw)); serr != nil {
					err = fmt.Errorf("the file was changed but an older backup still holds a moved value: %w", serr)
				}
			}
		}
		if err != nil {
			fc.Error = err.Error()
			if errors.Is(err, ErrReadOnly) || errors.Is(err, ErrNotOwner) {
				fc.Error += " (the file was not changed)"
			}
			return fc
		}
		if res.Changed {
			if req.Wrote != nil {
				req.Wrote(res.RealPath, written)
			}
			if err := keepRecords(journal, req.Unwrap, clientID, real, changes); err != nil {
				fc.Error = "the file was changed but the journal could not be saved, so unwrap will rebuild entries from their command line: " + err.Error()
			}
		}
	}
	for _, ch := range changes {
		if ch.Action == ActionNotFound {
			continue
		}
		fc.Servers = append(fc.Servers, ServerChange{Server: ch.Server, Locator: ch.Locator, Scope: ch.Scope,
			Action: string(ch.Action), Transport: string(ch.Transport), Reason: ch.Reason,
			Status: changeStatus(req, ch), FromRecord: ch.FromRecord, Migrated: ch.Migrated})
	}
	return fc
}

func nonSame(real, path string) string {
	if real == path {
		return ""
	}
	return real
}

// keepRecords updates the journal after a successful write.
func keepRecords(j *Journal, unwrap bool, clientID, real string, changes []Change) error {
	now := time.Now()
	for _, ch := range changes {
		switch {
		case !unwrap && ch.Action == ActionWrapped && ch.Record != nil:
			j.Put(clientID, real, *ch.Record, now)
		case unwrap && ch.Action == ActionUnwrapped:
			j.Drop(clientID, real, ch.Locator)
		}
	}
	return j.Save()
}

func verb(req ApplyRequest) string {
	if req.Unwrap {
		return "unwrap"
	}
	return "wrap"
}

// changeStatus is the sentence shown for one entry.
func changeStatus(req ApplyRequest, ch Change) string {
	would := ""
	if req.DryRun {
		would = "would be "
	}
	switch ch.Action {
	case ActionWrapped:
		if len(ch.Migrated) > 0 {
			var moved []string
			for _, m := range ch.Migrated {
				moved = append(moved, m.Key+" → "+SecretRef(m.Secret))
			}
			return would + "wrapped; moved to the keychain: " + strings.Join(moved, ", ")
		}
		return would + "wrapped"
	case ActionUnwrapped:
		if ch.FromRecord {
			return would + "unwrapped (exact original restored)"
		}
		return would + "unwrapped (rebuilt from the command after --)"
	case ActionUnchanged:
		if req.Unwrap {
			return "not wrapped"
		}
		return "already wrapped"
	}
	if ch.Transport == TransportRemote {
		return RemoteStatus(ch.Reason)
	}
	return "not " + verb(req) + "ped: " + orDash(ch.Reason)
}

// RemoteStatus is the sentence for a remote entry left as it is.
func RemoteStatus(reason string) string {
	if strings.HasPrefix(reason, "remote") {
		return reason
	}
	return "remote, not wrapped: " + orDash(reason)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
