package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Size bounds enforced on every Record, whatever the caller already did.
const (
	// MaxExcerpt is the most bytes of an argument or result excerpt stored;
	// longer excerpts are cut (at a UTF-8 boundary) and the full size kept.
	MaxExcerpt = 64 << 10
	// maxNote bounds the note a person typed.
	maxNote = 8 << 10
	// maxField bounds every other text field (names, ids, hashes).
	maxField = 1 << 10
	// maxID bounds a call id; a longer id is an error, not truncated, since
	// truncating could merge two different calls.
	maxID = 256
)

// Call is one intercepted tools/call. Record merges calls with the same ID:
// a non-empty (non-zero) field replaces the stored one, an empty field
// leaves it alone, so the decision and the result may arrive in either
// order from different processes.
type Call struct {
	ID            string // call id, assigned by the core or shim
	SessionID     string
	Client        string
	Server        string
	Tool          string
	Args          []byte    // JSON excerpt of the arguments, redacted by the caller, <= 64 KiB
	ArgsSize      int64     // full size in bytes of the arguments
	ArgsDigest    string    // hex sha256 of the raw argument bytes (stored as 32 bytes, returned lower case)
	RequestedAt   time.Time // when zero on the first report, the time it was recorded
	DecidedAt     time.Time // zero while undecided
	Decision      string    // approved|denied|timeout|cancelled|blocked ("" = not decided yet)
	DecidedBy     string    // user|rule|timeout|policy
	RuleID        string
	Note          string
	Reason        string // machine-readable reason for blocked (e.g. "core_unreachable", "rule", "quarantine")
	WaitMS        int64  // time waiting for a person
	ServerMS      int64  // time the server took (0 when not forwarded)
	ResultStatus  string // ok|error|server_exited|none|"" (unknown yet)
	ResultExcerpt []byte // bounded excerpt, redacted by the caller, <= 64 KiB
	ResultSize    int64
	ToolHash      string // tool definition hash at that moment, may be empty
	// ResultFlags are the scanner's findings in the result (at most
	// maxResultFlags are kept); nil leaves the stored ones alone.
	ResultFlags []ResultFlag
}

// ResultFlag is one finding in a call's result: its kind, where in the
// result, and the offending text made visible.
type ResultFlag struct {
	Kind     string `json:"kind"`
	Location string `json:"location"`
	Text     string `json:"text"`
}

// maxResultFlags bounds the flags stored per call.
const maxResultFlags = 64

var (
	validDecisions    = set("approved", "denied", "timeout", "cancelled", "blocked")
	validDecidedBy    = set("user", "rule", "timeout", "policy")
	validResultStatus = set("ok", "error", "server_exited", "none", "withheld")
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// Record upserts calls by ID (see [Call] for the merge rule) and returns
// once the transaction holding them has committed. Calls from concurrent
// Record invocations are group-committed in one transaction. Every call is
// validated before anything is queued; an invalid call fails the whole
// Record and nothing of it is written. Excerpts longer than [MaxExcerpt] are
// cut and their full size kept.
func (s *Store) Record(ctx context.Context, calls ...Call) error {
	if len(calls) == 0 {
		return nil
	}
	rows := make([][]any, len(calls))
	for i := range calls {
		c := calls[i] // a copy: redaction must not touch the caller's slice
		s.redactCall(&c)
		r, err := callRow(&c)
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for i, r := range rows {
			if err := s.stageCall(tx, r); err != nil {
				return fmt.Errorf("store: record call %q: %w", calls[i].ID, err)
			}
		}
		return nil
	})
}

// callRow validates c, applies the size bounds and returns the 22 upsert
// column values in the order of callColumns.
func callRow(c *Call) ([]any, error) {
	if c.ID == "" {
		return nil, fmt.Errorf("store: record call: empty id")
	}
	if len(c.ID) > maxID {
		return nil, fmt.Errorf("store: record call: id longer than %d bytes", maxID)
	}
	bad := func(field, v string) error {
		return fmt.Errorf("store: record call %q: invalid %s %q", c.ID, field, v)
	}
	if c.Decision != "" && !validDecisions[c.Decision] {
		return nil, bad("decision", c.Decision)
	}
	if c.DecidedBy != "" && !validDecidedBy[c.DecidedBy] {
		return nil, bad("decided_by", c.DecidedBy)
	}
	if c.ResultStatus != "" && !validResultStatus[c.ResultStatus] {
		return nil, bad("result_status", c.ResultStatus)
	}
	var digest any
	if c.ArgsDigest != "" {
		b, err := hex.DecodeString(c.ArgsDigest)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("store: record call %q: args digest is not a hex sha256", c.ID)
		}
		digest = b
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"args size", c.ArgsSize}, {"result size", c.ResultSize}, {"wait", c.WaitMS}, {"server time", c.ServerMS}} {
		if f.v < 0 {
			return nil, fmt.Errorf("store: record call %q: negative %s", c.ID, f.name)
		}
	}
	reqAt, err := nanos(c.RequestedAt)
	if err != nil {
		return nil, fmt.Errorf("store: record call %q: requested_at: %w", c.ID, err)
	}
	decAt, err := nanos(c.DecidedAt)
	if err != nil {
		return nil, fmt.Errorf("store: record call %q: decided_at: %w", c.ID, err)
	}

	args, argsSize := excerpt(c.Args, c.ArgsSize)
	result, resultSize := excerpt(c.ResultExcerpt, c.ResultSize)
	var argsText any
	if args != nil {
		argsText = string(args)
	}
	var resultBlob any
	if result != nil {
		resultBlob = result
	}
	var flags any
	if len(c.ResultFlags) > 0 {
		fs := c.ResultFlags[:min(len(c.ResultFlags), maxResultFlags)]
		bounded := make([]ResultFlag, len(fs))
		for i, f := range fs {
			bounded[i] = ResultFlag{Kind: cut(f.Kind, maxField), Location: cut(f.Location, maxField), Text: cut(f.Text, maxField)}
		}
		b, err := json.Marshal(bounded)
		if err != nil {
			return nil, fmt.Errorf("store: record call %q: result flags: %w", c.ID, err)
		}
		flags = string(b)
	}
	return []any{
		c.ID,
		text(c.SessionID, maxField),
		text(c.Client, maxField),
		text(c.Server, maxField),
		text(c.Tool, maxField),
		argsText,
		positive(argsSize),
		digest,
		reqAt,
		decAt,
		text(c.Decision, maxField),
		text(c.DecidedBy, maxField),
		text(c.RuleID, maxField),
		text(c.Note, maxNote),
		text(c.Reason, maxField),
		positive(c.WaitMS),
		positive(c.ServerMS),
		text(c.ResultStatus, maxField),
		resultBlob,
		positive(resultSize),
		text(c.ToolHash, maxField),
		flags,
	}, nil
}

