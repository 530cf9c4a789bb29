package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/historyexport"
	"github.com/countersign/countersign/internal/localapi"
)

// historyFilter is the set of flags shared by `history` and `history export`.
type historyFilter struct {
	server, tool, client, decision, search, since, until string
	limit                                                int
}

func (f *historyFilter) flags(fs *pflag.FlagSet, limitHelp string) {
	fs.StringVar(&f.server, "server", "", "only calls to this server")
	fs.StringVar(&f.tool, "tool", "", "only calls of this tool")
	fs.StringVar(&f.client, "client", "", "only calls from this client id")
	fs.StringVar(&f.decision, "decision", "", "only calls with this decision: approved, denied, timeout, cancelled or blocked")
	fs.StringVar(&f.search, "search", "", "full-text search over tool, server, arguments and note (every word must match)")
	fs.StringVar(&f.since, "since", "", "only calls from this long ago (e.g. 24h, 7d) or since this time (RFC 3339 or 2006-01-02[ 15:04])")
	fs.StringVar(&f.until, "until", "", "only calls before this time (RFC 3339 or 2006-01-02[ 15:04]) or this long ago")
	fs.IntVar(&f.limit, "limit", 0, limitHelp)
}

var decisions = map[string]bool{"approved": true, "denied": true, "timeout": true, "cancelled": true, "blocked": true}

// query validates the flags; every mistake is a usage error.
func (f *historyFilter) query(now time.Time) (localapi.HistoryQuery, error) {
	q := localapi.HistoryQuery{Server: f.server, Tool: f.tool, Client: f.client, Decision: f.decision, Search: f.search, Limit: f.limit}
	if f.decision != "" && !decisions[f.decision] {
		return q, usagef("--decision %q: want approved, denied, timeout, cancelled or blocked", f.decision)
	}
	if f.limit < 0 {
		return q, usagef("--limit must not be negative")
	}
	var err error
	if f.since != "" {
		if q.Since, err = parseWhen(f.since, now); err != nil {
			return q, usagef("--since: %v", err)
		}
	}
	if f.until != "" {
		if q.Until, err = parseWhen(f.until, now); err != nil {
			return q, usagef("--until: %v", err)
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return q, usagef("--since must be before --until")
	}
	return q, nil
}

// parseWhen reads an age ("7d", "36h": that long before now) or a time
// (RFC 3339, or a local date and time).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if d, err := core.ParseAge(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither an age (24h, 7d, 2w) nor a time (RFC 3339, 2006-01-02, 2006-01-02 15:04)", s)
}

