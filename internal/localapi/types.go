package localapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/policy"
)

// Status is the answer to GET /v1/status.
type Status struct {
	Version   string    `json:"version,omitempty"`
	PID       int       `json:"pid,omitempty"`
	Socket    string    `json:"socket"`
	Home      string    `json:"home"`
	StartedAt time.Time `json:"started_at,omitzero"`
	Pending   int       `json:"pending"`
	Sessions  int       `json:"sessions"`
	Rules     int       `json:"rules"`
	Paused    string    `json:"paused,omitempty"`
}

// SessionRequest opens a shim session (POST /v1/sessions). The response is
// a stream of SessionUpdate lines that lasts as long as the session: the
// first carries the session id and the policy in force, later ones carry a
// new policy whenever it changes. Closing the request ends the session.
type SessionRequest struct {
	Server  string   `json:"server"`
	Client  string   `json:"client,omitempty"`
	Command []string `json:"command,omitempty"`
	URL     string   `json:"url,omitempty"`
	PID     int      `json:"pid"`
}

// SessionUpdate is one line of a session stream.
type SessionUpdate struct {
	SessionID string      `json:"session_id,omitempty"`
	Policy    *policy.Set `json:"policy,omitempty"`
	// Quarantined, when not nil, is the whole held set of the session's
	// server, by kind (tool, prompt, resource_template) → keys: calls to
	// these are blocked, whatever the shim heard before.
	Quarantined map[string][]string `json:"quarantined,omitempty"`
	// ListChanged names the kinds whose lists changed for the client
	// (a person trusted held items): the shim tells the client to re-list.
	ListChanged []string `json:"list_changed,omitempty"`
	// Results, when not nil, are the tool-result settings in force
	// (results.go): sent with the first update and whenever they change.
	Results *ResultSettings `json:"results,omitempty"`
}

// CallRequest asks the core to decide a held tools/call (POST /v1/calls).
// The response comes when the call is decided; the shim cancels the request
// to withdraw the call.
type CallRequest struct {
	ID          string          `json:"id"`
	SessionID   string          `json:"session_id"`
	Client      string          `json:"client,omitempty"`
	Tool        string          `json:"tool"`
	Description string          `json:"description,omitempty"`
	Args        json.RawMessage `json:"arguments"`
	ArgsSize    int64           `json:"arguments_size"`
	ArgsDigest  string          `json:"arguments_digest"`
	TimeoutMS   int64           `json:"timeout_ms"`
	RequestedAt time.Time       `json:"requested_at"`
	Flags       []string        `json:"flags,omitempty"`
	// SecretInArgs names the secret the arguments carry ("" when none): such
	// a call always asks, whatever the rules say.
	SecretInArgs string `json:"secret_in_arguments,omitempty"`
	// ReadOnlyClaim: the server annotates the tool readOnlyHint (a claim;
	// it allows the call only from a server whose claims a person trusts).
	ReadOnlyClaim bool `json:"read_only_claim,omitempty"`
}

// CallDecision is the core's answer to a CallRequest.
type CallDecision struct {
	Decision  string `json:"decision"`   // approved, denied, timeout, cancelled, blocked
	DecidedBy string `json:"decided_by"` // user, rule, timeout, policy
	Scope     string `json:"scope,omitempty"`
	Note      string `json:"note,omitempty"`
	RuleID    string `json:"rule_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Approved reports whether the call may go to the server.
func (d CallDecision) Approved() bool { return d.Decision == "approved" }

// CallRecord is what the shim reports about a call, after the fact, through
// POST /v1/records. Records are upserts by ID: fields left empty never erase
// what the core already knows.
type CallRecord struct {
	ID            string    `json:"id"`
	SessionID     string    `json:"session_id,omitempty"`
	Client        string    `json:"client,omitempty"`
	Server        string    `json:"server,omitempty"`
	Tool          string    `json:"tool,omitempty"`
	Args          string    `json:"arguments,omitempty"` // redacted excerpt, at most 64 KiB
	ArgsSize      int64     `json:"arguments_size,omitempty"`
	ArgsDigest    string    `json:"arguments_digest,omitempty"`
	RequestedAt   time.Time `json:"requested_at,omitzero"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	Decision      string    `json:"decision,omitempty"`
	DecidedBy     string    `json:"decided_by,omitempty"`
	RuleID        string    `json:"rule_id,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	ServerMS      int64     `json:"server_ms,omitempty"`
	ResultStatus  string    `json:"result_status,omitempty"`
	ResultExcerpt string    `json:"result_excerpt,omitempty"` // redacted, at most 64 KiB
	ResultSize    int64     `json:"result_size,omitempty"`
	// ResultFlags are the scanner's findings in the result (results.go),
	// at most a few dozen; empty when it is clean or not scanned.
	ResultFlags []ResultFlag `json:"result_flags,omitempty"`
}

// Backend is what the LocalAPI serves. The core implements it.
type Backend interface {
	Status() Status
	// OpenSession registers a shim session and streams policy updates to
	// send until ctx ends, which also ends the session.
	OpenSession(ctx context.Context, req SessionRequest, send func(SessionUpdate) error) error
	Hold(ctx context.Context, req CallRequest) (CallDecision, error)
	Record(ctx context.Context, recs []CallRecord) error
	Pending() []broker.Pending
	Decide(id string, d broker.Decision) error
	Rules(ctx context.Context) ([]policy.Rule, error)
	AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error)
	RemoveRule(ctx context.Context, id string) error
	Subscribe() (<-chan broker.Event, func())

	// History (history.go): listings page newest first; ExportHistory calls
	// send for every matching call (q.Limit 0 means all) in constant memory
	// and stops at send's first error.
	History(ctx context.Context, q HistoryQuery) ([]HistoryCall, error)
	HistoryCall(ctx context.Context, id string) (HistoryCall, error)
	ExportHistory(ctx context.Context, q HistoryQuery, send func(HistoryCall) error) error
	HistoryEvents(ctx context.Context, q EventQuery) ([]HistoryEvent, error)
	PruneHistory(ctx context.Context, before time.Time) (PruneResult, error)

	// Secrets (secrets.go): metadata only, never values.
	Secrets(ctx context.Context) ([]SecretInfo, error)
	PutSecret(ctx context.Context, name string, req SecretPut) (SecretPutResult, error)
	RemoveSecret(ctx context.Context, name string) error
	SecretsUsed(ctx context.Context, rep SecretUseReport) error

	// Tool integrity (tools.go): pins of tools, prompts and resource
	// templates per server identity. ReviewList fails closed: an error
	// means the shim must not forward the list as is.
	ReviewList(ctx context.Context, rep ListReport) (ListVerdict, error)
	Tools(ctx context.Context, server string) ([]ToolPin, error)
	TrustTools(ctx context.Context, req TrustRequest) (TrustResult, error)
	ToolDiff(ctx context.Context, server, kind, name string) (ToolDiff, error)

	// Tool-result settings (results.go).
	ResultSettings(ctx context.Context) (ResultSettings, error)
	SetResultSettings(ctx context.Context, s ResultSettings) (ResultSettings, error)
	SignInNeeded(ctx context.Context, s SignInNeeded) error
}
