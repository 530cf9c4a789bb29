package historyexport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// The export formats.
const (
	JSONL = "jsonl"
	CSV   = "csv"
)

// Walk hands every call to export to fn, in order, and stops at fn's first
// error: the LocalAPI client's or the core's ExportHistory with its query.
type Walk func(fn func(localapi.HistoryCall) error) error

// ValidFormat reports whether format is one this package writes.
func ValidFormat(format string) bool { return format == JSONL || format == CSV }

// Write streams the calls of walk to w in format and returns how many it
// wrote. w is flushed before Write returns, also on error.
func Write(w io.Writer, format string, walk Walk) (int, error) {
	n := 0
	var write func(localapi.HistoryCall) error
	var flush func() error
	switch format {
	case CSV:
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		if err := cw.Write(Header); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		write = func(c localapi.HistoryCall) error { return cw.Write(Record(c)) }
		flush = func() error { cw.Flush(); return cw.Error() }
	case JSONL:
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(c localapi.HistoryCall) error { return enc.Encode(c) }
		flush = bw.Flush
	default:
		return 0, fmt.Errorf("export: format %q: want jsonl or csv", format)
	}
	err := walk(func(c localapi.HistoryCall) error {
		if err := write(c); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n++
		return nil
	})
	if ferr := flush(); err == nil && ferr != nil {
		err = fmt.Errorf("export: %w", ferr)
	}
	return n, err
}

// WriteFile writes the export to path: into a temporary file beside it,
// readable by the user only (0600), which is synced and renamed over path
// once every call is written. On error nothing is left behind and an
// existing file at path is untouched.
func WriteFile(path, format string, walk Walk) (int, error) {
	if !ValidFormat(format) {
		return 0, fmt.Errorf("export: format %q: want jsonl or csv", format)
	}
	// os.CreateTemp creates the file 0600; the rename keeps that mode.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	bw := bufio.NewWriterSize(tmp, 64<<10)
	n, err := Write(bw, format, walk)
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return n, err
	}
	err = bw.Flush()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return n, fmt.Errorf("export: write %s: %w", path, err)
	}
	return n, nil
}

// Header is the column order of CSV exports; Record follows it.
var Header = []string{
	"id", "requested_at", "decided_at", "client", "server", "tool", "decision", "decided_by", "rule_id",
	"reason", "note", "wait_ms", "server_ms", "result_status", "arguments_size", "arguments_truncated",
	"result_size", "arguments_digest", "tool_hash", "session_id", "arguments", "result_excerpt",
}

// Record is one call as a CSV record, in the order of Header.
func Record(c localapi.HistoryCall) []string {
	decided := ""
	if c.DecidedAt != nil {
		decided = c.DecidedAt.UTC().Format(time.RFC3339Nano)
	}
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	rec := []string{
		c.ID, c.RequestedAt.UTC().Format(time.RFC3339Nano), decided, c.Client, c.Server, c.Tool, c.Decision, c.DecidedBy, c.RuleID,
		c.Reason, c.Note, i64(c.WaitMS), i64(c.ServerMS), c.ResultStatus, i64(c.ArgumentsSize), strconv.FormatBool(c.ArgumentsTruncated),
		i64(c.ResultSize), c.ArgumentsDigest, c.ToolHash, c.SessionID, Text(c.Arguments), Text(c.ResultExcerpt),
	}
	for i, v := range rec {
		rec[i] = defuseFormula(v)
	}
	return rec
}

// Text is an excerpt as one line of text: "" when there is none, a string
// excerpt as its text, JSON compacted, anything unreadable as it is.
func Text(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) == nil {
		return b.String()
	}
	return string(raw)
}

// defuseFormula prefixes a cell a spreadsheet would evaluate with a quote
// (OWASP "CSV injection"): cells starting with = + - @, tab or CR.
func defuseFormula(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
