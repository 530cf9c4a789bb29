package shim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/toolguard"
)

// maxExcerpt bounds what the history keeps of arguments and results.
const maxExcerpt = 64 << 10

// inflight is a forwarded tools/call whose response is awaited.
type inflight struct {
	rec       localapi.CallRecord
	forwarded time.Time
}

// call decides one tools/call from the client.
func (s *shim) call(line []byte, m message) error {
	now := time.Now()
	rec := localapi.CallRecord{
		ID: broker.NewID(), Client: s.clientName(), Server: s.cfg.Name, RequestedAt: now,
	}
	cp, err := parseCallParams(m.params)
	if err == nil {
		line, cp.name, err = s.unnamespaceCall(line, cp.name)
	}
	if err != nil {
		rec.Decision, rec.DecidedBy, rec.Reason, rec.DecidedAt = "blocked", "policy", "unreadable", now
		s.record(rec)
		return s.deny(m.id, "Countersign blocked this tool call: "+err.Error()+".")
	}
	rec.Tool = cp.name
	rec.ArgsSize = int64(len(cp.args))
	rec.ArgsDigest = digest(cp.args)
	rec.Args = s.excerpt(cp.args)

	set := s.link.current(s.ctx)
	if set == nil {
		rec.Decision, rec.DecidedBy, rec.Reason, rec.DecidedAt = "blocked", "policy", "core_unreachable", time.Now()
		s.record(rec)
		return s.deny(m.id, coreDownText)
	}
	secret := s.cfg.SecretIn(cp.args)
	pc := &policy.Call{Client: rec.Client, Server: s.cfg.Name, Tool: cp.name, Args: cp.args}
	quarantined := s.isHeld(toolguard.KindTool, cp.name)
	readOnly := s.claimsReadOnly(cp.name)
	v := set.Evaluate(pc, policy.Facts{Quarantined: quarantined, SecretInArgs: secret, SessionGrant: s.granted(cp.name), ReadOnlyClaim: readOnly}, now)
	switch v.Action {
	case policy.Allow:
		rec.Decision, rec.DecidedAt, rec.RuleID, rec.Reason = "approved", now, v.RuleID, v.Reason
		rec.DecidedBy = "rule"
		if v.Reason == policy.ReasonReadOnlyTrusted {
			rec.DecidedBy = "policy"
		}
		if v.Reason == "session" {
			rec.DecidedBy = "user"
		}
		return s.forwardCall(line, m.id, rec)
	case policy.Deny:
		rec.Decision, rec.DecidedBy, rec.DecidedAt, rec.RuleID, rec.Reason = "blocked", "rule", now, v.RuleID, v.Reason
		if v.Reason != "rule" {
			rec.DecidedBy = "policy"
		}
		s.record(rec)
		return s.deny(m.id, blockedText(cp.name, s.cfg.Name, v))
	}
	// Ask: the call waits for the core without holding up other messages.
	// The line lives in the reader's buffer, which the next message
	// overwrites: the waiting call keeps copies of all it uses later.
	held := bytes.Clone(line)
	id := bytes.Clone(m.id)
	cp.args = bytes.Clone(cp.args)
	cp.progressToken = bytes.Clone(cp.progressToken)
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	if _, dup := s.held[string(id)]; dup {
		s.mu.Unlock()
		cancel()
		return s.toClient.write(rpcError(id, -32600, "Invalid Request: a call with this id is already waiting for approval"))
	}
	s.held[string(id)] = cancel
	s.mu.Unlock()
	var flags []string
	if secret != "" {
		flags = append(flags, "carries a "+secret)
	}
	req := localapi.CallRequest{
		ID: rec.ID, Client: rec.Client, Tool: cp.name, Args: cp.args, ArgsSize: rec.ArgsSize,
		ArgsDigest: rec.ArgsDigest, TimeoutMS: s.timeout().Milliseconds(), RequestedAt: now,
		Description: s.toolDescription(cp.name), Flags: append(append(flags, s.guardFlagsFor(cp.name)...), s.toolFlags(cp.name)...), SecretInArgs: secret,
		ReadOnlyClaim: readOnly,
	}
	s.holds.Add(1)
	go func() {
		defer s.holds.Done()
		defer cancel()
		s.hold(ctx, held, id, cp, req, rec)
	}()
	return nil
}

