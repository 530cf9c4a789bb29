package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/home"
)

// clientsEnv describes this machine for discovery; project-scope files are
// looked for in the current directory.
func clientsEnv() (clients.Env, error) {
	wd, err := os.Getwd()
	if err != nil {
		return clients.Env{}, fmt.Errorf("current directory: %w", err)
	}
	env, err := clients.EnvFromOS(wd)
	if err != nil {
		return clients.Env{}, fmt.Errorf("home directory: %w", err)
	}
	return env, nil
}

// The --json shape of `countersign clients`.
type clientsJSON struct {
	Clients []clients.ClientView `json:"clients"`
}

func (e *env) clientsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "clients",
		Short: "List the AI clients on this machine, their config files and MCP servers",
		Long: `List every supported AI client found on this machine (user and managed config
files, and the project files of the current directory and of every project Claude
Code knows), each MCP server they launch, whether
Countersign protects it (wrapped), and which fields hold plaintext secrets (names
only, never values). A config that cannot be read is reported and never hides
the others.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := clientsEnv()
			if err != nil {
				return err
			}
			found := clients.Discover(env)
			if asJSON {
				return printJSON(e.stdout, clientsJSON{Clients: clients.View(found)})
			}
			return printClients(e, found)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.AddCommand(e.clientsBackupsCmd(), e.clientsRestoreCmd())
	return cmd
}

func printClients(e *env, found []clients.Client) error {
	if len(found) == 0 {
		fmt.Fprintln(e.stdout, "No supported AI client config found on this machine (or in the current directory).")
		return nil
	}
	unprotected := 0
	for i, c := range found {
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		fmt.Fprintf(e.stdout, "%s (%s)\n", c.Name, c.ID)
		for _, cfg := range c.Configs {
			note := string(cfg.Scope)
			if cfg.ReadOnly {
				note += ", read-only"
			}
			if cfg.RealPath != "" {
				note += ", link to " + cfg.RealPath
			}
			fmt.Fprintf(e.stdout, "  %s (%s)\n", cfg.Path, note)
			if cfg.Error != "" {
				fmt.Fprintf(e.stdout, "    error: %s\n", cfg.Error)
				continue
			}
			if len(cfg.Servers) == 0 {
				fmt.Fprintln(e.stdout, "    no servers")
				continue
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "    SERVER\tTRANSPORT\tSTATUS\tCOMMAND OR URL\tPLAINTEXT SECRETS")
			for _, s := range cfg.Servers {
				sj := clients.ViewServer(s)
				name := s.Name
				if s.Scope != "" {
					name += " [" + s.Scope + "]"
				}
				if !s.Wrapped && s.Wrappable {
					unprotected++
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\n", clip(name, 40), s.Transport, clip(serverStatus(s), 60),
					clip(launchText(sj), 70), orDash(strings.Join(s.SecretFields, ", ")))
			}
			tw.Flush()
		}
	}
	if unprotected > 0 {
		fmt.Fprintf(e.stdout, "\n%d server(s) could be protected and are not. Wrap them with: countersign wrap CLIENT SERVER... (or --all)\n", unprotected)
	}
	return nil
}

func serverStatus(s clients.Server) string {
	switch {
	case s.Wrapped:
		return "wrapped"
	case s.Wrappable:
		return "not wrapped"
	case s.Transport == clients.TransportRemote:
		return clients.RemoteStatus(s.Reason)
	}
	return "not wrapped: " + orDash(s.Reason)
}

func launchText(s clients.ServerView) string {
	if s.Wrapped && len(s.Inner) > 0 {
		return strings.Join(s.Inner, " ")
	}
	if s.URL != "" && (s.Command == "" || s.Wrapped) {
		return s.URL
	}
	return strings.TrimSpace(s.Command + " " + strings.Join(s.Args, " "))
}

// backupJSON is one line of `clients backups --json`.
type backupJSON struct {
	ClientID string    `json:"client_id"`
	Path     string    `json:"path"`
	File     string    `json:"file"`
	Time     time.Time `json:"time"`
	SHA256   string    `json:"sha256"`
	Size     int64     `json:"size"`
}

func listBackups(clientID string) ([]clients.Backup, string, error) {
	dir, err := home.Dir()
	if err != nil {
		return nil, "", err
	}
	bdir := clients.BackupDir(dir)
	bs, err := clients.ListBackups(bdir, clientID)
	return bs, bdir, err
}

func (e *env) clientsBackupsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "backups [CLIENT]",
		Short: "List the backups Countersign made of client config files before changing them",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("backups takes at most one client id")
			}
			if len(args) == 1 {
				return knownClient(args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			bs, _, err := listBackups(id)
			if err != nil {
				return err
			}
			if asJSON {
				out := []backupJSON{}
				for _, b := range bs {
					out = append(out, backupJSON{ClientID: b.ClientID, Path: b.Path, File: b.File, Time: b.Time.UTC(), SHA256: b.SHA256, Size: b.Size})
				}
				return printJSON(e.stdout, out)
			}
			if len(bs) == 0 {
				fmt.Fprintln(e.stdout, "No backups: Countersign has not changed a config file yet.")
				return nil
			}
			rows := make([][]string, 0, len(bs))
			for _, b := range bs {
				rows = append(rows, []string{b.Time.Local().Format(time.DateTime), b.ClientID, b.Path, strconv.FormatInt(b.Size, 10), b.File})
			}
			return table(e.stdout, []string{"TIME", "CLIENT", "CONFIG FILE", "BYTES", "BACKUP"}, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func (e *env) clientsRestoreCmd() *cobra.Command {
	var file, backupFile string
	cmd := &cobra.Command{
		Use:   "restore CLIENT [--file CONFIG] [--backup FILE]",
		Short: "Put back the newest backup of a client's config file",
		Long: `Put back the newest backup of a client's config file (the bytes it had before
