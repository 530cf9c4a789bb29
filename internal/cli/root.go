package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
)

// Exit codes of the command-line contract.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitNoCore  = 3
)

// usageError marks a mistake in how a command was called.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries an exit code chosen by a command (the shim exits with
// its server's code).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// env is what every command gets: where to print and how to reach the core.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string) int {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	root := e.root()
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(e.stderr, "countersign:", err)
	var ue usageError
	switch {
	case errors.As(err, &ue) || isCobraUsage(err):
		fmt.Fprintln(e.stderr, "Run 'countersign --help' for usage.")
		return exitUsage
	case errors.Is(err, localapi.ErrCoreNotRunning):
		fmt.Fprintln(e.stderr, "Start Countersign (the desktop app, or `countersign daemon`) and try again.")
		return exitNoCore
	}
	return exitFailure
}

func (e *env) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "countersign",
		Short: "Approve or deny every tool call your AI clients make to MCP servers",
		Long: `Countersign sits between AI clients (Claude Desktop, Claude Code, Cursor, VS Code,
Codex, Zed, ...) and the MCP servers they launch. Every tools/call waits until you
approve it, or a rule you wrote decides. Every call is recorded in a local history.

Run without a command to start the desktop app (tray icon and approval popups).

Quick start:
  countersign daemon &                                  # or start the desktop app
  # in your client's config, launch the server through the shim:
  countersign shim --name fs -- npx -y @modelcontextprotocol/server-filesystem /tmp
  countersign pending                                   # calls waiting for you
  countersign approve ID   |   countersign deny ID --note "not that file"
  countersign rules add allow --server fs --tool 'read_*'

State lives in $COUNTERSIGN_HOME, or countersign/ in your OS config directory.
Exit codes: 0 ok, 1 failure, 2 usage error, 3 Countersign not running.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          e.runDesktop,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		e.daemonCmd(), e.statusCmd(), e.shimCmd(),
		e.pendingCmd(), e.approveCmd(), e.denyCmd(), e.rulesCmd(),
		e.clientsCmd(), e.wrapCmd(), e.unwrapCmd(),
		e.secretsCmd(),
		e.historyCmd(),
		e.toolsCmd(),
		e.authCmd(),
	)
	return root
}

// isCobraUsage recognises cobra's own argument errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// client connects to the core of the current home.
func (e *env) client() (*localapi.Client, error) {
	dir, err := home.Dir()
	if err != nil {
		return nil, err
	}
	return localapi.NewClient(home.Socket(dir)), nil
}

// exactArgs is cobra.ExactArgs with an error that counts as usage.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