// hold waits for the core's decision on one call and applies it.
func (s *shim) hold(ctx context.Context, line, id []byte, cp callParams, req localapi.CallRequest, rec localapi.CallRecord) {
	defer func() {
		s.mu.Lock()
		delete(s.held, string(id))
		s.mu.Unlock()
	}()
	if cp.progressToken != nil {
		stop := s.keepAlive(cp.progressToken, time.Duration(req.TimeoutMS)*time.Millisecond)
		defer stop()
	}
	req.SessionID = s.link.currentSession()
	// The core enforces the timeout; the margin only guards against a core
	// that stops answering.
	wait, cancel := context.WithTimeout(ctx, time.Duration(req.TimeoutMS)*time.Millisecond+10*time.Second)
	defer cancel()
	d, err := s.api.Hold(wait, req)
	switch {
	case ctx.Err() != nil:
		return // withdrawn: the client cancelled or went away; the core records it
	case err != nil:
		s.cfg.Log.Warn("the core did not decide a call", "tool", cp.name, "err", err)
		rec.Decision, rec.DecidedBy, rec.Reason, rec.DecidedAt = "blocked", "policy", "core_unreachable", time.Now()
		if errors.Is(err, context.DeadlineExceeded) {
			rec.Decision, rec.DecidedBy, rec.Reason = "timeout", "timeout", "core_silent"
		}
		s.record(rec)
		s.deny(id, coreDownText)
		return
	}
	rec.Decision, rec.DecidedBy, rec.RuleID, rec.Reason = d.Decision, d.DecidedBy, d.RuleID, d.Reason
	switch d.Decision {
	case "approved":
		if d.Scope == "session" {
			s.grant(cp.name)
		}
		// The core recorded the decision; the result follows as an update.
		s.forwardCall(line, id, localapi.CallRecord{ID: rec.ID})
	case "cancelled":
	default:
		s.deny(id, decisionText(cp.name, s.cfg.Name, time.Duration(req.TimeoutMS)*time.Millisecond, d))
	}
}

// forwardCall sends an allowed call to the server and tracks its response.
func (s *shim) forwardCall(line, id []byte, rec localapi.CallRecord) error {
	s.mu.Lock()
	s.inflight[string(id)] = &inflight{rec: rec, forwarded: time.Now()}
	s.mu.Unlock()
	s.tracked.Add(1)
	return s.toServer.write(line)
}

// serverResponse completes the record of a call, or has a list result
// reviewed; it returns what to forward to the client.
func (s *shim) serverResponse(m message, line []byte) []byte {
	if r, ok := s.takeList(m.id); ok {
		return s.listResponse(r, m, line)
	}
	key := string(m.id)
	s.mu.Lock()
	f, isCall := s.inflight[key]
	if isCall {
		delete(s.inflight, key)
	}
	s.mu.Unlock()
	if !isCall {
		return line
	}
	s.tracked.Add(-1)
	rec := f.rec
	rec.ServerMS = time.Since(f.forwarded).Milliseconds()
	switch {
	case m.result == nil:
		rec.ResultStatus = "error"
		rec.ResultSize = int64(len(line))
		rec.ResultExcerpt = s.excerpt(line)
	case resultIsError(m.result):
		rec.ResultStatus = "error"
		rec.ResultSize = int64(len(m.result))
		rec.ResultExcerpt = s.excerpt(m.result)
	default:
		rec.ResultStatus = "ok"
		rec.ResultSize = int64(len(m.result))
		rec.ResultExcerpt = s.excerpt(m.result)
	}
	if m.result != nil {
		if flags := s.scanResult(m.result); len(flags) > 0 {
			rec.ResultFlags = flags
			if s.link.blockFlagged.Load() {
				rec.ResultStatus = "withheld"
				s.record(rec)
				s.cfg.Log.Warn("withheld a tool result carrying hidden instructions", "tool", rec.Tool, "call", rec.ID)
				return denial(m.id, withheldText(rec.Tool, s.cfg.Name, rec.ID, flags))
			}
		}
	}
	s.record(rec)
	return line
}

