package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

func TestMain(m *testing.M) {
	// home.Socket(dir) must be dir/run for these temp homes, never the
	// runtime dir a real core may be using (see home.RunDir).
	os.Unsetenv("XDG_RUNTIME_DIR")
	os.Exit(m.Run())
}

// tempHome is a temp dir short enough for the socket path.
func tempHome(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// running is an open, serving core and a LocalAPI client to it.
type running struct {
	c    *Core
	api  *localapi.Client
	stop func() // stops serving and closes the core; safe to call twice
}

func start(t *testing.T, dir string) *running {
	t.Helper()
	c, err := Open(context.Background(), Options{Home: dir, Logger: quiet})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	api := localapi.NewClient(home.Socket(dir))
	stopped := false
	r := &running{c: c, api: api}
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		api.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	t.Cleanup(r.stop)
	return r
}

func TestOpenServeClose(t *testing.T) {
	dir := tempHome(t)
	r := start(t, dir)
	ctx := context.Background()
	st, err := r.api.Status(ctx)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if st.Home != dir || st.Socket != home.Socket(dir) || st.PID != os.Getpid() || st.Version == "" {
		t.Errorf("Status = %+v", st)
	}
	if _, err := Open(ctx, Options{Home: dir, Logger: quiet}); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Open = %v, want ErrAlreadyRunning", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "countersign.db")); err != nil {
		t.Errorf("history: %v", err)
	}
	r.stop()
	c := localapi.NewClient(home.Socket(dir))
	defer c.Close()
	if _, err := c.Status(ctx); !errors.Is(err, localapi.ErrCoreNotRunning) {
		t.Fatalf("Status after Close = %v, want ErrCoreNotRunning", err)
	}
	// The home can be opened again once the first core is gone.
	start(t, dir)
}

