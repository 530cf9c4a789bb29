package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/broker"
)

func (e *env) approveCmd() *cobra.Command {
	var session, always bool
	cmd := &cobra.Command{
		Use:   "approve ID",
		Short: "Let a waiting tool call through",
		Long: `Let a waiting tool call through to its server.

  --session  also approve later calls to the same tool from the same server
             connection (until the client restarts that server)
  --always   also add a rule that allows this tool on this server from now on`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if session && always {
				return usagef("choose --session or --always, not both")
			}
			scope := "once"
			switch {
			case session:
				scope = "session"
			case always:
				scope = "always"
			}
			return e.decide(cmd, args[0], broker.Decision{Action: "approve", Scope: scope})
		},
	}
	cmd.Flags().BoolVar(&session, "session", false, "approve this tool for the rest of this server session")
	cmd.Flags().BoolVar(&always, "always", false, "approve and add an allow rule for this tool")
	return cmd
}

func (e *env) denyCmd() *cobra.Command {
	var always bool
	var note string
	cmd := &cobra.Command{
		Use:   "deny ID",
		Short: "Refuse a waiting tool call",
		Long: `Refuse a waiting tool call. The model receives an error result saying you denied
it, with your note if you give one ("use the staging database instead").

  --always   also add a rule that denies this tool on this server from now on`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			scope := "once"
			if always {
				scope = "always"
			}
			return e.decide(cmd, args[0], broker.Decision{Action: "deny", Scope: scope, Note: note})
		},
	}
	cmd.Flags().BoolVar(&always, "always", false, "deny and add a deny rule for this tool")
	cmd.Flags().StringVar(&note, "note", "", "a note returned to the model with the denial")
	return cmd
}

func (e *env) decide(cmd *cobra.Command, id string, d broker.Decision) error {
	api, err := e.client()
	if err != nil {
		return err
	}
	if err := api.Decide(cmd.Context(), id, d); err != nil {
		return err
	}
	verb := map[string]string{"approve": "Approved", "deny": "Denied"}[d.Action]
	fmt.Fprintf(e.stdout, "%s %s", verb, id)
	switch d.Scope {
	case "session":
		fmt.Fprint(e.stdout, " (and this tool for the rest of the session)")
	case "always":
		fmt.Fprint(e.stdout, " (and added a rule for this tool)")
	}
	fmt.Fprintln(e.stdout, ".")
	return nil
}
