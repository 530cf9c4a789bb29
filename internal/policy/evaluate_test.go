package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func rule(id string, a Action, server, tool string, args ...ArgCond) Rule {
	return Rule{ID: id, Action: a, Server: server, Tool: tool, Args: args, CreatedAt: t0}
}

func call(tool, args string) *Call {
	return &Call{Client: "claude", Server: "fs", Tool: tool, Args: json.RawMessage(args)}
}

// TestEvaluateOrder walks the documented order: quarantine, secret in
// arguments, pause, deny rules, session grant, ask rules, allow rules,
// default ask. Each case has something lower in the order that would say
// otherwise.
func TestEvaluateOrder(t *testing.T) {
	allowAll := rule("allow-all", Allow, "*", "")
	denyDel := rule("deny-del", Deny, "fs", "delete_*")
	askWrite := rule("ask-write", Ask, "fs", "write_*")
	allowWrite := rule("allow-write", Allow, "fs", "write_*")
	tests := []struct {
		name  string
		set   Set
		call  *Call
		facts Facts
		want  Verdict
	}{
		{"quarantine beats allow", Set{Rules: []Rule{allowAll}}, call("read_file", `{}`),
			Facts{Quarantined: true}, Verdict{Deny, "quarantine", ""}},
		{"quarantine beats secret", Set{}, call("read_file", `{}`),
			Facts{Quarantined: true, SecretInArgs: "key shape"}, Verdict{Deny, "quarantine", ""}},
		{"secret beats allow rule", Set{Rules: []Rule{allowAll}}, call("read_file", `{}`),
			Facts{SecretInArgs: "stored secret OPENAI"}, Verdict{Ask, "secret_in_args", ""}},
		{"secret beats deny rule", Set{Rules: []Rule{denyDel}}, call("delete_file", `{}`),
			Facts{SecretInArgs: "key shape"}, Verdict{Ask, "secret_in_args", ""}},
		{"secret beats session grant", Set{}, call("read_file", `{}`),
			Facts{SecretInArgs: "key shape", SessionGrant: true}, Verdict{Ask, "secret_in_args", ""}},
		{"secret beats pause deny", Set{Pause: PauseDeny}, call("read_file", `{}`),
			Facts{SecretInArgs: "key shape"}, Verdict{Ask, "secret_in_args", ""}},
		{"pause deny beats allow", Set{Rules: []Rule{allowAll}, Pause: PauseDeny}, call("read_file", `{}`),
			Facts{}, Verdict{Deny, "paused", ""}},
		{"pause deny beats session grant", Set{Pause: PauseDeny}, call("read_file", `{}`),
			Facts{SessionGrant: true}, Verdict{Deny, "paused", ""}},
		{"pause ask beats allow", Set{Rules: []Rule{allowAll}, Pause: PauseAsk}, call("read_file", `{}`),
			Facts{}, Verdict{Ask, "paused", ""}},
		{"pause ask beats deny rule", Set{Rules: []Rule{denyDel}, Pause: PauseAsk}, call("delete_file", `{}`),
			Facts{}, Verdict{Ask, "paused", ""}},
		{"deny beats allow listed first", Set{Rules: []Rule{allowAll, denyDel}}, call("delete_file", `{}`),
			Facts{}, Verdict{Deny, "rule", "deny-del"}},
		{"deny beats session grant", Set{Rules: []Rule{denyDel}}, call("delete_file", `{}`),
			Facts{SessionGrant: true}, Verdict{Deny, "rule", "deny-del"}},
		{"session grant beats ask rule", Set{Rules: []Rule{askWrite}}, call("write_file", `{}`),
			Facts{SessionGrant: true}, Verdict{Allow, "session", ""}},
		{"session grant with no rules", Set{}, call("write_file", `{}`),
			Facts{SessionGrant: true}, Verdict{Allow, "session", ""}},
		{"ask beats allow listed first", Set{Rules: []Rule{allowWrite, askWrite}}, call("write_file", `{}`),
			Facts{}, Verdict{Ask, "rule", "ask-write"}},
		{"ask carves out of allow all", Set{Rules: []Rule{allowAll, askWrite}}, call("write_file", `{}`),
			Facts{}, Verdict{Ask, "rule", "ask-write"}},
		{"allow", Set{Rules: []Rule{allowAll, askWrite}}, call("read_file", `{}`),
			Facts{}, Verdict{Allow, "rule", "allow-all"}},
		{"first matching allow wins", Set{Rules: []Rule{allowWrite, allowAll}}, call("write_file", `{}`),
			Facts{}, Verdict{Allow, "rule", "allow-write"}},
		{"default ask", Set{Rules: []Rule{denyDel, allowWrite}}, call("read_file", `{}`),
			Facts{}, Verdict{Ask, "default", ""}},
		{"empty set asks", Set{}, call("read_file", `{}`), Facts{}, Verdict{Ask, "default", ""}},
		{"a read-only claim alone relaxes nothing", Set{}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Ask, "default", ""}},
		{"a trusted read-only claim allows", Set{TrustReadOnly: []string{"fs"}}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Allow, ReasonReadOnlyTrusted, ""}},
		{"trust is per server", Set{TrustReadOnly: []string{"web"}}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Ask, "default", ""}},
		{"quarantine beats a trusted read-only claim", Set{TrustReadOnly: []string{"fs"}}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true, Quarantined: true}, Verdict{Deny, "quarantine", ""}},
		{"secret beats a trusted read-only claim", Set{TrustReadOnly: []string{"fs"}}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true, SecretInArgs: "key shape"}, Verdict{Ask, "secret_in_args", ""}},
		{"deny rule beats a trusted read-only claim", Set{Rules: []Rule{denyDel}, TrustReadOnly: []string{"fs"}}, call("delete_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Deny, "rule", "deny-del"}},
		{"ask rule beats a trusted read-only claim", Set{Rules: []Rule{askWrite}, TrustReadOnly: []string{"fs"}}, call("write_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Ask, "rule", "ask-write"}},
		{"pause beats a trusted read-only claim", Set{Pause: PauseAsk, TrustReadOnly: []string{"fs"}}, call("read_file", `{}`),
			Facts{ReadOnlyClaim: true}, Verdict{Ask, "paused", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.set.Evaluate(tt.call, tt.facts, t0); got != tt.want {
				t.Errorf("Evaluate = %+v, want %+v", got, tt.want)
			}
			// The indexed set (what the core builds and shims decode)
			// must decide exactly like the plain scan.
			indexed := NewSet(tt.set.Rules, tt.set.Pause)
			indexed.TrustReadOnly = tt.set.TrustReadOnly
			if got := indexed.Evaluate(tt.call, tt.facts, t0); got != tt.want {
				t.Errorf("indexed Evaluate = %+v, want %+v", got, tt.want)
			}
			b, err := json.Marshal(tt.set)
			if err != nil {
				t.Fatal(err)
			}
			var pushed Set
			if err := json.Unmarshal(b, &pushed); err != nil {
				t.Fatal(err)
			}
			if got := pushed.Evaluate(tt.call, tt.facts, t0); got != tt.want {
				t.Errorf("decoded Evaluate = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestIndexKeepsRuleOrderAcrossGlobs(t *testing.T) {
	rules := []Rule{
		{ID: "named-late-1", Action: Allow, Server: "other", Tool: "x"},
		{ID: "glob-first", Action: Allow, Server: "f*", Tool: "read_*"},
		{ID: "named", Action: Allow, Server: "fs", Tool: "read_*"},
	}
	c := &Call{Server: "fs", Tool: "read_file"}
	if v := NewSet(rules, NotPaused).Evaluate(c, Facts{}, t0); v.RuleID != "glob-first" {
		t.Fatalf("rule = %q, want the earliest matching rule glob-first", v.RuleID)
	}
	rules[1], rules[2] = rules[2], rules[1]
	if v := NewSet(rules, NotPaused).Evaluate(c, Facts{}, t0); v.RuleID != "named" {
		t.Fatalf("rule = %q, want the earliest matching rule named", v.RuleID)
	}
}

func TestRuleGlobs(t *testing.T) {
	tests := []struct {
		name   string
		r      Rule
		client string
		server string
		tool   string
		want   bool
	}{
		{"exact", Rule{Server: "fs", Tool: "read_file"}, "c", "fs", "read_file", true},
		{"other server", Rule{Server: "fs", Tool: "read_file"}, "c", "git", "read_file", false},
		{"star server", Rule{Server: "*", Tool: "read_file"}, "c", "anything", "read_file", true},
		{"empty tool is every tool", Rule{Server: "fs"}, "c", "fs", "whatever", true},
		{"prefix glob", Rule{Server: "fs", Tool: "read_*"}, "c", "fs", "read_multiple_files", true},
		{"prefix glob miss", Rule{Server: "fs", Tool: "read_*"}, "c", "fs", "write_file", false},
		{"glob is anchored", Rule{Server: "fs", Tool: "read"}, "c", "fs", "read_file", false},
		{"question mark", Rule{Server: "fs", Tool: "rea?_file"}, "c", "fs", "read_file", true},
		{"class", Rule{Server: "f[st]", Tool: "*"}, "c", "ft", "x", true},
		{"case matters", Rule{Server: "fs", Tool: "Read_*"}, "c", "fs", "read_file", false},
		{"server glob", Rule{Server: "git*", Tool: "*"}, "c", "github", "x", true},
		{"client narrows", Rule{Server: "fs", Client: "cursor"}, "claude", "fs", "x", false},
		{"client matches", Rule{Server: "fs", Client: "claude*"}, "claude-code", "fs", "x", true},
		{"star tool with slash", Rule{Server: "fs", Tool: "*"}, "c", "fs", "a/b", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Call{Client: tt.client, Server: tt.server, Tool: tt.tool}
			if got := tt.r.Matches(c, t0); got != tt.want {
				t.Errorf("%+v matches %s/%s/%s = %v, want %v", tt.r, tt.client, tt.server, tt.tool, got, tt.want)
			}
		})
	}
}

func TestArgConditions(t *testing.T) {
	work := ArgCond{Path: "path", Glob: "/home/me/work/**"}
	tests := []struct {
		name string
		cond []ArgCond
		args string
		want bool
	}{
		{"inside", []ArgCond{work}, `{"path":"/home/me/work/a/b.txt"}`, true},
		{"the dir itself", []ArgCond{work}, `{"path":"/home/me/work"}`, true},
		{"outside", []ArgCond{work}, `{"path":"/etc/passwd"}`, false},
		{"sibling prefix", []ArgCond{work}, `{"path":"/home/me/workshop/x"}`, false},
		{"missing argument", []ArgCond{work}, `{"other":"/home/me/work/x"}`, false},
		{"no arguments", []ArgCond{work}, ``, false},
		{"null arguments", []ArgCond{work}, `null`, false},
		{"arguments not an object", []ArgCond{work}, `["/home/me/work/x"]`, false},
		{"unreadable arguments", []ArgCond{work}, `{"path":`, false},
		{"argument is an object", []ArgCond{work}, `{"path":{"p":"/home/me/work/x"}}`, false},
		{"argument is an array", []ArgCond{work}, `{"path":["/home/me/work/x"]}`, false},
		{"nested path", []ArgCond{{Path: "options.mode", Glob: "read*"}}, `{"options":{"mode":"readonly"}}`, true},
		{"nested path through a scalar", []ArgCond{{Path: "options.mode", Glob: "*"}}, `{"options":"x"}`, false},
		{"number", []ArgCond{{Path: "n", Glob: "1?"}}, `{"n":12}`, true},
		{"big number kept as text", []ArgCond{{Path: "n", Glob: "123456789012345678901234567890"}}, `{"n":123456789012345678901234567890}`, true},
		{"bool", []ArgCond{{Path: "force", Glob: "false"}}, `{"force":false}`, true},
		{"every condition must hold", []ArgCond{work, {Path: "mode", Glob: "r"}}, `{"path":"/home/me/work/x","mode":"w"}`, false},
		{"both hold", []ArgCond{work, {Path: "mode", Glob: "r"}}, `{"path":"/home/me/work/x","mode":"r"}`, true},
		{"duplicate key: last wins", []ArgCond{work}, `{"path":"/home/me/work/x","path":"/etc/passwd"}`, false},
		{"single star stops at slash", []ArgCond{{Path: "path", Glob: "/tmp/*"}}, `{"path":"/tmp/a/b"}`, false},
		{"braces", []ArgCond{{Path: "path", Glob: "/tmp/*.{txt,md}"}}, `{"path":"/tmp/a.md"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Rule{Server: "fs", Args: tt.cond}
			if got := r.Matches(call("read_file", tt.args), t0); got != tt.want {
				t.Errorf("args %s against %+v = %v, want %v", tt.args, tt.cond, got, tt.want)
			}
		})
	}
}

// TestArgConditionsPathTraversal: a rule allowing /home/me/work/** must not
// allow a path that leaves the directory with "..". A file server resolves
// the path it is given: /home/me/work/../../etc/passwd is /home/etc/passwd
// and /home/me/work/../../../etc/passwd is /etc/passwd, both outside.
func TestArgConditionsPathTraversal(t *testing.T) {
	allowWork := rule("allow-work", Allow, "fs", "read_file", ArgCond{Path: "path", Glob: "/home/me/work/**"})
	set := Set{Rules: []Rule{allowWork}}
	for _, p := range []string{
		"/home/me/work/../../etc/passwd",
		"/home/me/work/../../../etc/passwd",
		"/home/me/work/sub/../../../../etc/shadow",
		"/home/me/work/./../secret",
	} {
		t.Run(p, func(t *testing.T) {
			args, _ := json.Marshal(map[string]string{"path": p})
			v := set.Evaluate(call("read_file", string(args)), Facts{}, t0)
			if v.Action == Allow {
				t.Errorf("path %q is outside /home/me/work but the rule %q allows it (verdict %+v): argument paths are not normalised before matching", p, allowWork.Args[0].Glob, v)
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	exp := t0.Add(time.Hour)
	r := Rule{ID: "r", Action: Allow, Server: "fs", ExpiresAt: &exp}
	set := Set{Rules: []Rule{r}}
	tests := []struct {
		at   time.Time
		want Action
	}{
		{t0, Allow},
		{exp.Add(-time.Nanosecond), Allow},
		{exp, Ask}, // expiry is exclusive: at the instant it ends, it no longer applies
		{exp.Add(time.Minute), Ask},
	}
	for _, tt := range tests {
		if got := set.Evaluate(call("x", `{}`), Facts{}, tt.at).Action; got != tt.want {
			t.Errorf("at %v: %v, want %v", tt.at, got, tt.want)
		}
	}
	if r.Expired(t0) || !r.Expired(exp) {
		t.Errorf("Expired(t0)=%v Expired(exp)=%v", r.Expired(t0), r.Expired(exp))
	}
	if (Rule{}).Expired(t0.Add(100 * 365 * 24 * time.Hour)) {
		t.Error("a rule without expiry expired")
	}
	// An expired deny rule no longer blocks.
	deny := Rule{ID: "d", Action: Deny, Server: "fs", ExpiresAt: &exp}
	if got := (&Set{Rules: []Rule{deny}}).Evaluate(call("x", `{}`), Facts{}, exp); got.Action != Ask {
		t.Errorf("expired deny rule: %+v", got)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		r       Rule
		wantErr string
	}{
		{"ok", Rule{Action: Allow, Server: "fs", Tool: "read_*"}, ""},
		{"ok with args", Rule{Action: Deny, Server: "*", Args: []ArgCond{{Path: "path", Glob: "/etc/**"}}}, ""},
		{"ok ask", Rule{Action: Ask, Server: "fs", Client: "claude"}, ""},
		{"no action", Rule{Server: "fs"}, "unknown action"},
		{"bad action", Rule{Action: "permit", Server: "fs"}, "unknown action"},
		{"action case", Rule{Action: "Allow", Server: "fs"}, "unknown action"},
		{"no server", Rule{Action: Allow, Tool: "x"}, "needs a server"},
		{"bad server glob", Rule{Action: Allow, Server: "fs["}, "invalid glob"},
		{"bad tool glob", Rule{Action: Allow, Server: "fs", Tool: "read_[a-"}, "invalid glob"},
		{"bad client glob", Rule{Action: Allow, Server: "fs", Client: "\\"}, "invalid glob"},
		{"empty arg path", Rule{Action: Allow, Server: "fs", Args: []ArgCond{{Path: "", Glob: "*"}}}, "invalid argument condition"},
		{"bad arg glob", Rule{Action: Allow, Server: "fs", Args: []ArgCond{{Path: "p", Glob: "/tmp/[x"}}}, "invalid argument condition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseArgCond(t *testing.T) {
	tests := []struct {
		in      string
		want    ArgCond
		wantErr bool
	}{
		{"path=/home/me/work/**", ArgCond{Path: "path", Glob: "/home/me/work/**"}, false},
		{"options.mode=read*", ArgCond{Path: "options.mode", Glob: "read*"}, false},
		{"q=a=b", ArgCond{Path: "q", Glob: "a=b"}, false},
		{"path=", ArgCond{Path: "path", Glob: ""}, false},
		{"=x", ArgCond{}, true},
		{"nothing", ArgCond{}, true},
		{"p=[x", ArgCond{}, true},
	}
	for _, tt := range tests {
		got, err := ParseArgCond(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseArgCond(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseAction(t *testing.T) {
	for _, s := range []string{"allow", "deny", "ask"} {
		if a, err := ParseAction(s); err != nil || string(a) != s {
			t.Errorf("ParseAction(%q) = %q, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "ALLOW", "block"} {
		if _, err := ParseAction(s); err == nil {
			t.Errorf("ParseAction(%q) accepted", s)
		}
	}
}

// TestRuleJSON: the rule document the core stores keeps its snake_case shape.
func TestRuleJSON(t *testing.T) {
	exp := t0.Add(time.Hour)
	r := Rule{ID: "r1", Action: Allow, Server: "fs", Tool: "read_*", Args: []ArgCond{{Path: "path", Glob: "/tmp/**"}}, CreatedAt: t0, ExpiresAt: &exp}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"r1","action":"allow","server":"fs","tool":"read_*","args":[{"path":"path","glob":"/tmp/**"}],"created_at":"2026-11-26T12:00:00Z","expires_at":"2026-11-26T13:00:00Z"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func BenchmarkEvaluate10(b *testing.B) { benchEvaluate(b, 10) }

// BenchmarkEvaluate1000 evaluates a call against 1,000 rules where only the
// last allow rule matches, with argument conditions on half of them (the
// deny rules, which are all looked at first).
func BenchmarkEvaluate1000(b *testing.B) { benchEvaluate(b, 1000) }

func benchEvaluate(b *testing.B, n int) {
	var rules []Rule
	for i := range n {
		r := Rule{ID: fmt.Sprint(i), Action: Allow, Server: fmt.Sprintf("srv%d", i%50), Tool: fmt.Sprintf("tool_%d_*", i)}
		if i%2 == 0 {
			r.Action = Deny
			r.Args = []ArgCond{{Path: "path", Glob: "/secret/**"}}
		}
		rules = append(rules, r)
	}
	rules = append(rules, Rule{ID: "last", Action: Allow, Server: "fs", Tool: "read_*",
		Args: []ArgCond{{Path: "path", Glob: "/home/me/work/**"}}})
	set := NewSet(rules, NotPaused)
	args := json.RawMessage(`{"path":"/home/me/work/src/main.go","encoding":"utf-8"}`)
	b.ReportAllocs()
	for b.Loop() {
		c := &Call{Client: "claude", Server: "fs", Tool: "read_file", Args: args}
		if v := set.Evaluate(c, Facts{}, t0); v.RuleID != "last" {
			b.Fatalf("verdict %+v", v)
		}
	}
}
