package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// next reads one call from ch or fails after 10 s.
func next(t *testing.T, ch <-chan localapi.HistoryCall) localapi.HistoryCall {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no recorded call within 10 s")
	}
	return localapi.HistoryCall{}
}

func TestSubscribeCalls(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	calls, cancel := r.c.SubscribeCalls()
	defer cancel()

	t.Run("reported by a shim, then merged with its result", func(t *testing.T) {
		at := time.Now().Add(-time.Second).UTC()
		if err := r.api.Record(ctx, []localapi.CallRecord{{
			ID: "rec-1", Client: "cc", Server: "fs", Tool: "read_file", Args: `{"path":"/etc/hosts"}`,
			RequestedAt: at, DecidedAt: at, Decision: "approved", DecidedBy: "rule", RuleID: "r1",
		}}); err != nil {
			t.Fatal(err)
		}
		got := next(t, calls)
		if got.ID != "rec-1" || got.Decision != "approved" || got.RuleID != "r1" || got.Server != "fs" ||
			string(got.Arguments) != `{"path":"/etc/hosts"}` || !got.RequestedAt.Equal(at) {
			t.Errorf("first event %+v", got)
		}
		if got.ResultExcerpt != nil {
			t.Errorf("a listing-shaped call carries its result: %s", got.ResultExcerpt)
		}
		// The result arrives later under the same id: the event carries the
		// merged call, decision included.
		if err := r.api.Record(ctx, []localapi.CallRecord{{ID: "rec-1", ResultStatus: "ok", ResultSize: 12, ServerMS: 7}}); err != nil {
			t.Fatal(err)
		}
		got = next(t, calls)
		if got.ID != "rec-1" || got.ResultStatus != "ok" || got.ServerMS != 7 || got.Decision != "approved" || got.Tool != "read_file" {
			t.Errorf("merged event %+v", got)
		}
	})

	t.Run("held and decided in the core", func(t *testing.T) {
		sid, _ := openSession(t, r.api, "git")
		d := recv(t, hold(r.api, localapi.CallRequest{ID: "held-1", SessionID: sid, Tool: "push", TimeoutMS: 100}))
		if d.Decision != "timeout" {
			t.Fatalf("decision %+v", d)
		}
		got := next(t, calls)
		if got.ID != "held-1" || got.Decision != "timeout" || got.Server != "git" || got.Client != "test" {
			t.Errorf("held event %+v", got)
		}
	})

	t.Run("a batch arrives in order", func(t *testing.T) {
		var recs []localapi.CallRecord
		for _, id := range []string{"b1", "b2", "b3"} {
			recs = append(recs, localapi.CallRecord{ID: id, Server: "fs", Tool: "t", Decision: "blocked", DecidedBy: "policy"})
		}
		if err := r.api.Record(ctx, recs); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"b1", "b2", "b3"} {
			if got := next(t, calls); got.ID != want {
				t.Errorf("got %s, want %s", got.ID, want)
			}
		}
	})

	t.Run("a slow subscriber is dropped, the others keep up", func(t *testing.T) {
		slow, cancelSlow := r.c.SubscribeCalls()
		defer cancelSlow()
		recs := make([]localapi.CallRecord, callFeedLen+10)
		for i := range recs {
			recs[i] = localapi.CallRecord{ID: fmt.Sprintf("burst-%03d", i), Server: "fs", Tool: "t"}
		}
		done := make(chan error, 1)
		go func() { done <- r.api.Record(ctx, recs) }()
		for i := range recs {
			if got := next(t, calls); got.ID != recs[i].ID {
				t.Fatalf("call %d: got %s, want %s", i, got.ID, recs[i].ID)
			}
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		n := 0
		for range slow { // closed once it overflowed
			n++
		}
		if n != callFeedLen {
			t.Errorf("slow subscriber got %d calls before being dropped, want %d", n, callFeedLen)
		}
	})

	t.Run("cancel closes the channel and stops publishing to it", func(t *testing.T) {
		ch, stop := r.c.SubscribeCalls()
		stop()
		stop() // twice is fine
		if _, ok := <-ch; ok {
			t.Error("channel open after cancel")
		}
		if err := r.api.Record(ctx, []localapi.CallRecord{{ID: "after", Server: "fs", Tool: "t"}}); err != nil {
			t.Fatal(err)
		}
		if got := next(t, calls); got.ID != "after" {
			t.Errorf("got %s", got.ID)
		}
	})
}

func TestRecordWithoutSubscribersReadsNothingBack(t *testing.T) {
	r := start(t, tempHome(t))
	if r.c.calls.active() {
		t.Fatal("a fresh core has call subscribers")
	}
	ch, stop := r.c.SubscribeCalls()
	if !r.c.calls.active() {
		t.Error("subscribed, yet not active")
	}
	stop()
	if r.c.calls.active() || len(ch) != 0 {
		t.Error("still active after cancel")
	}
}
