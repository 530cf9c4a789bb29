package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/broker"
)

func (e *env) pendingCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "pending",
		Short: "List the tool calls waiting for your decision",
		Long: `List the tool calls waiting for your decision: id, client, server, tool, arguments
and the time left before the call is denied automatically. Decide one with
'countersign approve ID' or 'countersign deny ID'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			p, err := api.Pending(cmd.Context())
			if err != nil {
				return err
			}
			return list(e.stdout, asJSON, p, "No calls are waiting.",
				[]string{"ID", "CLIENT", "SERVER", "TOOL", "DENIED IN", "ARGUMENTS"},
				func(c broker.Pending) []string {
					left := time.Until(c.Deadline).Round(time.Second)
					return []string{c.ID, orDash(c.Client), c.Server, c.Tool, left.String(), clip(string(c.Args), 60)}
				})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
