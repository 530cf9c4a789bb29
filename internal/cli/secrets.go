package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/vault"
)

// maxNote bounds --note (the core refuses longer ones).
const maxNote = 4096

func (e *env) secretsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Keep API keys in the OS keychain and hand them to servers at launch",
		Long: `Keep API keys in the OS keychain (service "countersign", account = the secret's
name) instead of plaintext client configs. A wrapped server gets a secret through
its shim arguments: countersign shim --name gh --env GITHUB_TOKEN=secret:github -- ...

Countersign keeps only metadata (name, note, times, which servers use it) in its
database; the value is in the keychain and nowhere else. set and rm need the
Countersign core running (exit 3 otherwise, before anything is changed), so the
keychain and the metadata never disagree.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(e.secretsSetCmd(), e.secretsListCmd(), e.secretsRmCmd())
	return cmd
}

func (e *env) secretsSetCmd() *cobra.Command {
	var note string
	cmd := &cobra.Command{
		Use:   "set NAME [--note TEXT]",
		Short: "Store a secret's value (read from stdin, never from the command line)",
		Long: `Store a secret in the OS keychain. The value is read from stdin: piped, or typed
at a hidden prompt when stdin is a terminal. It is never taken from the command
line, where other users and shell history could see it.

One trailing line break (\n or \r\n) is removed, so echo "$KEY" | ... and here-docs
store the key itself; a value that must end in a line break cannot be stored
this way. The value may be up to 64 KiB and may not be empty or hold NUL bytes.

NAME: 1 to 128 ASCII letters, digits, '-', '_' and '.', starting with a letter
or digit. Setting an existing NAME replaces its value (and its note, when --note
is given); running servers keep the old value until their client restarts them.`,
		Example: `  printf %s "$OPENAI_API_KEY" | countersign secrets set openai --note "project X, read-only"
  countersign secrets set github           # prompts, input hidden`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := vault.ValidateName(name); err != nil {
				return usageError{err}
			}
			var notePtr *string
			if cmd.Flags().Changed("note") {
				if len(note) > maxNote {
					return usagef("--note is %d bytes long, the limit is %d", len(note), maxNote)
				}
				if vault.ContainsSecretShape([]byte(note)) {
					return usagef("--note looks like it contains a key; notes are shown everywhere, the key belongs in the value (stdin)")
				}
				notePtr = &note
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// The core first: fail before reading the value or touching the
			// keychain when the metadata could not be recorded.
			existing, err := api.Secrets(ctx)
			if err != nil {
				return err
			}
			prev, existed := findSecret(existing, name)
			value, err := e.readSecretValue(name)
			if err != nil {
				return err
			}
			kc := vault.NewOSKeychain()
			if err := kc.Set(ctx, name, value); err != nil {
				if errors.Is(err, vault.ErrInvalidValue) {
					return usageError{err}
				}
				return fmt.Errorf("nothing stored: %w", err)
			}
			res, err := api.PutSecret(ctx, name, localapi.SecretPut{Note: notePtr})
			if err != nil {
				return metadataFailed(ctx, kc, name, existed, err)
			}
			if res.Created {
				fmt.Fprintf(e.stdout, "Stored secret %s in the keychain.\n", name)
				fmt.Fprintf(e.stdout, "Use it: countersign shim --name SERVER --env VARIABLE=secret:%s -- COMMAND...\n", name)
			} else {
				fmt.Fprintf(e.stdout, "Replaced the value of secret %s.\n", name)
			}
			if existed {
				var running []string
				for _, u := range prev.UsedBy {
					if u.Running {
						running = append(running, u.Server)
					}
				}
				if len(running) > 0 {
					fmt.Fprintf(e.stdout, "Running servers keep the old value until their client restarts them: %s\n", strings.Join(running, ", "))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&note, "note", "", "what the secret is for and its scope, e.g. \"project X, read-only\" (shown in lists, not secret)")
	return cmd
}

// metadataFailed undoes a keychain write the core could not record: a new
// secret is deleted again, so no item exists that `secrets list` would not
// show. A replaced value cannot be put back (the old one is gone), which
// the error says.
func metadataFailed(ctx context.Context, kc vault.Keychain, name string, existed bool, err error) error {
	if existed {
		return fmt.Errorf("the value of %s was replaced in the keychain, but Countersign could not record it (run the command again): %w", name, err)
	}
	// Undo with a context of its own: ctx may be what failed.
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if derr := kc.Delete(uctx, name); derr != nil {
		return fmt.Errorf("Countersign could not record secret %s (%w), and removing it from the keychain again failed too: %v; remove it with: secret-tool clear service %s username %s", name, err, derr, vault.ServiceName, name)
	}
	return fmt.Errorf("nothing stored: Countersign could not record secret %s: %w", name, err)
}

// readSecretValue reads the value from stdin: a hidden prompt on a
// terminal, everything up to EOF otherwise. One trailing \n or \r\n is
// removed.
func (e *env) readSecretValue(name string) (string, error) {
	var raw []byte
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(e.stderr, "Value for secret %s (input hidden): ", name)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read the value from the terminal: %w", err)
		}
		raw = b
	} else {
		// Read one byte more than fits (plus a line break), to tell "too
		// large" from "exactly the limit".
		b, err := io.ReadAll(io.LimitReader(e.stdin, vault.MaxValueLen+3))
		if err != nil {
			return "", fmt.Errorf("read the value from stdin: %w", err)
		}
		raw = b
	}
	v := trimOneNewline(raw)
	switch {
	case len(v) == 0:
		return "", usagef("the value for %s is empty: pipe it on stdin, e.g. printf %%s \"$KEY\" | countersign secrets set %s", name, name)
	case len(v) > vault.MaxValueLen:
		return "", usagef("the value for %s is larger than %d bytes (64 KiB); nothing stored", name, vault.MaxValueLen)
	case bytes.IndexByte(v, 0) >= 0:
		return "", usagef("the value for %s contains a NUL byte, which no environment variable can carry; nothing stored", name)
	}
	return string(v), nil
}

