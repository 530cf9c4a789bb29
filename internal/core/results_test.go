package core

import (
	"context"
	"testing"

	"github.com/countersign/countersign/internal/localapi"
)

// block_flagged_results: off by default, told to every new session, pushed
// to open sessions when it changes, kept in the store.
func TestResultSettingsPushAndPersist(t *testing.T) {
	dir := tempHome(t)
	r := start(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	stream, err := r.api.OpenSession(ctx, localapi.SessionRequest{Server: "fs", Client: "c1", PID: 42})
	if err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	defer stream.Close()
	first, err := stream.Next()
	if err != nil {
		t.Fatal(err)
	}
	if first.Results == nil || first.Results.BlockFlagged {
		t.Fatalf("first update results = %+v, want off", first.Results)
	}
	if _, err := r.api.SetResultSettings(ctx, localapi.ResultSettings{BlockFlagged: true}); err != nil {
		t.Fatal(err)
	}
	u, err := stream.Next()
	if err != nil || u.Results == nil || !u.Results.BlockFlagged {
		t.Fatalf("pushed update %+v, %v; want block_flagged_results on", u, err)
	}
	if v, ok, err := r.c.store.Setting(ctx, BlockFlaggedResultsSetting); err != nil || !ok || v != "on" {
		t.Errorf("stored setting %q %v %v", v, ok, err)
	}
	// A new session starts with the setting in force.
	s2, err := r.api.OpenSession(ctx, localapi.SessionRequest{Server: "web", Client: "c1", PID: 43})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if u, err := s2.Next(); err != nil || u.Results == nil || !u.Results.BlockFlagged {
		t.Fatalf("new session's first update %+v, %v; want block_flagged_results on", u, err)
	}
	if got, err := r.api.ResultSettings(ctx); err != nil || !got.BlockFlagged {
		t.Errorf("ResultSettings = %+v, %v", got, err)
	}
}

// Recorded flags come back in the history, [] when there are none.
func TestResultFlagsInHistory(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	flags := []localapi.ResultFlag{{Kind: "invisible_unicode", Location: "content[0].text", Text: `ok\u{E0049}`}}
	if err := r.api.Record(ctx, []localapi.CallRecord{
		{ID: "a", Server: "fs", Tool: "read", Decision: "approved", DecidedBy: "rule", ResultStatus: "withheld", ResultFlags: flags},
		{ID: "b", Server: "fs", Tool: "read", Decision: "approved", DecidedBy: "rule", ResultStatus: "ok"},
	}); err != nil {
		t.Fatal(err)
	}
	a, err := r.api.HistoryCall(ctx, "a")
	if err != nil || a.ResultStatus != "withheld" || len(a.ResultFlags) != 1 || a.ResultFlags[0] != flags[0] {
		t.Errorf("call a = %+v, %v", a, err)
	}
	b, err := r.api.HistoryCall(ctx, "b")
	if err != nil || b.ResultFlags == nil || len(b.ResultFlags) != 0 {
		t.Errorf("call b flags = %#v, %v; want []", b.ResultFlags, err)
	}
}
