package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/home"
)

// executable finds the running binary; tests replace it because the test
// binary is not named countersign.
var executable = os.Executable

// shimBinary is the absolute path written into client configs: the running
// countersign binary with symlinks resolved, or the GUI-free countersign
// beside it when this is another build (the desktop app).
func shimBinary() (string, error) {
	p, err := executable()
	if err != nil {
		return "", fmt.Errorf("find the countersign binary: %w", err)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	name := "countersign"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if strings.EqualFold(filepath.Base(p), name) {
		return p, nil
	}
	sib := filepath.Join(filepath.Dir(p), name)
	if st, err := os.Stat(sib); err == nil && st.Mode().IsRegular() {
		return sib, nil
	}
	return "", fmt.Errorf("%s is not the countersign binary and there is no %s beside it: run wrap with the countersign command", p, name)
}

// The --json shape of wrap and unwrap.
type rewriteJSON struct {
	DryRun   bool             `json:"dry_run"`
	Files    []fileChangeJSON `json:"files"`
	NotFound []notFoundJSON   `json:"not_found"`
}

type fileChangeJSON struct {
	Client   string `json:"client"`
	Path     string `json:"path"`
	RealPath string `json:"real_path,omitempty"`
	Symlink  bool   `json:"symlink"`
	Changed  bool   `json:"changed"` // the file was (or, with dry_run, would be) rewritten
	Backup   string `json:"backup,omitempty"`
	// Diff is a unified diff of the change, secrets redacted (dry run only).
	Diff    string             `json:"diff,omitempty"`
	Error   string             `json:"error,omitempty"`
	Servers []serverChangeJSON `json:"servers"`
}

type serverChangeJSON struct {
	Server    string `json:"server"`
	Locator   string `json:"locator,omitempty"`
	Scope     string `json:"scope,omitempty"`
	Action    string `json:"action"` // wrapped | unwrapped | unchanged | skipped
	Transport string `json:"transport,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Status    string `json:"status"` // the sentence the table prints
	// FromRecord: unwrap restored the entry byte for byte from the journal.
	FromRecord bool `json:"from_record,omitempty"`
}

type notFoundJSON struct {
	Client string `json:"client"`
	Server string `json:"server"`
}

type rewriteReq struct {
	unwrap, all, dryRun, asJSON bool
	client                      string
	names                       []string
}

func (e *env) wrapCmd() *cobra.Command {
	var r rewriteReq
	cmd := &cobra.Command{
		Use:   "wrap CLIENT [SERVER...] | --all [--dry-run]",
		Short: "Put Countersign in front of MCP servers in an AI client's config",
		Long: `Rewrite the config of an AI client so it launches each named stdio server through
'countersign shim' (the original command and arguments are kept verbatim after --).
Only the command and args of those entries change; every other byte of the file
stays. The original is backed up first ('countersign clients backups'), and
'countersign unwrap' puts each entry back exactly.

  countersign wrap CLIENT SERVER...   the named servers of one client
  countersign wrap CLIENT --all       every server of one client
  countersign wrap --all              every server of every client found

Remote servers are listed as not wrapped, with the reason. Managed (read-only)
configs are never changed. Restart the client, or reload its MCP servers, after.`,
		Example: `  countersign clients                      # see client ids and server names
  countersign wrap cursor github --dry-run  # show the change as a diff, write nothing
  countersign wrap claude-desktop --all`,
		Args: r.args,
		RunE: func(cmd *cobra.Command, args []string) error { return e.rewrite(r) },
	}
	cmd.Flags().BoolVar(&r.all, "all", false, "every server (of CLIENT, or of every client found when no CLIENT is given)")
	cmd.Flags().BoolVar(&r.dryRun, "dry-run", false, "print a unified diff of what would change, write nothing")
	cmd.Flags().BoolVar(&r.asJSON, "json", false, "print one JSON document")
	return cmd
}

func (e *env) unwrapCmd() *cobra.Command {
	r := rewriteReq{unwrap: true}
	cmd := &cobra.Command{
		Use:   "unwrap CLIENT [SERVER...] | --all [--dry-run]",
		Short: "Take Countersign away from MCP servers, restoring their entries exactly",
		Long: `Restore entries that 'countersign wrap' rewrote. With the journal wrap kept, each
entry gets back its exact original bytes; an entry edited since, or wrapped by
hand, is rebuilt from the command line after "--" and your other edits stay.

  countersign unwrap CLIENT SERVER...   the named servers of one client
  countersign unwrap CLIENT --all       every wrapped server of one client
  countersign unwrap --all              every wrapped server of every client`,
		Args: r.args,
		RunE: func(cmd *cobra.Command, args []string) error { return e.rewrite(r) },
	}
	cmd.Flags().BoolVar(&r.all, "all", false, "every server (of CLIENT, or of every client found when no CLIENT is given)")
	cmd.Flags().BoolVar(&r.dryRun, "dry-run", false, "print a unified diff of what would change, write nothing")
	cmd.Flags().BoolVar(&r.asJSON, "json", false, "print one JSON document")
	return cmd
}

// args checks the positional arguments and fills r.client and r.names.
func (r *rewriteReq) args(cmd *cobra.Command, args []string) error {
	verb := cmd.Name()
	switch {
	case len(args) == 0 && !r.all:
		return usagef("name a client and its servers (countersign %s CLIENT SERVER...), or use --all", verb)
	case len(args) == 0:
		return nil
	}
	if err := knownClient(args[0]); err != nil {
		return err
	}
	r.client, r.names = args[0], args[1:]
	switch {
	case len(r.names) == 0 && !r.all:
		return usagef("name the servers of %s to %s, or use --all for every one of them", r.client, verb)
	case len(r.names) > 0 && r.all:
		return usagef("give server names or --all, not both")
	}
	return nil
}

// rewrite runs wrap or unwrap over every selected config file.
func (e *env) rewrite(r rewriteReq) error {
	env, err := clientsEnv()
	if err != nil {
		return err
	}
	var wopts clients.WrapOptions
	if !r.unwrap {
		if wopts.ShimPath, err = shimBinary(); err != nil {
			return err
		}
	}
	dir, err := home.Dir()
	if err != nil {
		return err
	}
	if !r.dryRun {
		if err := home.EnsurePrivate(dir); err != nil {
			return err
		}
	}
	journal, err := clients.OpenJournal(clients.JournalPath(dir))
	if err != nil {
		return err
	}
	var selected []clients.Client
	for _, c := range clients.Discover(env) {
		if r.client == "" || c.ID == r.client {
			selected = append(selected, c)
		}
	}
	if r.client != "" && len(selected) == 0 {
		return fmt.Errorf("no config file of %s found on this machine (or in the current directory)", r.client)
	}
	out := rewriteJSON{DryRun: r.dryRun, Files: []fileChangeJSON{}, NotFound: []notFoundJSON{}}
	found := map[string]bool{}
	failed := false
	for _, c := range selected {
		wopts.ClientID = c.ID
		for _, cfg := range c.Configs {
			names := namesIn(cfg, r.names, found)
			if len(r.names) > 0 && len(names) == 0 {
				continue
			}
			if cfg.Error == "" && len(cfg.Servers) == 0 {
				continue
			}
			fc := e.rewriteFile(r, c.ID, cfg, names, wopts, journal, dir)
			if fc.Error != "" {
				failed = true
			}
			out.Files = append(out.Files, fc)
		}
	}
	for _, n := range r.names {
		if !found[n] {
			out.NotFound = append(out.NotFound, notFoundJSON{Client: r.client, Server: n})
			failed = true
		}
	}
	if r.asJSON {
		if err := printJSON(e.stdout, out); err != nil {
			return err
		}
	} else {
		printRewrite(e, r, out)
	}
	if failed {
		return exitError{exitFailure}
	}
	return nil
}

// namesIn returns the requested names (or locators) present in cfg and
// marks them found; nil when every server is requested.
func namesIn(cfg clients.Config, want []string, found map[string]bool) []string {
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

// rewriteFile wraps or unwraps the entries of one config file.
func (e *env) rewriteFile(r rewriteReq, clientID string, cfg clients.Config, names []string, wopts clients.WrapOptions,
	journal *clients.Journal, dir string) fileChangeJSON {
	fc := fileChangeJSON{Client: clientID, Path: cfg.Path, RealPath: cfg.RealPath, Symlink: cfg.RealPath != "", Servers: []serverChangeJSON{}}
	if cfg.Error != "" {
		fc.Error = "cannot read this file, nothing changed: " + cfg.Error
		return fc
	}
	if cfg.ReadOnly {
		for _, s := range cfg.Servers {
			if len(names) == 0 || contains(names, s.Name) || contains(names, s.Locator) {
				fc.Servers = append(fc.Servers, serverChangeJSON{Server: s.Name, Locator: s.Locator, Scope: s.Scope,
					Action: string(clients.ActionSkipped), Transport: string(s.Transport),
					Reason: "read-only file managed by an administrator", Status: "not changed: read-only file managed by an administrator"})
			}
		}
		return fc
	}
	real := cfg.Path
	if cfg.RealPath != "" {
		real = cfg.RealPath
	}
	records := journal.Records(clientID, real)
	edit := func(cur []byte) ([]byte, []clients.Change, error) {
		if r.unwrap {
			return clients.Unwrap(cur, cfg.Adapter, names, clients.UnwrapOptions{Records: records})
		}
		return clients.Wrap(cur, cfg.Adapter, names, wopts)
	}
	var changes []clients.Change
	if r.dryRun {
		cur, _, err := clients.ReadConfig(cfg.Path)
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
		if d := diff.Diff(cfg.Path+" (now)", cur, cfg.Path+" (after "+verbOf(r)+")", next); len(d) > 0 {
			fc.Changed, fc.Diff = true, clients.RedactText(string(d))
		}
	} else {
		res, err := clients.Update(cfg.Path, clients.WriteOptions{BackupDir: clients.BackupDir(dir), ClientID: clientID},
			func(cur []byte) ([]byte, error) {
				next, ch, err := edit(cur)
				changes = ch // Update may call edit again: keep the last call's changes
				return next, err
			})
		fc.RealPath, fc.Symlink, fc.Changed, fc.Backup = nonSame(res.RealPath, cfg.Path), res.Symlink, res.Changed, res.Backup
		if err != nil {
			fc.Error = err.Error()
			if errors.Is(err, clients.ErrReadOnly) || errors.Is(err, clients.ErrNotOwner) {
				fc.Error += " (the file was not changed)"
			}
			return fc
		}
		if res.Changed {
			if err := keepRecords(journal, r.unwrap, clientID, real, changes); err != nil {
				fc.Error = "the file was changed but the journal could not be saved, so unwrap will rebuild entries from their command line: " + err.Error()
			}
		}
	}
	for _, ch := range changes {
		if ch.Action == clients.ActionNotFound {
			continue
		}
		fc.Servers = append(fc.Servers, serverChangeJSON{Server: ch.Server, Locator: ch.Locator, Scope: ch.Scope,
			Action: string(ch.Action), Transport: string(ch.Transport), Reason: ch.Reason,
			Status: changeStatus(r, ch), FromRecord: ch.FromRecord})
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
func keepRecords(j *clients.Journal, unwrap bool, clientID, real string, changes []clients.Change) error {
	now := time.Now()
	for _, ch := range changes {
		switch {
		case !unwrap && ch.Action == clients.ActionWrapped && ch.Record != nil:
			j.Put(clientID, real, *ch.Record, now)
		case unwrap && ch.Action == clients.ActionUnwrapped:
			j.Drop(clientID, real, ch.Locator)
		}
	}
	return j.Save()
}

func verbOf(r rewriteReq) string {
	if r.unwrap {
		return "unwrap"
	}
	return "wrap"
}

// changeStatus is the sentence printed for one entry.
func changeStatus(r rewriteReq, ch clients.Change) string {
	would := ""
	if r.dryRun {
		would = "would be "
	}
	switch ch.Action {
	case clients.ActionWrapped:
		return would + "wrapped"
	case clients.ActionUnwrapped:
		if ch.FromRecord {
			return would + "unwrapped (exact original restored)"
		}
		return would + "unwrapped (rebuilt from the command after --)"
	case clients.ActionUnchanged:
		if r.unwrap {
			return "not wrapped"
		}
		return "already wrapped"
	}
	if ch.Transport == clients.TransportRemote {
		return remoteStatus(ch.Reason)
	}
	return "not " + verbOf(r) + "ped: " + orDash(ch.Reason)
}

func printRewrite(e *env, r rewriteReq, out rewriteJSON) {
	changed := 0
	for _, f := range out.Files {
		if r.dryRun && f.Diff != "" {
			fmt.Fprint(e.stdout, f.Diff)
			fmt.Fprintln(e.stdout)
		}
		head := f.Client + "  " + f.Path
		if f.RealPath != "" {
			head += " (link; edited " + f.RealPath + ")"
		}
		fmt.Fprintln(e.stdout, head)
		if f.Error != "" {
			fmt.Fprintf(e.stdout, "  error: %s\n", f.Error)
		}
		width := 0
		for _, s := range f.Servers {
			width = max(width, len([]rune(serverLabel(s))))
		}
		for _, s := range f.Servers {
			fmt.Fprintf(e.stdout, "  %-*s  %s\n", width, serverLabel(s), s.Status)
		}
		if f.Changed {
			changed++
		}
	}
	for _, n := range out.NotFound {
		fmt.Fprintf(e.stdout, "%s  %s: not found (see countersign clients)\n", n.Client, n.Server)
	}
	switch {
	case r.dryRun:
		fmt.Fprintf(e.stdout, "Dry run: %d file(s) would change; nothing was written.\n", changed)
	case changed > 0:
		fmt.Fprintf(e.stdout, "%d file(s) changed. Restart the client, or reload its MCP servers, to apply.\n", changed)
	case len(out.Files) > 0:
		fmt.Fprintln(e.stdout, "Nothing to change.")
	}
}

func serverLabel(s serverChangeJSON) string {
	if s.Scope != "" {
		return s.Server + " [" + s.Scope + "]"
	}
	return s.Server
}