// trimOneNewline removes one trailing "\n" or "\r\n".
func trimOneNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func findSecret(list []localapi.SecretInfo, name string) (localapi.SecretInfo, bool) {
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return localapi.SecretInfo{}, false
}

func (e *env) secretsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List secrets: names, notes, times, the servers that use them; never values",
		Long: `List the secrets Countersign knows: name, note, when it was stored and last used,
the client config entries that reference it (REFERENCED BY) and the servers that
were launched with it (USED BY; * = running now). Values are never shown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			list, err := api.Secrets(cmd.Context())
			if err != nil {
				return err
			}
			if list == nil {
				list = []localapi.SecretInfo{}
			}
			if asJSON {
				return printJSON(e.stdout, list)
			}
			if len(list) == 0 {
				io.WriteString(e.stdout, "No secrets. Store one: printf %s \"$KEY\" | countersign secrets set NAME\n")
				return nil
			}
			rows := make([][]string, 0, len(list))
			for _, s := range list {
				var refs, used []string
				for _, r := range s.ReferencedBy {
					refs = append(refs, r.Client+"/"+r.Server)
				}
				for _, u := range s.UsedBy {
					mark := ""
					if u.Running {
						mark = "*"
					}
					used = append(used, u.Server+mark)
				}
				last := "never"
				if s.LastUsedAt != nil {
					last = s.LastUsedAt.Local().Format(time.DateTime)
				}
				rows = append(rows, []string{
					s.Name, orDash(clip(s.Note, 40)), s.UpdatedAt.Local().Format(time.DateTime), last,
					orDash(strings.Join(refs, ", ")), orDash(strings.Join(used, ", ")),
				})
			}
			return table(e.stdout, []string{"NAME", "NOTE", "UPDATED", "LAST USED", "REFERENCED BY", "USED BY"}, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func (e *env) secretsRmCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rm NAME [--force]",
		Short: "Remove a secret from the keychain and its metadata",
		Long: `Remove a secret from the keychain and forget its metadata. When a client config
still references it, or a running server was launched with it, nothing is removed
and the command fails (exit 1) naming them: those servers would not start again.
--force removes it anyway.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := vault.ValidateName(name); err != nil {
				return usageError{err}
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			list, err := api.Secrets(ctx)
			if err != nil {
				return err
			}
			info, known := findSecret(list, name)
			if known && info.InUse() && !force {
				for _, r := range info.ReferencedBy {
					fmt.Fprintf(e.stderr, "  referenced by %s server %s in %s\n", r.Client, r.Server, r.Config)
				}
				for _, u := range info.UsedBy {
					if u.Running {
						fmt.Fprintf(e.stderr, "  in use by running server %s\n", u.Server)
					}
				}
				return fmt.Errorf("secret %s is still used (above): those servers would not start without it; unwrap or edit them first, or remove it anyway with --force", name)
			}
			kc := vault.NewOSKeychain()
			kerr := kc.Delete(ctx, name)
			inKeychain := kerr == nil
			if kerr != nil && !errors.Is(kerr, vault.ErrNotFound) {
				return fmt.Errorf("nothing removed: %w", kerr)
			}
			if known {
				if err := api.RemoveSecret(ctx, name); err != nil && !errors.Is(err, localapi.ErrNotFound) {
					return fmt.Errorf("removed %s from the keychain, but Countersign could not forget its metadata (run the command again): %w", name, err)
				}
			}
			switch {
			case !inKeychain && !known:
				return fmt.Errorf("no secret named %s", name)
			case !inKeychain:
				fmt.Fprintf(e.stdout, "Removed secret %s (its value was already gone from the keychain).\n", name)
			default:
				fmt.Fprintf(e.stdout, "Removed secret %s.\n", name)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "remove it even though servers still reference it")
	return cmd
}
