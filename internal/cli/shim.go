package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/shim"
	"github.com/countersign/countersign/internal/vault"
)

func (e *env) shimCmd() *cobra.Command {
	var (
		name, client, url, transport string
		timeout                      time.Duration
		envSpecs, headers            []string
		allowHTTP                    bool
	)
	cmd := &cobra.Command{
		Use: "shim --name NAME [--client ID] [--timeout DUR] [--env KEY=secret:SECRET]... -- CMD [ARGS...]\n" +
			"  countersign shim --name NAME [--client ID] [--timeout DUR] --url URL [--header 'NAME: VALUE']... [--transport auto|http|sse] [--allow-http]",
		Short: "Run an MCP server behind Countersign (what client configs launch)",
		Long: `Run an MCP server behind Countersign. Put this in your AI client's config in place
of the server's own command: the client talks to the shim, the shim launches the
server and holds every tools/call until you approve it (or a rule decides).
Everything else passes through unchanged. Without a running Countersign core,
tool calls are denied with a message telling you to start it.

  --env KEY=secret:NAME   give the server the keychain secret NAME as variable KEY
                          (store it first: printf %s "$VALUE" | countersign secrets set NAME)

For a remote server, give --url instead of a command: the shim speaks stdio to the
client and Streamable HTTP (or the legacy HTTP+SSE transport) to the server.

  --header 'Authorization: Bearer secret:NAME'
                          an HTTP header for the server; secret:NAME is read from the
                          keychain at start. Headers go only to the origin of --url: a
                          redirect elsewhere is followed without them.
  --transport auto|http|sse
                          auto (default) tries Streamable HTTP and falls back to legacy SSE
  --allow-http            allow http:// to a host that is not loopback (clear text)`,
		Example: `  countersign shim --name fs -- npx -y @modelcontextprotocol/server-filesystem /tmp
  countersign shim --name gh --env GITHUB_TOKEN=secret:github -- npx -y @modelcontextprotocol/server-github
  countersign shim --name linear --url https://mcp.example.com/mcp --header 'Authorization: Bearer secret:linear'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return usagef("--name is required: the name you will see in approvals and rules")
			}
			if timeout < 0 || timeout > policy.MaxTimeout {
				return usagef("--timeout must be positive and at most %s", policy.MaxTimeout)
			}
			if url != "" {
				if len(args) > 0 || cmd.ArgsLenAtDash() >= 0 {
					return usagef("give either --url or a server command after --, not both")
				}
				if len(envSpecs) > 0 {
					return usagef("--env is for a server command; a remote server takes --header")
				}
				switch transport {
				case "auto", "http", "sse":
				default:
					return usagef("--transport must be auto, http or sse")
				}
				return nil
			}
			if len(headers) > 0 || allowHTTP || cmd.Flags().Changed("transport") {
				return usagef("--header, --transport and --allow-http need --url")
			}
			if cmd.ArgsLenAtDash() != 0 || len(args) == 0 {
				return usagef("put the server command after --, e.g. countersign shim --name fs -- npx -y @modelcontextprotocol/server-filesystem /tmp")
			}
			if name == "" {
				return usagef("--name is required: the name you will see in approvals and rules")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, argv []string) error {
			log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: shimLogLevel()})).
				With("countersign", "shim", "server", name)
			dir, err := home.Dir()
			if err != nil {
				return err
			}
			if url != "" {
				return e.runRemoteShim(cmd.Context(), shim.Config{
					Name: name, Client: client, Timeout: timeout, URL: url, Transport: transport,
					AllowHTTP: allowHTTP, Home: dir, Socket: home.Socket(dir),
					Stdin: e.stdin, Stdout: e.stdout, Log: log,
				}, headers)
			}
			env := os.Environ()
			var redactor *vault.Redactor
			if len(envSpecs) > 0 {
				resolved, err := vault.ResolveEnv(cmd.Context(), vault.NewOSKeychain(), envSpecs)
				if err != nil {
					return fmt.Errorf("not starting %s: %w", name, err)
				}
				env = append(env, resolved...)
				if redactor, err = redactorFor(envSpecs, resolved); err != nil {
					return err
				}
				go reportSecretUse(cmd.Context(), home.Socket(dir), name, client, envSpecs, nil, log)
			}
			code, err := shim.Run(cmd.Context(), shim.Config{
				Name: name, Client: client, Timeout: timeout, Command: argv, Env: env,
				Home: dir, Socket: home.Socket(dir),
				Redact:   redactor.Redact,
				SecretIn: func(args []byte) string { return secretIn(redactor, args) },
				Stdin:    e.stdin, Stdout: e.stdout, Log: log,
			})
			if err != nil {
				return err
			}
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the server's name in approvals, rules and history (required)")
	f.StringVar(&client, "client", "", "the client id (claude-desktop, cursor, ...); learned from the client when omitted")
	f.DurationVar(&timeout, "timeout", 0, "how long a call waits for you before it is denied (default: the Settings value for this server, else "+shim.DefaultTimeout.String()+")")
	f.StringArrayVar(&envSpecs, "env", nil, "KEY=secret:NAME: a keychain secret for the server's environment (repeatable)")
	f.StringVar(&url, "url", "", "a remote server's URL (Streamable HTTP or legacy SSE) instead of a command")
	f.StringArrayVar(&headers, "header", nil, "'Name: value' HTTP header for --url; secret:NAME reads the keychain (repeatable)")
	f.StringVar(&transport, "transport", "auto", "with --url: auto, http (Streamable HTTP) or sse (legacy HTTP+SSE)")
	f.BoolVar(&allowHTTP, "allow-http", false, "with --url: allow http:// to a host that is not loopback")
	return cmd
}

// redactorFor masks the values this shim injected wherever they show up in
// what the history keeps.
func redactorFor(specs, resolved []string) (*vault.Redactor, error) {
	secrets := map[string]string{}
	for i, spec := range specs {
		ref, err := vault.ParseEnvSpec(spec)
		if err != nil {
			return nil, err
		}
		_, val, _ := strings.Cut(resolved[i], "=")
		secrets[ref.Secret] = val
	}
	return vault.NewRedactor(secrets)
}

// reportSecretUse tells the core which secrets this shim injected (names
// only), for `secrets list` (last used, used by). It runs beside the server
// launch and never delays it; it gives up after 5 s, and a core that is down
// simply misses this use.
func reportSecretUse(ctx context.Context, socket, server, client string, envSpecs, headerSpecs []string, log *slog.Logger) {
	names, err := vault.ReferencedNames(envSpecs, headerSpecs)
	if err != nil || len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	api := localapi.NewClient(socket)
	defer api.Close()
	rep := localapi.SecretUseReport{Server: server, Client: client, PID: os.Getpid(), Secrets: names}
	if err := api.SecretsUsed(ctx, rep); err != nil {
		log.Debug("secret use not reported", "err", err)
	}
}

// secretIn names what secret a call's arguments carry, for the guard that
// makes such calls always ask.
func secretIn(r *vault.Redactor, args []byte) string {
	if names := r.Contains(args); len(names) > 0 {
		return "stored secret " + strings.Join(names, ", ")
	}
	if kinds := vault.SecretShapes(args); len(kinds) > 0 {
		return "key shape " + strings.Join(kinds, ", ")
	}
	return ""
}

// shimLogLevel keeps the shim quiet on the client's stderr unless asked:
// warnings by default, COUNTERSIGN_LOG to change it.
func shimLogLevel() slog.Level {
	if os.Getenv("COUNTERSIGN_LOG") == "" {
		return slog.LevelWarn
	}
	return logLevel()
}