Countersign's last change to it). When Countersign changed several files of the
client, say which with --file. --backup picks an older backup from
'countersign clients backups'. The current bytes are backed up first.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("restore takes one client id, e.g. countersign clients restore cursor")
			}
			return knownClient(args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			bs, bdir, err := listBackups(args[0])
			if err != nil {
				return err
			}
			var pick *clients.Backup
			var files []string
			for i, b := range bs {
				switch {
				case backupFile != "":
					if b.File == backupFile {
						pick = &bs[i]
					}
				case file != "":
					if pick == nil && samePath(b.Path, file) {
						pick = &bs[i]
					}
				default:
					if !contains(files, b.Path) {
						files = append(files, b.Path)
					}
					if pick == nil {
						pick = &bs[i]
					}
				}
			}
			if len(files) > 1 {
				return usagef("%s has backups of %d files; choose one with --file:\n  %s", args[0], len(files), strings.Join(files, "\n  "))
			}
			if pick == nil {
				return fmt.Errorf("no backup of %s matches: see countersign clients backups %s", args[0], args[0])
			}
			res, err := clients.RestoreBackup(*pick, clients.WriteOptions{BackupDir: bdir, ClientID: args[0]})
			if err != nil {
				return err
			}
			if !res.Changed {
				fmt.Fprintf(e.stdout, "%s already holds the backup of %s; nothing changed.\n", pick.Path, pick.Time.Local().Format(time.DateTime))
				return nil
			}
			fmt.Fprintf(e.stdout, "Restored %s from the backup of %s.\n", pick.Path, pick.Time.Local().Format(time.DateTime))
			if res.Backup != "" {
				fmt.Fprintf(e.stdout, "The bytes it had until now are in %s.\n", res.Backup)
			}
			fmt.Fprintln(e.stdout, "Restart the client if it does not reload its config by itself.")
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "the config file to restore, when the client has several")
	cmd.Flags().StringVar(&backupFile, "backup", "", "a backup file from 'countersign clients backups' (default: the newest)")
	return cmd
}

// knownClient is a usage check: id must be in the client table.
func knownClient(id string) error {
	if _, ok := clients.SpecByID(id); ok {
		return nil
	}
	var ids []string
	for _, s := range clients.Specs() {
		ids = append(ids, s.ID)
	}
	return usagef("unknown client %q; known clients: %s", id, strings.Join(ids, ", "))
}

func samePath(a, b string) bool {
	if a == b {
		return true
	}
	ra, err1 := filepath.EvalSymlinks(a)
	rb, err2 := filepath.EvalSymlinks(b)
	if errors.Join(err1, err2) != nil {
		ab, _ := filepath.Abs(b)
		return a == ab
	}
	return ra == rb
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
