package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/vault"
)

// executable finds the running binary; tests replace it because the test
// binary is not named countersign.
var executable = os.Executable

// shimBinary is the absolute path written into client configs (see
// clients.ShimBinary).
func shimBinary() (string, error) {
	p, err := executable()
	if err != nil {
		return "", fmt.Errorf("find the countersign binary: %w", err)
	}
	return clients.ShimBinary(p)
}

type rewriteReq struct {
	unwrap, all, dryRun, asJSON, migrate bool
	client                               string
	names                                []string
}

func (e *env) wrapCmd() *cobra.Command {
	var r rewriteReq
	cmd := &cobra.Command{
		Use:   "wrap CLIENT [SERVER...] | --all [--dry-run] [--migrate-secrets]",
		Short: "Put Countersign in front of MCP servers in an AI client's config",
		Long: `Rewrite the config of an AI client so it launches each named stdio server through
'countersign shim' (the original command and arguments are kept verbatim after --).
Only the command and args of those entries change; every other byte of the file
stays. The original is backed up first ('countersign clients backups'), and
'countersign unwrap' puts each entry back exactly.

  countersign wrap CLIENT SERVER...   the named servers of one client
  countersign wrap CLIENT --all       every server of one client
  countersign wrap --all              every server of every client found

Remote servers (a url in a JSON config, or npx mcp-remote URL) become
'countersign shim --url URL' with their headers as --header; those the shim cannot
take over are listed as not wrapped, with the reason.

--migrate-secrets also moves plaintext secrets (env values such as *_KEY or
*_TOKEN, a literal Authorization header) into the OS keychain: the config keeps
secret:NAME references and the shim resolves them at launch. It needs the core
running, so the secrets show in 'countersign secrets list'.

Managed (read-only) configs are never changed. Restart the client, or reload its
MCP servers, after.`,
		Example: `  countersign clients                      # see client ids and server names
  countersign wrap cursor github --dry-run  # show the change as a diff, write nothing
  countersign wrap claude-desktop --all
  countersign wrap cursor --all --migrate-secrets  # and move plaintext keys to the keychain`,
		Args: r.args,
		RunE: func(cmd *cobra.Command, args []string) error { return e.rewrite(cmd.Context(), r) },
	}
	cmd.Flags().BoolVar(&r.all, "all", false, "every server (of CLIENT, or of every client found when no CLIENT is given)")
	cmd.Flags().BoolVar(&r.dryRun, "dry-run", false, "print a unified diff of what would change, write nothing")
	cmd.Flags().BoolVar(&r.migrate, "migrate-secrets", false,
		"move plaintext secrets in each server's env into the keychain; the config keeps only secret:NAME references")
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
		RunE: func(cmd *cobra.Command, args []string) error { return e.rewrite(cmd.Context(), r) },
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
func (e *env) rewrite(ctx context.Context, r rewriteReq) error {
	env, err := clientsEnv()
	if err != nil {
		return err
	}
	req := clients.ApplyRequest{Unwrap: r.unwrap, DryRun: r.dryRun, Client: r.client, Names: r.names, MigrateSecrets: r.migrate}
	if !r.unwrap {
		if req.ShimPath, err = shimBinary(); err != nil {
			return err
		}
	}
	if req.Home, err = home.Dir(); err != nil {
		return err
	}
	var api *localapi.Client
	if r.migrate {
		// The core records every secret's metadata (secrets list shows only
		// what it knows): check it is up before touching the keychain.
		if api, err = e.client(); err != nil {
			return err
		}
		if _, err := api.Secrets(ctx); err != nil {
			return err
		}
		req.Keychain = vault.NewOSKeychain()
	}
	if !r.dryRun {
		if err := home.EnsurePrivate(req.Home); err != nil {
			return err
		}
	}
	out, err := clients.Apply(ctx, env, req)
	if err != nil {
		return err
	}
	failed := out.Failed()
	if r.migrate && !r.dryRun {
		if err := localapi.RecordMigrated(ctx, api, out); err != nil {
			fmt.Fprintf(e.stderr, "warning: %v\n", err)
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

func printRewrite(e *env, r rewriteReq, out clients.ApplyResult) {
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

func serverLabel(s clients.ServerChange) string {
	if s.Scope != "" {
		return s.Server + " [" + s.Scope + "]"
	}
	return s.Server
}
