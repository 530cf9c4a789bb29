package core

import (
	"context"
	"fmt"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/store"
)

// defaultTimeout applies when a shim does not say how long to wait.
const defaultTimeout = 55 * time.Second

// Hold decides a call a shim could not decide alone: the core re-evaluates
// it with the newest rules, and asks a person when they say so.
func (c *Core) Hold(ctx context.Context, req localapi.CallRequest) (localapi.CallDecision, error) {
	if req.ID == "" || req.Tool == "" {
		return localapi.CallDecision{}, fmt.Errorf("%w: a call needs an id and a tool", localapi.ErrInvalid)
	}
	sess, ok := c.sessionInfo(req.SessionID)
	if !ok {
		return localapi.CallDecision{}, fmt.Errorf("%w: unknown session %q", localapi.ErrInvalid, req.SessionID)
	}
	client := req.Client
	if client == "" {
		client = sess.Client
	}
	rec := store.Call{
		ID: req.ID, SessionID: req.SessionID, Client: client, Server: sess.Server, Tool: req.Tool,
		Args: excerpt(req.Args), ArgsSize: req.ArgsSize, ArgsDigest: req.ArgsDigest, RequestedAt: req.RequestedAt,
	}
	// The core is authoritative on quarantine: a held tool is blocked even
	// if the shim did not know it was held.
	facts := policy.Facts{SecretInArgs: req.SecretInArgs, Quarantined: c.quarantined(ctx, sess, req.Tool), ReadOnlyClaim: req.ReadOnlyClaim}
	pc := &policy.Call{Client: client, Server: sess.Server, Tool: req.Tool, Args: req.Args}
	v := c.policy().Evaluate(pc, facts, time.Now())

	var d localapi.CallDecision
	switch v.Action {
	case policy.Allow:
		d = localapi.CallDecision{Decision: "approved", DecidedBy: "rule", RuleID: v.RuleID, Reason: v.Reason}
		if v.Reason == policy.ReasonReadOnlyTrusted {
			d.DecidedBy = "policy"
		}
	case policy.Deny:
		d = localapi.CallDecision{Decision: "blocked", DecidedBy: "rule", RuleID: v.RuleID, Reason: v.Reason}
		if v.Reason != "rule" {
			d.DecidedBy = "policy"
		}
	default:
		timeout := time.Duration(req.TimeoutMS) * time.Millisecond
		if timeout <= 0 {
			timeout = c.timeoutFor(sess.Server)
		}
		now := time.Now()
		o, err := c.broker.Ask(ctx, broker.Pending{
			ID: req.ID, SessionID: req.SessionID, Client: client, Server: sess.Server, Tool: req.Tool,
			Args: RedactHeldArgs(req.Args), ArgsSize: req.ArgsSize, Description: req.Description, Flags: req.Flags,
			RequestedAt: now, Deadline: now.Add(timeout),
		})
		if err != nil {
			return localapi.CallDecision{}, fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
		}
		d = localapi.CallDecision{Decision: o.Decision, DecidedBy: o.DecidedBy, Scope: o.Scope, Note: o.Note}
		rec.WaitMS = time.Since(now).Milliseconds()
		rec.Note = o.Note
		if o.Scope == "always" {
			d.RuleID = c.ruleFromDecision(client, sess.Server, req.Tool, o)
		}
	}
	rec.Decision, rec.DecidedBy, rec.RuleID, rec.Reason, rec.DecidedAt = d.Decision, d.DecidedBy, d.RuleID, d.Reason, time.Now()
	// The record must survive the shim: write it with a context of its own.
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.record(wctx, rec); err != nil {
		c.log.Error("could not record a call", "id", rec.ID, "err", err)
	}
	return d, nil
}

// ruleFromDecision turns "always allow/deny" into a rule for this tool.
func (c *Core) ruleFromDecision(client, server, tool string, o broker.Outcome) string {
	action := policy.Allow
	if o.Decision == "denied" {
		action = policy.Deny
	}
	r, err := c.AddRule(context.Background(), policy.Rule{
		Action: action, Server: server, Tool: tool, Note: "from a decision on " + time.Now().Format(time.DateTime),
	})
	if err != nil {
		c.log.Error("could not save the rule from a decision", "err", err)
		return ""
	}
	return r.ID
}

// Record stores what shims report about calls.
func (c *Core) Record(ctx context.Context, recs []localapi.CallRecord) error {
	calls := make([]store.Call, 0, len(recs))
	for _, r := range recs {
		calls = append(calls, store.Call{
			ID: r.ID, SessionID: r.SessionID, Client: r.Client, Server: r.Server, Tool: r.Tool,
			Args: []byte(r.Args), ArgsSize: r.ArgsSize, ArgsDigest: r.ArgsDigest,
			RequestedAt: r.RequestedAt, DecidedAt: r.DecidedAt, Decision: r.Decision, DecidedBy: r.DecidedBy,
			RuleID: r.RuleID, Reason: r.Reason, ServerMS: r.ServerMS, ResultStatus: r.ResultStatus,
			ResultExcerpt: []byte(r.ResultExcerpt), ResultSize: r.ResultSize, ResultFlags: resultFlags(r.ResultFlags),
		})
	}
	if err := c.record(ctx, calls...); err != nil {
		return fmt.Errorf("core: record: %w", err)
	}
	return nil
}

// excerpt bounds arguments kept in the history. Redaction happened in the
// shim for what it sends; held arguments come whole and are bounded here.
func excerpt(b []byte) []byte {
	if len(b) > store.MaxExcerpt {
		return b[:store.MaxExcerpt]
	}
	return b
}