func (e *env) historyCmd() *cobra.Command {
	var f historyFilter
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history [--server S] [--tool T] [--client C] [--decision D] [--search TEXT] [--since DUR] [--until TIME] [--limit N] [--json]",
		Short: "Review the tool calls your AI clients made, newest first",
		Long: `Review the recorded tool calls, newest first: who called which tool with which
arguments (secrets masked), what was decided and by whom. Show one call in full
with 'countersign history show ID'; export with 'history export'; remove old
calls with 'history prune'. The core keeps 90 days of history by default.`,
		Example: `  countersign history --since 24h
  countersign history --server fs --decision denied
  countersign history --search passwd --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query(time.Now())
			if err != nil {
				return err
			}
			if q.Limit > 1000 {
				return usagef("--limit is at most 1000; use 'countersign history export' for more")
			}
			if q.Limit == 0 {
				q.Limit = 100
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			defer api.Close()
			calls, err := api.History(cmd.Context(), q)
			if err != nil {
				return err
			}
			err = list(e.stdout, asJSON, calls, "No calls recorded match.",
				[]string{"ID", "TIME", "DECISION", "SERVER/TOOL", "ARGUMENTS"},
				func(c localapi.HistoryCall) []string {
					return []string{
						c.ID, c.RequestedAt.Local().Format("01-02 15:04"), orDash(c.Decision),
						clip(c.Server+"/"+c.Tool, 24), clip(argsText(c.Arguments), 17),
					}
				})
			if err != nil || asJSON {
				return err
			}
			if len(calls) == q.Limit {
				fmt.Fprintf(e.stderr, "Showing the newest %d; narrow with filters, raise --limit or use 'history export'.\n", q.Limit)
			}
			return nil
		},
	}
	f.flags(cmd.Flags(), "show at most N calls (default 100, at most 1000)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.AddCommand(e.historyShowCmd(), e.historyExportCmd(), e.historyPruneCmd(), e.historyEventsCmd())
	return cmd
}

// argsText is arguments as compact one-line text.
func argsText(raw json.RawMessage) string {
	return jsonText(raw, "", json.Compact)
}

// prettyJSON indents JSON for reading, and returns a string excerpt as is.
func prettyJSON(raw json.RawMessage) string {
	return jsonText(raw, "(none)", func(b *bytes.Buffer, src []byte) error {
		return json.Indent(b, src, "    ", "  ")
	})
}

// jsonText renders an excerpt: empty when there is none, a string excerpt
// as its text, JSON through format, and anything unreadable as it is.
func jsonText(raw json.RawMessage, empty string, format func(*bytes.Buffer, []byte) error) string {
	if len(raw) == 0 || string(raw) == "null" {
		return empty
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if format(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

func (e *env) historyShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one recorded call in full, with its arguments and result excerpt",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := e.client()
			if err != nil {
				return err
			}
			defer api.Close()
			c, err := api.HistoryCall(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, c)
			}
			printCall(e.stdout, c)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func printCall(w io.Writer, c localapi.HistoryCall) {
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-13s %s\n", k, v)
		}
	}
	when := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05.000 MST") }
	fmt.Fprintf(w, "Call %s\n", c.ID)
	line("requested", when(c.RequestedAt))
	if c.DecidedAt != nil {
		line("decided", when(*c.DecidedAt))
	}
	line("client", c.Client)
	line("server", c.Server)
	line("tool", c.Tool)
	line("tool hash", c.ToolHash)
	line("session", c.SessionID)
	decision := orDash(c.Decision)
	if c.DecidedBy != "" {
		decision += " by " + c.DecidedBy
	}
	line("decision", decision)
	line("rule", c.RuleID)
	line("reason", c.Reason)
	line("note", c.Note)
	if c.WaitMS > 0 {
		line("waited", (time.Duration(c.WaitMS)*time.Millisecond).String()+" for a person")
	}
	if c.ServerMS > 0 {
		line("server time", (time.Duration(c.ServerMS) * time.Millisecond).String())
	}
	if c.ResultStatus != "" {
		line("result", fmt.Sprintf("%s, %d bytes", c.ResultStatus, c.ResultSize))
	}
	if len(c.ResultFlags) > 0 {
		fmt.Fprintf(w, "  result flags (hidden instructions found in the result):\n")
		for _, f := range c.ResultFlags {
			fmt.Fprintf(w, "    %s at %s: %s\n", f.Kind, f.Location, f.Text)
		}
	}
	size := fmt.Sprintf("%d bytes", c.ArgumentsSize)
	if c.ArgumentsTruncated {
		size += ", excerpt shown"
	}
	if c.ArgumentsDigest != "" {
		size += ", sha256 " + c.ArgumentsDigest
	}
	fmt.Fprintf(w, "  arguments (%s):\n    %s\n", size, prettyJSON(c.Arguments))
	if c.ResultStatus != "" || len(c.ResultExcerpt) > 0 && string(c.ResultExcerpt) != "null" {
		fmt.Fprintf(w, "  result excerpt:\n    %s\n", prettyJSON(c.ResultExcerpt))
	}
}

func (e *env) historyExportCmd() *cobra.Command {
	var f historyFilter
	var format, out string
	cmd := &cobra.Command{
		Use:   "export --format jsonl|csv [--out FILE] [filters]",
		Short: "Export recorded calls as JSON lines or CSV, newest first",
		Long: `Export recorded calls, newest first, with every field, including the arguments
and result excerpts (secrets masked). jsonl writes one JSON object per line, in
the shape of 'history --json'. csv writes a header row and RFC 4180 records
(CRLF line ends); a cell that starts with = + - @ (or a tab or carriage return)
gets a leading ' so that no spreadsheet runs it as a formula. Without --out the
export goes to standard output. The file is written beside FILE and moved into
place when complete, readable by you only.`,
		Example: `  countersign history export --format csv --out calls.csv --since 7d
  countersign history export --format jsonl --server fs | jq .tool`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !historyexport.ValidFormat(format) {
				return usagef("--format must be jsonl or csv")
			}
			q, err := f.query(time.Now())
			if err != nil {
				return err
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			defer api.Close()
			walk := func(fn func(localapi.HistoryCall) error) error { return api.ExportHistory(cmd.Context(), q, fn) }
			var n int
			if out != "" && out != "-" {
				n, err = historyexport.WriteFile(out, format, walk)
			} else {
				n, err = historyexport.Write(e.stdout, format, walk)
			}
			if err != nil {
				return err
			}
			if out != "" && out != "-" {
				fmt.Fprintf(e.stderr, "Exported %d calls to %s.\n", n, out)
			}
			return nil
		},
	}
	f.flags(cmd.Flags(), "export at most N calls (default: all)")
	cmd.Flags().StringVar(&format, "format", "", "jsonl or csv (required)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	cmd.MarkFlagRequired("format")
	return cmd
}

func (e *env) historyPruneCmd() *cobra.Command {
	var olderThan string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "prune --older-than DUR",
		Short: "Remove recorded calls and events older than DUR (e.g. 30d)",
		Long: `Remove recorded calls and events older than DUR, e.g. 30d, 2w or 36h. The core
also does this daily with its retention setting (90 days by default).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := core.ParseAge(olderThan)
			if err != nil {
				return usagef("--older-than: %v", err)
			}
			if d <= 0 {
				return usagef("--older-than must be more than 0")
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			defer api.Close()
			res, err := api.PruneHistory(cmd.Context(), time.Now().Add(-d))
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(e.stdout, res)
			}
			fmt.Fprintf(e.stdout, "Removed %d calls and %d events older than %s (before %s).\n",
				res.Calls, res.Events, olderThan, res.Before.Local().Format(time.DateTime))
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "", "age, e.g. 30d, 2w, 36h (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.MarkFlagRequired("older-than")
	return cmd
}

