package policy

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Call is what policy needs to know about one tools/call.
type Call struct {
	Client string
	Server string
	Tool   string
	// Args is the raw JSON of params.arguments. It is decoded only when a
	// rule narrowed by argument values needs it.
	Args json.RawMessage

	once    sync.Once
	decoded map[string]any
	ok      bool
}

func (c *Call) decodedArgs() (map[string]any, bool) {
	c.once.Do(func() {
		if len(c.Args) == 0 {
			c.decoded, c.ok = map[string]any{}, true
			return
		}
		d := json.NewDecoder(bytes.NewReader(c.Args))
		d.UseNumber()
		c.ok = d.Decode(&c.decoded) == nil
	})
	return c.decoded, c.ok
}

// Facts are what the caller found out about a call before asking policy.
type Facts struct {
	// Quarantined is set when the tool's definition changed and was not reviewed.
	Quarantined bool
	// SecretInArgs names what was found ("stored secret OPENAI", "key shape")
	// when the arguments carry a secret; empty when none.
	SecretInArgs string
	// SessionGrant is set when a person approved this tool for the session.
	SessionGrant bool
	// ReadOnlyClaim is set when the server annotates the tool readOnlyHint:
	// a claim, which allows a call only from a server in Set.TrustReadOnly.
	ReadOnlyClaim bool
}

// ReasonReadOnlyTrusted is the verdict reason of a call allowed because
// the server claims the tool is read-only and a person trusts that claim.
const ReasonReadOnlyTrusted = "read_only_trusted"

// Pause is the state of the tray's Pause switch.
type Pause string

const (
	NotPaused Pause = ""
	PauseDeny Pause = "deny" // deny every call until resumed
	PauseAsk  Pause = "ask"  // ask for every call until resumed
)

// Verdict is the outcome of Evaluate.
type Verdict struct {
	Action Action
	// Reason is a short machine-readable cause: "quarantine", "secret_in_args",
	// "rule", "session", "paused" or "default".
	Reason string
	RuleID string
}

// Set is an immutable snapshot of the rules in force plus the pause state.
// The core pushes it to shims; both evaluate with the same function.
type Set struct {
	Rules []Rule `json:"rules"`
	Pause Pause  `json:"pause,omitempty"`
	// Timeouts are the waits set in Settings, pushed to shims with the rules.
	Timeouts Timeouts `json:"timeouts,omitzero"`
	// TrustReadOnly names the servers whose readOnlyHint claims a person
	// chose to trust: a call to a tool claimed read-only is then allowed,
	// after quarantine, the secret guard, deny rules and ask rules.
	TrustReadOnly []string `json:"trust_read_only,omitempty"`
	// Namespace names the clients whose shims show each tool as
	// SERVER__TOOL (and map the name back on tools/call).
	Namespace []string `json:"namespace,omitempty"`

	// idx lets first look only at the rules that can match a call's
	// server. NewSet and UnmarshalJSON build it; a Set written as a literal
	// has none and is scanned in full, with the same result.
	idx map[Action]*actionIndex
}

// actionIndex lists, in rule order, the rules of one action whose server is
// a literal name (by that name) and those whose server is a glob.
type actionIndex struct {
	byServer map[string][]int
	globs    []int
}

// NewSet returns a Set of rules and pause state, indexed for Evaluate. The
// rules must not change afterwards.
func NewSet(rules []Rule, pause Pause) *Set {
	s := &Set{Rules: rules, Pause: pause}
	s.buildIndex()
	return s
}

// UnmarshalJSON decodes a pushed Set and indexes it.
func (s *Set) UnmarshalJSON(b []byte) error {
	type plain Set
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Set(p)
	s.buildIndex()
	return nil
}

func (s *Set) buildIndex() {
	s.idx = map[Action]*actionIndex{}
	for i := range s.Rules {
		r := &s.Rules[i]
		ai := s.idx[r.Action]
		if ai == nil {
			ai = &actionIndex{byServer: map[string][]int{}}
			s.idx[r.Action] = ai
		}
		if isLiteral(r.Server) {
			ai.byServer[r.Server] = append(ai.byServer[r.Server], i)
		} else {
			ai.globs = append(ai.globs, i)
		}
	}
}

// Evaluate decides a call in the order documented on the package.
func (s *Set) Evaluate(c *Call, f Facts, now time.Time) Verdict {
	switch {
	case f.Quarantined:
		return Verdict{Action: Deny, Reason: "quarantine"}
	case f.SecretInArgs != "":
		return Verdict{Action: Ask, Reason: "secret_in_args"}
	case s.Pause == PauseDeny:
		return Verdict{Action: Deny, Reason: "paused"}
	case s.Pause == PauseAsk:
		return Verdict{Action: Ask, Reason: "paused"}
	}
	if r := s.first(Deny, c, now); r != nil {
		return Verdict{Action: Deny, Reason: "rule", RuleID: r.ID}
	}
	// A person's "approve for this session" outranks ask and allow rules but
	// never a deny rule.
	if f.SessionGrant {
		return Verdict{Action: Allow, Reason: "session"}
	}
	if r := s.first(Ask, c, now); r != nil {
		return Verdict{Action: Ask, Reason: "rule", RuleID: r.ID}
	}
	if f.ReadOnlyClaim && slices.Contains(s.TrustReadOnly, c.Server) {
		return Verdict{Action: Allow, Reason: ReasonReadOnlyTrusted}
	}
	if r := s.first(Allow, c, now); r != nil {
		return Verdict{Action: Allow, Reason: "rule", RuleID: r.ID}
	}
	return Verdict{Action: Ask, Reason: "default"}
}

// first returns the earliest rule of action a that matches c. With an
// index it looks only at the rules naming c's server and those with a
// server glob, merged back into rule order.
func (s *Set) first(a Action, c *Call, now time.Time) *Rule {
	if s.idx == nil {
		for i := range s.Rules {
			if r := &s.Rules[i]; r.Action == a && r.Matches(c, now) {
				return r
			}
		}
		return nil
	}
	ai := s.idx[a]
	if ai == nil {
		return nil
	}
	named, globs := ai.byServer[c.Server], ai.globs
	for len(named) > 0 || len(globs) > 0 {
		var i int
		if len(globs) == 0 || (len(named) > 0 && named[0] < globs[0]) {
			i, named = named[0], named[1:]
		} else {
			i, globs = globs[0], globs[1:]
		}
		if r := &s.Rules[i]; r.Matches(c, now) {
			return r
		}
	}
	return nil
}
