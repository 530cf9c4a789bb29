package policy

import (
	"bytes"
	"encoding/json"
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
}

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
	for _, want := range [...]Action{Ask, Allow} {
		if r := s.first(want, c, now); r != nil {
			return Verdict{Action: want, Reason: "rule", RuleID: r.ID}
		}
	}
	return Verdict{Action: Ask, Reason: "default"}
}

func (s *Set) first(a Action, c *Call, now time.Time) *Rule {
	for i := range s.Rules {
		if r := &s.Rules[i]; r.Action == a && r.Matches(c, now) {
			return r
		}
	}
	return nil
}
