package core

import (
	"context"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/store"
)

func TestParseAge(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{" 7d ", 7 * 24 * time.Hour, true},
		{"0s", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"-3d", 0, false},
		{"-1h", 0, false},
		{"soon", 0, false},
		{"99999999999w", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAge(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ParseAge(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestRetention(t *testing.T) {
	r := start(t, tempHome(t))
	ctx := context.Background()
	now := time.Now()
	if err := r.api.Record(ctx, []localapi.CallRecord{
		{ID: "month", Tool: "t", RequestedAt: now.Add(-30 * 24 * time.Hour)},
		{ID: "fresh", Tool: "t", RequestedAt: now.Add(-time.Hour)},
	}); err != nil {
		t.Fatal(err)
	}
	r.c.recordEvent(store.Event{Kind: store.EventSessionEnded, Server: "fs", ExitCode: new(int)})
	// addAncient (re-)adds a call and an event older than the default.
	addAncient := func() {
		if err := r.api.Record(ctx, []localapi.CallRecord{{ID: "ancient", Tool: "t", RequestedAt: now.Add(-100 * 24 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		r.c.recordEvent(store.Event{Kind: store.EventConfigChanged, At: now.Add(-95 * 24 * time.Hour), Path: "/old"})
	}

	ids := func() []string {
		calls, err := r.api.History(ctx, localapi.HistoryQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range calls {
			out = append(out, c.ID)
		}
		return out
	}
	for _, tc := range []struct {
		setting string // "" = unset
		want    []string
		events  int
	}{
		{"", []string{"fresh", "month"}, 1}, // unset: the default 90 days
		{"off", []string{"fresh", "month", "ancient"}, 2},
		{"not a duration", []string{"fresh", "month"}, 1}, // unreadable: the default, never more
		{"7d", []string{"fresh"}, 1},
	} {
		addAncient()
		if tc.setting != "" {
			if err := r.c.store.SetSetting(ctx, RetentionSetting, tc.setting); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := r.c.applyRetention(ctx, time.Now()); err != nil {
			t.Fatalf("retention %q: %v", tc.setting, err)
		}
		if got := ids(); !equal(got, tc.want) {
			t.Errorf("retention %q keeps %v, want %v", tc.setting, got, tc.want)
		}
		evs, err := r.api.HistoryEvents(ctx, localapi.EventQuery{})
		if err != nil || len(evs) != tc.events {
			t.Errorf("retention %q keeps %d events (%v), want %d", tc.setting, len(evs), err, tc.events)
		}
	}
	evs, _ := r.api.HistoryEvents(ctx, localapi.EventQuery{Kind: store.EventSessionEnded})
	if len(evs) != 1 || evs[0].ExitCode == nil || *evs[0].ExitCode != 0 || evs[0].Server != "fs" {
		t.Errorf("session_ended event: %+v", evs)
	}
	if _, err := r.api.PruneHistory(ctx, time.Now().Add(time.Hour)); err == nil {
		t.Error("a prune in the future was accepted")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