func TestRulesPersist(t *testing.T) {
	dir := tempHome(t)
	ctx := context.Background()
	r := start(t, dir)
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	keep, err := r.api.AddRule(ctx, policy.Rule{Action: policy.Allow, Server: "fs", Tool: "read_*",
		Args: []policy.ArgCond{{Path: "path", Glob: "/home/me/**"}}, ExpiresAt: &exp})
	if err != nil {
		t.Fatal(err)
	}
	if keep.ID == "" || keep.CreatedAt.IsZero() {
		t.Fatalf("AddRule returned %+v", keep)
	}
	gone, err := r.api.AddRule(ctx, policy.Rule{Action: policy.Deny, Server: "fs", Tool: "delete_*"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.api.RemoveRule(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.api.RemoveRule(ctx, gone.ID); !errors.Is(err, localapi.ErrNotFound) {
		t.Errorf("second RemoveRule = %v, want ErrNotFound", err)
	}
	if _, err := r.api.AddRule(ctx, policy.Rule{Action: "permit", Server: "fs"}); !errors.Is(err, localapi.ErrInvalid) {
		t.Errorf("invalid rule = %v, want ErrInvalid", err)
	}
	past := time.Now().Add(-time.Minute)
	if _, err := r.api.AddRule(ctx, policy.Rule{Action: policy.Allow, Server: "old", ExpiresAt: &past}); err != nil {
		t.Fatal(err)
	}
	r.stop()

	r = start(t, dir)
	rules, err := r.api.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 {
		t.Fatalf("after reopen: %d rules (%+v), want the one kept (the removed and the expired are not listed)", len(rules), rules)
	}
	got := rules[0]
	if got.ID != keep.ID || got.Action != policy.Allow || got.Server != "fs" || got.Tool != "read_*" ||
		len(got.Args) != 1 || got.Args[0] != keep.Args[0] || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) ||
		!got.CreatedAt.Equal(keep.CreatedAt) {
		t.Errorf("after reopen: %+v, want %+v", got, keep)
	}
}

// openSession opens a shim session and returns its id and stream.
func openSession(t *testing.T, api *localapi.Client, server string) (string, *localapi.Stream[localapi.SessionUpdate]) {
	t.Helper()
	s, err := api.OpenSession(context.Background(), localapi.SessionRequest{Server: server, Client: "test", PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if u.SessionID == "" || u.Policy == nil {
		t.Fatalf("first session update = %+v", u)
	}
	return u.SessionID, s
}

// waitPending polls until the call id waits for a person.
func waitPending(t *testing.T, api *localapi.Client, id string) broker.Pending {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ps, err := api.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.ID == id {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("call %s never waited; pending: %+v", id, ps)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func hold(api *localapi.Client, req localapi.CallRequest) <-chan localapi.CallDecision {
	out := make(chan localapi.CallDecision, 1)
	go func() {
		d, err := api.Hold(context.Background(), req)
		if err != nil {
			d = localapi.CallDecision{Decision: "error: " + err.Error()}
		}
		out <- d
	}()
	return out
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived within 10s")
	}
	var zero T
	return zero
}

// TestAlwaysDecision: "always" turns a person's decision into a rule, which
// is saved and pushed to the open session streams at once.
func TestAlwaysDecision(t *testing.T) {
	tests := []struct {
		action   string
		decision string
		rule     policy.Action
	}{
		{"approve", "approved", policy.Allow},
		{"deny", "denied", policy.Deny},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			r := start(t, tempHome(t))
			ctx := context.Background()
			sid, stream := openSession(t, r.api, "fs")
			updates := make(chan localapi.SessionUpdate, 4)
			go func() {
				for {
					u, err := stream.Next()
					if err != nil {
						return
					}
					updates <- u
				}
			}()
			got := hold(r.api, localapi.CallRequest{ID: "call-1", SessionID: sid, Tool: "echo",
				Args: json.RawMessage(`{"m":"hi"}`), TimeoutMS: 30000, RequestedAt: time.Now()})
			p := waitPending(t, r.api, "call-1")
			if p.Server != "fs" || p.Tool != "echo" || p.Client != "test" || string(p.Args) != `{"m":"hi"}` {
				t.Errorf("pending = %+v", p)
			}
			if err := r.api.Decide(ctx, "call-1", broker.Decision{Action: tt.action, Scope: "always"}); err != nil {
				t.Fatal(err)
			}
			d := recv(t, got)
			if d.Decision != tt.decision || d.DecidedBy != "user" || d.Scope != "always" || d.RuleID == "" {
				t.Fatalf("decision = %+v", d)
			}
			u := recv(t, updates)
			if u.Policy == nil || len(u.Policy.Rules) != 1 {
				t.Fatalf("pushed update = %+v, want a policy with the new rule", u)
			}
			nr := u.Policy.Rules[0]
			if nr.ID != d.RuleID || nr.Action != tt.rule || nr.Server != "fs" || nr.Tool != "echo" {
				t.Errorf("pushed rule = %+v", nr)
			}
			rules, _ := r.api.Rules(ctx)
			if len(rules) != 1 || rules[0].ID != d.RuleID {
				t.Errorf("rules = %+v", rules)
			}
			rec, ok, err := r.c.store.Call(ctx, "call-1")
			if err != nil || !ok {
				t.Fatalf("history: %v %v", ok, err)
			}
			if rec.Decision != tt.decision || rec.DecidedBy != "user" || rec.RuleID != d.RuleID || rec.Server != "fs" || rec.Tool != "echo" {
				t.Errorf("history row = %+v", rec)
			}
			// The next call is decided by the rule, without a person.
			d2 := recv(t, hold(r.api, localapi.CallRequest{ID: "call-2", SessionID: sid, Tool: "echo", TimeoutMS: 30000}))
			wantNext := map[policy.Action]string{policy.Allow: "approved", policy.Deny: "blocked"}[tt.rule]
			if d2.Decision != wantNext || d2.DecidedBy != "rule" || d2.RuleID != d.RuleID {
				t.Errorf("next call = %+v, want %s by the rule", d2, wantNext)
			}
		})
	}
}

func TestHoldOutcomes(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	sid, _ := openSession(t, r.api, "fs")

	t.Run("unknown session", func(t *testing.T) {
		_, err := r.api.Hold(ctx, localapi.CallRequest{ID: "x", SessionID: "nope", Tool: "echo"})
		if !errors.Is(err, localapi.ErrInvalid) {
			t.Fatalf("Hold = %v, want ErrInvalid", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		d := recv(t, hold(r.api, localapi.CallRequest{ID: "t1", SessionID: sid, Tool: "echo", TimeoutMS: 150}))
		if d.Decision != "timeout" || d.DecidedBy != "timeout" {
			t.Fatalf("decision = %+v", d)
		}
		rec, ok, _ := r.c.store.Call(ctx, "t1")
		if !ok || rec.Decision != "timeout" {
			t.Errorf("history row = %+v (found %v)", rec, ok)
		}
	})
	t.Run("deny with note", func(t *testing.T) {
		got := hold(r.api, localapi.CallRequest{ID: "n1", SessionID: sid, Tool: "echo", TimeoutMS: 30000})
		waitPending(t, r.api, "n1")
		if err := r.api.Decide(ctx, "n1", broker.Decision{Action: "deny", Note: "not today"}); err != nil {
			t.Fatal(err)
		}
		d := recv(t, got)
		if d.Decision != "denied" || d.Note != "not today" {
			t.Fatalf("decision = %+v", d)
		}
		rec, _, _ := r.c.store.Call(ctx, "n1")
		if rec.Note != "not today" || rec.Decision != "denied" {
			t.Errorf("history row = %+v", rec)
		}
	})
	t.Run("withdrawn", func(t *testing.T) {
		hctx, cancel := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() {
			_, err := r.api.Hold(hctx, localapi.CallRequest{ID: "w1", SessionID: sid, Tool: "echo", TimeoutMS: 30000})
			errc <- err
		}()
		waitPending(t, r.api, "w1")
		cancel()
		if err := recv(t, errc); !errors.Is(err, context.Canceled) {
			t.Errorf("withdrawn Hold = %v", err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			rec, ok, _ := r.c.store.Call(ctx, "w1")
			if ok && rec.Decision == "cancelled" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("withdrawn call recorded as %+v (found %v), want cancelled", rec, ok)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if ps, _ := r.api.Pending(ctx); len(ps) != 0 {
			t.Errorf("still pending: %+v", ps)
		}
	})
	t.Run("decide invalid", func(t *testing.T) {
		if err := r.api.Decide(ctx, "w1", broker.Decision{Action: "maybe"}); !errors.Is(err, localapi.ErrInvalid) {
			t.Errorf("Decide = %v, want ErrInvalid", err)
		}
		if err := r.api.Decide(ctx, "gone", broker.Decision{Action: "approve"}); !errors.Is(err, localapi.ErrNotFound) {
			t.Errorf("Decide = %v, want ErrNotFound", err)
		}
	})
}

// TestRecordUpserts: records with the same id merge; an empty field never
// erases what is known, so a decision and a result can arrive in any order.
func TestRecordUpserts(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	first := []localapi.CallRecord{{
		ID: "u1", Client: "claude", Server: "fs", Tool: "read_file", Args: `{"path":"/tmp/x"}`, ArgsSize: 17,
		RequestedAt: now, DecidedAt: now, Decision: "approved", DecidedBy: "rule", RuleID: "r1",
	}}
	if err := r.api.Record(ctx, first); err != nil {
		t.Fatal(err)
	}
	second := []localapi.CallRecord{{ID: "u1", ServerMS: 12, ResultStatus: "ok", ResultExcerpt: `{"content":[]}`, ResultSize: 14}}
	if err := r.api.Record(ctx, second); err != nil {
		t.Fatal(err)
	}
	rec, ok, err := r.c.store.Call(ctx, "u1")
	if err != nil || !ok {
		t.Fatalf("Call: %v %v", ok, err)
	}
	if rec.Decision != "approved" || rec.DecidedBy != "rule" || rec.RuleID != "r1" || rec.Tool != "read_file" ||
		string(rec.Args) != `{"path":"/tmp/x"}` || rec.ResultStatus != "ok" || rec.ServerMS != 12 ||
		string(rec.ResultExcerpt) != `{"content":[]}` || !rec.RequestedAt.Equal(now) {
		t.Errorf("merged row = %+v", rec)
	}
	if err := r.api.Record(ctx, []localapi.CallRecord{{ID: "bad", Decision: "maybe"}}); err == nil {
		t.Error("a record with an unknown decision was accepted")
	}
}

// TestSpoolIngested: records a shim kept while the core was away are
// recorded when the core opens, and their file is removed; a file that
// cannot be read stays for a person to look at.
func TestSpoolIngested(t *testing.T) {
	dir := tempHome(t)
	spool := filepath.Join(dir, "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(spool, "1700000000000000000-42.jsonl")
	var body []byte
	for _, rec := range []localapi.CallRecord{
		{ID: "s1", Server: "fs", Tool: "echo", Decision: "blocked", DecidedBy: "policy", Reason: "core_unreachable", DecidedAt: time.Now()},
		{ID: "s2", Server: "fs", Tool: "echo", Decision: "approved", DecidedBy: "rule", ResultStatus: "ok", DecidedAt: time.Now()},
	} {
		b, _ := json.Marshal(rec)
		body = append(append(body, b...), '\n')
	}
	if err := os.WriteFile(good, body, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(spool, "1700000000000000001-43.jsonl")
	if err := os.WriteFile(bad, []byte("{\"id\":\"s3\"\nnot json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(spool, "1700000000000000002-44.jsonl.tmp")
	if err := os.WriteFile(partial, body, 0o600); err != nil {
		t.Fatal(err)
	}

	r := start(t, dir)
	ctx := context.Background()
	for _, id := range []string{"s1", "s2"} {
		rec, ok, err := r.c.store.Call(ctx, id)
		if err != nil || !ok {
			t.Fatalf("spooled call %s not in the history: %v %v", id, ok, err)
		}
		if rec.Server != "fs" || rec.Decision == "" {
			t.Errorf("spooled call %s = %+v", id, rec)
		}
	}
	if _, err := os.Stat(good); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ingested spool file still there: %v", err)
	}
	if _, err := os.Stat(bad); err != nil {
		t.Errorf("unreadable spool file was removed: %v", err)
	}
	if _, err := os.Stat(partial); err != nil {
		t.Errorf("a .tmp spool file (still being written) was touched: %v", err)
	}
	if _, ok, _ := r.c.store.Call(ctx, "s3"); ok {
		t.Error("a record from the unreadable file was half-ingested")
	}
}

// TestStatusCounts: Status counts sessions, rules and pending calls.
func TestStatusCounts(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	sid, _ := openSession(t, r.api, "fs")
	if _, err := r.api.AddRule(ctx, policy.Rule{Action: policy.Allow, Server: "git"}); err != nil {
		t.Fatal(err)
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.api.Hold(hctx, localapi.CallRequest{ID: "p1", SessionID: sid, Tool: "echo", TimeoutMS: 30000})
	waitPending(t, r.api, "p1")
	st, err := r.api.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Sessions != 1 || st.Rules != 1 || st.Pending != 1 {
		t.Errorf("Status = %+v, want 1 session, 1 rule, 1 pending", st)
	}
}
