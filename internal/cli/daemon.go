package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/core"
)

func (e *env) daemonCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "daemon",
		Short: "Run the Countersign core without the desktop app, in the foreground",
		Long: `Run the Countersign core without GUI: it holds tool calls for approval, applies
your rules and records the history. Decide calls with 'countersign pending',
'approve' and 'deny'. Stop it with Ctrl-C. Only one core runs per state directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: logLevel()}))
			c, err := core.Open(ctx, core.Options{Logger: log})
			if errors.Is(err, core.ErrAlreadyRunning) {
				return fmt.Errorf("%w: use it, or stop it first", err)
			}
			if err != nil {
				return err
			}
			defer c.Close()
			return c.Serve(ctx)
		},
	}
}
