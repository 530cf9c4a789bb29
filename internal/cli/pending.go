package cli

import (
	"fmt"
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
			if p == nil {
				p = []broker.Pending{}
			}
			if asJSON {
				return printJSON(e.stdout, p)
			}
			if len(p) == 0 {
				fmt.Fprintln(e.stdout, "No calls are waiting.")
				return nil
			}
			rows := make([][]string, 0, len(p))
			for _, c := range p {
				left := time.Until(c.Deadline).Round(time.Second)
				rows = append(rows, []string{c.ID, orDash(c.Client), c.Server, c.Tool, left.String(), clip(string(c.Args), 60)})
			}
			return table(e.stdout, []string{"ID", "CLIENT", "SERVER", "TOOL", "DENIED IN", "ARGUMENTS"}, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