// excerpt cuts b to MaxExcerpt bytes at a UTF-8 boundary and returns the
// full size: the larger of the size the caller reported and len(b).
func excerpt(b []byte, size int64) ([]byte, int64) {
	if int64(len(b)) > size {
		size = int64(len(b))
	}
	if len(b) == 0 {
		return nil, size
	}
	return cut(b, MaxExcerpt), size
}

// cut shortens b to at most n bytes without splitting a UTF-8 sequence.
func cut[T ~string | ~[]byte](b T, n int) T {
	if len(b) <= n {
		return b
	}
	i := n
	for i > 0 && i > n-utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	if !utf8.RuneStart(b[i]) {
		i = n // not UTF-8 text: cut at the byte bound
	}
	return b[:i]
}

// text maps "" to NULL (nothing to merge) and bounds the length.
func text(v string, n int) any {
	if v == "" {
		return nil
	}
	return cut(v, n)
}

// positive maps 0 to NULL (nothing to merge).
func positive(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// Times are stored as unix nanoseconds, which cover 1678 to 2262.
var (
	minTime = time.Unix(0, -1<<63)
	maxTime = time.Unix(0, 1<<63-1)
)

// nanos maps the zero time (and the Unix epoch itself, which the merge
// uses as "absent") to NULL and refuses times int64 nanoseconds cannot
// hold.
func nanos(t time.Time) (any, error) {
	if t.IsZero() || t.UnixNano() == 0 {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("time %s out of range", t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// Call returns the call with the given id, and false when there is none.
func (s *Store) Call(ctx context.Context, id string) (Call, bool, error) {
	if err := s.readable(); err != nil {
		return Call{}, false, err
	}
	row := s.rdb.QueryRowContext(ctx, "SELECT "+callColumns+" FROM calls WHERE id = ?", id)
	c, err := scanCall(row)
	if err == sql.ErrNoRows {
		return Call{}, false, nil
	}
	if err != nil {
		return Call{}, false, fmt.Errorf("store: call %q: %w", id, err)
	}
	return c, true, nil
}

const callColumns = `id, session_id, client, server, tool, args, args_size, args_digest,
	requested_at, decided_at, decision, decided_by, rule_id, note, reason,
	wait_ms, server_ms, result_status, result_excerpt, result_size, tool_hash, result_flags`

type scanner interface{ Scan(dest ...any) error }

func scanCall(r scanner) (Call, error) {
	var (
		c                                                        Call
		session, client, server, tool, decision, decidedBy, rule sql.NullString
		note, reason, status, toolHash, args, flags              sql.NullString
		argsSize, waitMS, serverMS, resultSize, reqAt, decAt     sql.NullInt64
		digest, result                                           []byte
	)
	err := r.Scan(&c.ID, &session, &client, &server, &tool, &args, &argsSize, &digest,
		&reqAt, &decAt, &decision, &decidedBy, &rule, &note, &reason,
		&waitMS, &serverMS, &status, &result, &resultSize, &toolHash, &flags)
	if err != nil {
		return Call{}, err
	}
	c.SessionID = session.String
	c.Client = client.String
	c.Server = server.String
	c.Tool = tool.String
	if args.Valid {
		c.Args = []byte(args.String)
	}
	c.ArgsSize = argsSize.Int64
	if digest != nil {
		c.ArgsDigest = hex.EncodeToString(digest)
	}
	c.RequestedAt = fromNanos(reqAt)
	c.DecidedAt = fromNanos(decAt)
	c.Decision = decision.String
	c.DecidedBy = decidedBy.String
	c.RuleID = rule.String
	c.Note = note.String
	c.Reason = reason.String
	c.WaitMS = waitMS.Int64
	c.ServerMS = serverMS.Int64
	c.ResultStatus = status.String
	if len(result) > 0 {
		c.ResultExcerpt = result
	}
	c.ResultSize = resultSize.Int64
	c.ToolHash = toolHash.String
	if flags.Valid && flags.String != "" {
		if err := json.Unmarshal([]byte(flags.String), &c.ResultFlags); err != nil {
			return Call{}, fmt.Errorf("result flags: %w", err)
		}
	}
	return c, nil
}
