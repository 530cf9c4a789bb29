package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/countersign/countersign/internal/policy"
)

func (e *env) rulesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, add and remove the rules that decide calls without asking",
		Long: `Rules decide tool calls without asking you. They are checked in this order:
quarantined tools are blocked, calls carrying a secret always ask, then deny rules,
then tools you approved for the session, then ask rules, then allow rules;
anything left asks you.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			rules, err := api.Rules(cmd.Context())
			if err != nil {
				return err
			}
			return list(e.stdout, asJSON, rules, "No rules: every tool call asks you.",
				[]string{"ID", "ACTION", "SERVER", "TOOL", "ARGUMENTS", "CLIENT", "EXPIRES"},
				func(r policy.Rule) []string {
					var args []string
					for _, a := range r.Args {
						args = append(args, a.String())
					}
					expires := "-"
					if r.ExpiresAt != nil {
						expires = r.ExpiresAt.Local().Format(time.DateTime)
					}
					return []string{r.ID, string(r.Action), r.Server, orDash(r.Tool), orDash(strings.Join(args, " ")), orDash(r.Client), expires}
				})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.AddCommand(e.rulesAddCmd(), e.rulesRmCmd())
	return cmd
}

func (e *env) rulesAddCmd() *cobra.Command {
	var r policy.Rule
	var args []string
	var expires time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add allow|deny|ask --server S [--tool GLOB] [--arg PATH=GLOB]... [--client ID] [--expires DUR]",
		Short: "Add a rule",
		Example: `  countersign rules add allow --server fs --tool 'read_*'
  countersign rules add deny --server github --tool delete_repository
  countersign rules add allow --server fs --tool read_file --arg 'path=/home/me/work/**' --expires 8h`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, pos []string) error {
			action, err := policy.ParseAction(pos[0])
			if err != nil {
				return usageError{err}
			}
			r.Action = action
			for _, a := range args {
				c, err := policy.ParseArgCond(a)
				if err != nil {
					return usageError{err}
				}
				r.Args = append(r.Args, c)
			}
			if expires < 0 {
				return usagef("--expires must be positive")
			}
			if expires > 0 {
				t := time.Now().Add(expires).UTC()
				r.ExpiresAt = &t
			}
			if err := r.Validate(); err != nil {
				return usageError{err}
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			added, err := api.AddRule(cmd.Context(), r)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, added)
			}
			fmt.Fprintf(e.stdout, "Added rule %s: %s calls to %s on server %s.\n", added.ID, added.Action, orAll(added.Tool), added.Server)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&r.Server, "server", "", "server name (glob; '*' for every server)")
	f.StringVar(&r.Tool, "tool", "", "tool name glob, e.g. 'read_*' (default: every tool)")
	f.StringVar(&r.Client, "client", "", "only calls from this client id (glob)")
	f.StringArrayVar(&args, "arg", nil, "argument condition (repeatable; all must match): PATH=GLOB, PATH~=REGEX, PATH==VALUE, PATH<N, PATH<=N, PATH>N, PATH>=N; e.g. 'path=/home/me/work/**'")
	f.DurationVar(&expires, "expires", 0, "the rule stops applying after this long, e.g. 8h")
	f.StringVar(&r.Note, "note", "", "why this rule exists")
	f.BoolVar(&asJSON, "json", false, "print the new rule as JSON")
	cmd.MarkFlagRequired("server")
	return cmd
}

func orAll(tool string) string {
	if tool == "" {
		return "every tool"
	}
	return tool
}

func (e *env) rulesRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rm RULE_ID",
		Short: "Remove a rule",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			if err := api.RemoveRule(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Removed rule %s.\n", args[0])
			return nil
		},
	}
}