// endInflight answers and records the calls the server never answered, so
// the model reads why instead of waiting for a reply that cannot come.
func (s *shim) endInflight(status string) {
	s.mu.Lock()
	var recs []localapi.CallRecord
	for k, f := range s.inflight {
		s.toClient.write(rpcError([]byte(k), -32603, "Countersign: the MCP server "+s.cfg.Name+" exited before answering this call"))
		r := f.rec
		r.ResultStatus = status
		r.ServerMS = time.Since(f.forwarded).Milliseconds()
		recs = append(recs, r)
		delete(s.inflight, k)
	}
	s.mu.Unlock()
	for _, r := range recs {
		s.record(r)
	}
}

func (s *shim) record(rec localapi.CallRecord) { s.rec.add(rec) }

func (s *shim) granted(tool string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[tool]
}

func (s *shim) grant(tool string) {
	s.mu.Lock()
	s.grants[tool] = true
	s.mu.Unlock()
}

// excerpt is the redacted, bounded text the history keeps.
func (s *shim) excerpt(b []byte) string {
	if len(b) > maxExcerpt {
		b = b[:maxExcerpt]
	}
	return string(s.cfg.Redact(b))
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// deny answers a call with a CallToolResult the model can read.
func (s *shim) deny(id []byte, text string) error {
	return s.toClient.write(denial(id, text))
}

func denial(id []byte, text string) []byte {
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":{"content":[{"type":"text","text":%s}],"isError":true}}`+"\n", id, jsonString(text))
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

const coreDownText = "Countersign denied this tool call because the Countersign app is not running, so no one can approve it. " +
	"Ask the user to start Countersign (the desktop app, or `countersign daemon`) and then try again."

func blockedText(tool, server string, v policy.Verdict) string {
	switch v.Reason {
	case "quarantine":
		return fmt.Sprintf("Countersign blocked the call to %q on server %q: the tool is quarantined until the user reviews its definition "+
			"(it changed after it was trusted, or it carries hidden text aimed at the model).", tool, server)
	case "paused":
		return fmt.Sprintf("Countersign denied the call to %q on server %q: the user has paused tool calls.", tool, server)
	}
	return fmt.Sprintf("Countersign denied the call to %q on server %q: a rule the user set (%s) denies it.", tool, server, v.RuleID)
}

func decisionText(tool, server string, timeout time.Duration, d localapi.CallDecision) string {
	switch {
	case d.Decision == "timeout":
		return fmt.Sprintf("Countersign denied the call to %q on server %q: no one approved it within %s.", tool, server, timeout)
	case d.Decision == "blocked" && d.Reason == "rule":
		return blockedText(tool, server, policy.Verdict{Reason: "rule", RuleID: d.RuleID})
	case d.Decision == "blocked":
		return blockedText(tool, server, policy.Verdict{Reason: d.Reason})
	}
	text := fmt.Sprintf("The user denied this call to %q on server %q via Countersign.", tool, server)
	if d.Note != "" {
		text += " Note from the user: " + d.Note
	}
	return text
}

// timeout is how long a held call waits for a person: --timeout when the
// shim was given one, else the Settings value the core pushed for this
// server, else DefaultTimeout.
func (s *shim) timeout() time.Duration {
	if s.cfg.Timeout > 0 {
		return s.cfg.Timeout
	}
	if set := s.link.policy.Load(); set != nil {
		if d := set.Timeouts.For(s.cfg.Name); d > 0 {
			return d
		}
	}
	return DefaultTimeout
}
