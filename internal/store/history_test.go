package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEachCallWalksEverythingInOrder(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	calls := seedQueryCalls(t, s)
	for _, tc := range []struct {
		name string
		q    CallQuery
		keep func(i int, c Call) bool
	}{
		{"all", CallQuery{}, func(int, Call) bool { return true }},
		{"server", CallQuery{Server: "git"}, func(_ int, c Call) bool { return c.Server == "git" }},
		{"since", CallQuery{Since: t0.Add(20 * time.Second)}, func(_ int, c Call) bool { return !c.RequestedAt.Before(t0.Add(20 * time.Second)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []Call
			err := s.EachCall(ctx, tc.q, func(c Call) error {
				got = append(got, c)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := expect(calls, tc.keep, len(calls))
			if !reflect.DeepEqual(ids(got), want) {
				t.Errorf("EachCall = %v\nwant %v", ids(got), want)
			}
		})
	}
	t.Run("no MaxLimit", func(t *testing.T) {
		var many []Call
		for i := range MaxLimit + 5 {
			many = append(many, Call{ID: fmt.Sprintf("m%05d", i), RequestedAt: t0.Add(-time.Hour)})
		}
		mustRecord(t, s, many...)
		n := 0
		if err := s.EachCall(ctx, CallQuery{}, func(Call) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != len(calls)+len(many) {
			t.Errorf("EachCall saw %d calls, want %d", n, len(calls)+len(many))
		}
	})
	t.Run("fn error stops the walk", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.EachCall(ctx, CallQuery{}, func(Call) error {
			n++
			if n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("EachCall = %v after %d calls, want stop after 3", err, n)
		}
	})
}

func TestEvents(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	code := 7
	evs := []Event{
		{At: t0, Kind: EventSessionStarted, SessionID: "s1", Client: "cursor", Server: "fs"},
		{At: t0.Add(time.Second), Kind: EventToolFirstSeen, Server: "fs", Tool: "read_file", ToolHash: "h1"},
		{At: t0.Add(2 * time.Second), Kind: EventToolChanged, Server: "fs", Tool: "read_file", ToolHash: "h2"},
		{At: t0.Add(3 * time.Second), Kind: EventSecretUsed, Server: "gh", Secret: "GITHUB_TOKEN"},
		{At: t0.Add(4 * time.Second), Kind: EventConfigChanged, Client: "cursor", Path: "/home/u/.cursor/mcp.json"},
		{At: t0.Add(5 * time.Second), Kind: EventSessionEnded, SessionID: "s1", Server: "fs", ExitCode: &code},
	}
	if err := s.RecordEvent(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	all, err := s.Events(ctx, EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(evs) {
		t.Fatalf("Events = %d, want %d", len(all), len(evs))
	}
	for i, got := range all { // newest first
		want := evs[len(evs)-1-i]
		want.ID = got.ID
		if !got.At.Equal(want.At) {
			t.Errorf("event %d at %v, want %v", i, got.At, want.At)
		}
		got.At, want.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("event %d\n got %+v\nwant %+v", i, got, want)
		}
	}
	for _, tc := range []struct {
		name string
		q    EventQuery
		want []string // kinds
	}{
		{"kind", EventQuery{Kind: EventToolChanged}, []string{EventToolChanged}},
		{"server", EventQuery{Server: "fs"}, []string{EventSessionEnded, EventToolChanged, EventToolFirstSeen, EventSessionStarted}},
		{"client", EventQuery{Client: "cursor"}, []string{EventConfigChanged, EventSessionStarted}},
		{"range", EventQuery{Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second)}, []string{EventToolChanged, EventToolFirstSeen}},
		{"limit", EventQuery{Limit: 2}, []string{EventSessionEnded, EventConfigChanged}},
		{"cursor", EventQuery{Before: all[1].ID, Limit: 2}, []string{EventSecretUsed, EventToolChanged}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Events(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range got {
				kinds = append(kinds, e.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.want) {
				t.Errorf("kinds = %v, want %v", kinds, tc.want)
			}
		})
	}
	if _, err := s.Events(ctx, EventQuery{Before: "999999"}); err == nil {
		t.Error("unknown cursor accepted")
	}
	for _, bad := range []Event{{Kind: "nope"}, {Kind: ""}, {Kind: EventSecretUsed, At: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}} {
		if err := s.RecordEvent(ctx, Event{Kind: EventConfigChanged}, bad); err == nil {
			t.Errorf("RecordEvent(%+v) succeeded", bad)
		}
	}
	if got, _ := s.Events(ctx, EventQuery{Kind: EventConfigChanged}); len(got) != 1 {
		t.Errorf("a rejected RecordEvent wrote %d config events, want the 1 from before", len(got))
	}
	before := time.Now()
	if err := s.RecordEvent(ctx, Event{Kind: EventSecretUsed, Secret: "late"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Events(ctx, EventQuery{Limit: 1})
	if len(got) != 1 || got[0].Secret != "late" || got[0].At.Before(before) {
		t.Errorf("event without time = %+v, want it stamped now", got)
	}
}

func TestPrune(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	// More than one chunk of old calls, so the loop is exercised.
	var calls []Call
	for i := range pruneChunk + 10 {
		calls = append(calls, Call{ID: fmt.Sprintf("old%05d", i), RequestedAt: t0.Add(-48 * time.Hour), Tool: "t", Args: []byte(`{"w":"aardvark"}`)})
	}
	calls = append(calls, Call{ID: "edge", RequestedAt: t0, Tool: "t", Args: []byte(`{"w":"aardvark"}`)})
	calls = append(calls, Call{ID: "new", RequestedAt: t0.Add(time.Hour), Tool: "t", Args: []byte(`{"w":"aardvark"}`)})
	mustRecord(t, s, calls...)
	if err := s.RecordEvent(ctx,
		Event{Kind: EventConfigChanged, At: t0.Add(-time.Minute)},
		Event{Kind: EventConfigChanged, At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Prune(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if p != (Pruned{Calls: pruneChunk + 10, Events: 1}) {
		t.Errorf("Prune = %+v, want %d calls 1 event", p, pruneChunk+10)
	}
	left, _ := s.Calls(ctx, CallQuery{})
	if !reflect.DeepEqual(ids(left), []string{"new", "edge"}) {
		t.Errorf("left after prune: %v", ids(left))
	}
	// The full-text index lost the pruned rows too.
	found, _ := s.Calls(ctx, CallQuery{Search: "aardvark"})
	if len(found) != 2 {
		t.Errorf("search after prune found %d, want 2", len(found))
	}
	var ftsRows int
	s.rdb.QueryRow("SELECT count(*) FROM calls_fts WHERE calls_fts MATCH 'aardvark'").Scan(&ftsRows)
	if ftsRows != 2 {
		t.Errorf("fts rows after prune = %d, want 2", ftsRows)
	}
	evs, _ := s.Events(ctx, EventQuery{})
	if len(evs) != 1 {
		t.Errorf("events after prune = %d, want 1", len(evs))
	}
	if p, err := s.Prune(ctx, t0); err != nil || p != (Pruned{}) {
		t.Errorf("second Prune = %+v, %v; want nothing", p, err)
	}
	if _, err := s.Prune(ctx, time.Time{}); err == nil {
		t.Error("Prune(zero time) succeeded")
	}
	var ic string
	s.rdb.QueryRow("PRAGMA integrity_check").Scan(&ic)
	if ic != "ok" {
		t.Errorf("integrity_check = %q", ic)
	}
}

func TestRedactorRunsBeforeWrite(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mask := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("hunter2"), []byte("«redacted»")) }
	mustRecord(t, s, Call{ID: "before", Args: []byte(`{"p":"hunter2"}`)})
	s.SetRedactor(mask)
	in := Call{ID: "after", Args: []byte(`{"p":"hunter2"}`), ResultExcerpt: []byte("got hunter2"), Note: "hunter2?", Reason: "x hunter2"}
	mustRecord(t, s, in)
	if !bytes.Contains(in.Args, []byte("hunter2")) {
		t.Error("Record changed the caller's call")
	}
	if err := s.RecordEvent(ctx, Event{Kind: EventConfigChanged, Detail: "pw hunter2"}); err != nil {
		t.Fatal(err)
	}
	c, _, _ := s.Call(ctx, "after")
	for name, v := range map[string]string{"args": string(c.Args), "result": string(c.ResultExcerpt), "note": c.Note, "reason": c.Reason} {
		if strings.Contains(v, "hunter2") || !strings.Contains(v, "«redacted»") {
			t.Errorf("%s = %q, want it masked", name, v)
		}
	}
	if found, _ := s.Calls(ctx, CallQuery{Search: "hunter2"}); !reflect.DeepEqual(ids(found), []string{"before"}) {
		t.Errorf("search for the secret finds %v, want only the call recorded before the hook", ids(found))
	}
	evs, _ := s.Events(ctx, EventQuery{})
	if len(evs) != 1 || strings.Contains(evs[0].Detail, "hunter2") {
		t.Errorf("event detail not masked: %+v", evs)
	}
	s.SetRedactor(nil)
	mustRecord(t, s, Call{ID: "off", Note: "hunter2"})
	if c, _, _ := s.Call(ctx, "off"); c.Note != "hunter2" {
		t.Errorf("after SetRedactor(nil) note = %q", c.Note)
	}
}
