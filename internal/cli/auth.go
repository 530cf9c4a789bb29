package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/oauth"
	"github.com/countersign/countersign/internal/vault"
)

func (e *env) authCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign in to remote MCP servers that use OAuth",
		Long: `Sign in to remote MCP servers that use OAuth (the MCP authorization spec), so that
'countersign shim --name NAME --url URL' can reach them.

'auth login' finds the server's authorization server from its metadata, registers
Countersign with it when the server allows that, and opens your browser to sign in.
The tokens and the client registration are kept in the OS keychain (service
"countersign", item "oauth.NAME") and nowhere else; the shim sends the token only to
the server it was issued for and refreshes it before it expires. The shim never
opens a browser by itself: when a sign-in is needed, the AI client's request fails
with a message telling you to run 'countersign auth login NAME --url URL'.

NAME is the server's name, the same as the shim's --name.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(e.authListCmd(), e.authLoginCmd(), e.authLogoutCmd())
	return cmd
}

// authListCmd lists the sign-ins (oauth.SignIn: never a token).
func (e *env) authListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the servers you are signed in to (never shows tokens)",
		Long: `List the servers you are signed in to: issuer, resource, scopes, when the access
token expires, and whether it is still valid. An expired token is renewed by the shim
on its next request when the sign-in has a refresh token (REFRESH: yes).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			entries, err := oauth.NewStore(vault.NewOSKeychain()).SignIns(ctx, time.Now())
			if err != nil {
				return err
			}
			return list(e.stdout, asJSON, entries, "Not signed in to any server. Sign in with: countersign auth login NAME --url URL",
				[]string{"SERVER", "ISSUER", "SCOPES", "EXPIRES", "STATUS", "REFRESH"},
				func(a oauth.SignIn) []string {
					exp := "-"
					if a.ExpiresAt != nil {
						exp = *a.ExpiresAt
					}
					refresh := "no"
					if a.Refreshable {
						refresh = "yes"
					}
					return []string{a.Server, orDash(a.Issuer), orDash(clip(strings.Join(a.Scopes, " "), 40)), exp, strings.ReplaceAll(a.Status, "_", " "), refresh}
				})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func (e *env) authLoginCmd() *cobra.Command {
	var (
		url, clientID string
		noBrowser     bool
		timeout       time.Duration
	)
	cmd := &cobra.Command{
		Use:   "login NAME --url URL [--oauth-client-id ID] [--no-browser]",
		Short: "Sign in to a remote MCP server in your browser",
		Long: `Sign in to the remote MCP server at URL and keep the tokens in the OS keychain under
NAME (use the same NAME as in 'countersign shim --name NAME --url URL').

Countersign asks the server where to sign in (its OAuth metadata), registers itself
with the authorization server when that is allowed, then opens your browser. After
you approve, the browser is sent back to a one-time address on 127.0.0.1 that
Countersign listens on, and the sign-in is stored. Nothing is written to disk.

  --oauth-client-id ID   for an authorization server that does not let clients
                         register themselves: register "Countersign" there as a
                         native/desktop app with redirect URI http://127.0.0.1/callback
                         (any port) and give its client id here
  --no-browser           print the address to open instead of opening a browser
                         (e.g. over SSH: open it in a browser on the same machine)

Every address involved must be https (http only for 127.0.0.1/localhost).
Signing in again replaces the previous sign-in of NAME.`,
		Example: `  countersign auth login linear --url https://mcp.linear.app/mcp
  countersign auth login internal --url https://mcp.corp.example/mcp --oauth-client-id countersign-desktop`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if _, err := oauth.ItemName(name); err != nil {
				return usageError{err}
			}
			if url == "" {
				return usagef("--url is required: the remote MCP server's address, as given to the shim")
			}
			if _, err := oauth.CheckEndpoint("--url", url); err != nil {
				return usageError{err}
			}
			store := oauth.NewStore(vault.NewOSKeychain())
			g, err := oauth.Login(cmd.Context(), store, oauth.LoginOptions{
				Server: name, URL: url, ClientID: clientID, Timeout: timeout,
				Authorize: func(authURL string) error {
					if noBrowser {
						fmt.Fprintf(e.stderr, "To sign in to %s, open this address in a browser on this computer:\n\n  %s\n\nWaiting for the sign-in (up to %v)...\n", name, authURL, timeout)
						return nil
					}
					fmt.Fprintf(e.stderr, "Opening your browser to sign in to %s. If it does not open, visit:\n\n  %s\n\nWaiting for the sign-in (up to %v)...\n", name, authURL, timeout)
					if err := oauth.OpenBrowser(authURL); err != nil {
						fmt.Fprintf(e.stderr, "countersign: could not open a browser (%v); open the address above yourself.\n", err)
					}
					return nil
				},
			})
			if err != nil {
				return fmt.Errorf("sign-in to %s failed: %w", name, err)
			}
			in := g.Info()
			exp := "no expiry given"
			if !in.Expiry.IsZero() {
				exp = "access token valid until " + in.Expiry.Local().Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "Signed in to %s (issuer %s; %s). The token is in the OS keychain as oauth.%s.\n", name, in.Issuer, exp, name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&url, "url", "", "the remote MCP server's URL (required)")
	f.StringVar(&clientID, "oauth-client-id", "", "a client id registered by hand, for servers without dynamic registration")
	f.BoolVar(&noBrowser, "no-browser", false, "print the sign-in address instead of opening a browser")
	f.DurationVar(&timeout, "timeout", oauth.DefaultLoginTimeout, "how long to wait for the browser")
	return cmd
}

func (e *env) authLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout NAME",
		Short: "Sign out: revoke the tokens (when the server allows) and remove them from the keychain",
		Long: `Sign out of NAME: ask its authorization server to revoke the tokens (when it has a
revocation endpoint; best effort) and delete the sign-in from the OS keychain. Running
shims of NAME lose access once their current token is refused.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if _, err := oauth.ItemName(name); err != nil {
				return usageError{err}
			}
			res, err := oauth.Logout(cmd.Context(), oauth.NewStore(vault.NewOSKeychain()), name, nil)
			if errors.Is(err, oauth.ErrNotSignedIn) {
				return fmt.Errorf("not signed in to %s (see countersign auth list)", name)
			}
			if err != nil {
				return err
			}
			if res.Revoked {
				fmt.Fprintf(e.stdout, "Signed out of %s: tokens revoked and removed from the keychain.\n", name)
			} else {
				fmt.Fprintf(e.stdout, "Signed out of %s: removed from the keychain; not revoked at the server (%v).\n", name, res.RevokeErr)
			}
			return nil
		},
	}
}
