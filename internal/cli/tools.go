package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/toolguard"
)

func (e *env) toolsCmd() *cobra.Command {
	var server string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tools [--server S] [--json]",
		Short: "List pinned tools, prompts and resource templates and their state",
		Long: `Every tools/list, prompts/list and resources/templates/list result that passes
through a shim is pinned: a SHA-256 of each item's definition, per server (its name
and a digest of its command line or URL). States:

  trusted      accepted (on first sight, or by you): passed to the client
  new          first seen while tools_review_new is on: held until you trust it
  changed      changed after it was trusted, passed through but flagged
  quarantined  changed after it was trusted, or carries hidden instructions:
               removed from what the client sees, calls to it blocked
  removed      no longer listed by the server

Review a held item with 'countersign tools diff SERVER TOOL', then accept it with
'countersign tools trust SERVER TOOL'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			pins, err := api.Tools(cmd.Context(), server)
			if err != nil {
				return err
			}
			if pins == nil {
				pins = []localapi.ToolPin{}
			}
			if asJSON {
				return printJSON(e.stdout, pins)
			}
			if len(pins) == 0 {
				fmt.Fprintln(e.stdout, "No pinned tools yet: they are pinned when a client lists them through a shim.")
				return nil
			}
			rows := make([][]string, 0, len(pins))
			for _, p := range pins {
				var notes []string
				if p.Reason != "" {
					notes = append(notes, p.Reason)
				}
				for _, f := range p.Findings {
					notes = append(notes, string(f.Kind)+" at "+f.Location)
				}
				if len(p.Collisions) > 0 {
					notes = append(notes, "also offered by "+strings.Join(p.Collisions, ", "))
				}
				name := p.Name
				if p.Kind != string(toolguard.KindTool) {
					name = p.Kind + ":" + p.Name
				}
				rows = append(rows, []string{p.Server, clip(name, 40), p.State, clip(orDash(strings.Join(notes, "; ")), 70)})
			}
			return table(e.stdout, []string{"SERVER", "TOOL", "STATE", "NOTES"}, rows)
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "only this server (its name)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.AddCommand(e.toolsTrustCmd(), e.toolsDiffCmd())
	return cmd
}

func (e *env) toolsTrustCmd() *cobra.Command {
	var kind string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "trust SERVER [TOOL...]",
		Short: "Accept the current definitions (after review); every held item of SERVER when no TOOL",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("%s needs a SERVER", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			res, err := api.TrustTools(cmd.Context(), localapi.TrustRequest{Server: args[0], Kind: kind, Names: args[1:]})
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, res)
			}
			if len(res.Trusted) == 0 {
				fmt.Fprintf(e.stdout, "Nothing of %s was held: nothing to trust.\n", args[0])
				return nil
			}
			fmt.Fprintf(e.stdout, "Trusted on %s: %s. Its clients were told to list again.\n", args[0], strings.Join(res.Trusted, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only items of this kind: tool, prompt or resource_template")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func (e *env) toolsDiffCmd() *cobra.Command {
	var kind string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff SERVER TOOL",
		Short: "Show what changed since the definition was trusted (removed [-…-], added {+…+}; invisible characters shown)",
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			d, err := api.ToolDiff(cmd.Context(), args[0], kind, args[1])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, d)
			}
			fmt.Fprintf(e.stdout, "%s %s on %s (%s), %s:\n%s", d.Kind, d.Name, d.Server, d.ServerID, d.State, d.Diff)
			if !strings.HasSuffix(d.Diff, "\n") {
				fmt.Fprintln(e.stdout)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "tool, prompt or resource_template (default: any)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}