func (e *env) historyEventsCmd() *cobra.Command {
	var f historyFilter
	var kind string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events [--kind K] [--server S] [--client C] [--since DUR] [--until TIME] [--limit N] [--json]",
		Short: "List the history's other events: sessions, tool changes, config changes, secrets used",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := f.query(time.Now())
			if err != nil {
				return err
			}
			if q.Limit > 1000 {
				return usagef("--limit is at most 1000")
			}
			api, err := e.client()
			if err != nil {
				return err
			}
			defer api.Close()
			evs, err := api.HistoryEvents(cmd.Context(), localapi.EventQuery{
				Kind: kind, Server: q.Server, Client: q.Client, Since: q.Since, Until: q.Until, Limit: q.Limit,
			})
			if err != nil {
				return err
			}
			return list(e.stdout, asJSON, evs, "No events recorded match.",
				[]string{"TIME", "KIND", "SERVER", "DETAIL"},
				func(ev localapi.HistoryEvent) []string {
					return []string{ev.At.Local().Format("01-02 15:04:05"), ev.Kind, orDash(clip(ev.Server, 14)), clip(eventDetail(ev), 30)}
				})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&kind, "kind", "", "session_started, session_ended, tool_first_seen, tool_changed, config_changed or secret_used")
	fs.StringVar(&f.server, "server", "", "only events of this server")
	fs.StringVar(&f.client, "client", "", "only events of this client id")
	fs.StringVar(&f.since, "since", "", "only events from this long ago (e.g. 24h) or since this time")
	fs.StringVar(&f.until, "until", "", "only events before this time or this long ago")
	fs.IntVar(&f.limit, "limit", 0, "show at most N events (default 100, at most 1000)")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func eventDetail(ev localapi.HistoryEvent) string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(ev.Tool)
	if ev.ExitCode != nil {
		add(fmt.Sprintf("exit %d", *ev.ExitCode))
	}
	add(ev.Secret)
	add(ev.Path)
	add(ev.Detail)
	return strings.Join(parts, " ")
}
