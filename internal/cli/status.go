package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
)

// statusJSON is the --json shape of `countersign status`.
type statusJSON struct {
	Running bool `json:"running"`
	localapi.Status
}

func (e *env) statusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show whether the core is running, its version, socket and counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			st, err := api.Status(cmd.Context())
			if errors.Is(err, localapi.ErrCoreNotRunning) {
				dir, _ := home.Dir()
				if asJSON {
					printJSON(e.stdout, statusJSON{Status: localapi.Status{Socket: home.Socket(dir), Home: dir}})
				} else {
					fmt.Fprintf(e.stdout, "Countersign is not running (socket %s).\n", home.Socket(dir))
				}
				return exitError{exitNoCore}
			}
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, statusJSON{Running: true, Status: st})
			}
			fmt.Fprintf(e.stdout, "Countersign %s is running (pid %d, up %s).\n", st.Version, st.PID, ago(st.StartedAt))
			fmt.Fprintf(e.stdout, "  socket    %s\n  home      %s\n  pending   %d\n  sessions  %d\n  rules     %d\n",
				st.Socket, st.Home, st.Pending, st.Sessions, st.Rules)
			if st.Paused != "" {
				fmt.Fprintf(e.stdout, "  paused    %s every call\n", st.Paused)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
