//go:build linux || darwin

package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The history half of the test backend: it remembers the last query and
// answers from it, so the tests see what crossed the socket.
var lastHistoryQuery = make(chan HistoryQuery, 16)

func (b *backend) History(ctx context.Context, q HistoryQuery) ([]HistoryCall, error) {
	lastHistoryQuery <- q
	if q.Before == "bad" {
		return nil, fmt.Errorf("%w: unknown cursor", ErrInvalid)
	}
	return []HistoryCall{{ID: "c1", Arguments: json.RawMessage(`{"a":1}`)}}, nil
}

func (b *backend) HistoryCall(ctx context.Context, id string) (HistoryCall, error) {
	if id != "known/id" {
		return HistoryCall{}, fmt.Errorf("no call %q: %w", id, ErrNotFound)
	}
	return HistoryCall{ID: id, ResultExcerpt: json.RawMessage(`"text"`)}, nil
}

// ExportHistory sends q.Limit calls; a search for "fail" fails after two
// calls, "fail-first" before any.
func (b *backend) ExportHistory(ctx context.Context, q HistoryQuery, send func(HistoryCall) error) error {
	for i := range q.Limit {
		if q.Search == "fail-first" || (q.Search == "fail" && i == 2) {
			return errors.New("disk on fire")
		}
		if err := send(HistoryCall{ID: fmt.Sprintf("e%d", i)}); err != nil {
			return err
		}
	}
	return nil
}

func (b *backend) HistoryEvents(ctx context.Context, q EventQuery) ([]HistoryEvent, error) {
	return []HistoryEvent{{ID: "1", Kind: q.Kind, Server: q.Server, Client: q.Client}}, nil
}

func (b *backend) PruneHistory(ctx context.Context, before time.Time) (PruneResult, error) {
	return PruneResult{Before: before, Calls: 3, Events: 1}, nil
}

func TestHistoryQueryCrossesTheSocket(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()
	since := time.Date(2026, 11, 26, 10, 0, 0, 123, time.UTC)
	for _, q := range []HistoryQuery{
		{},
		{Server: "fs", Tool: "read file", Client: "a&b=c", Decision: "denied", Search: `"quoted" words?`, Since: since, Until: since.Add(time.Hour), Limit: 50, Before: "k3xq"},
	} {
		if _, err := c.History(ctx, q); err != nil {
			t.Fatal(err)
		}
		got := <-lastHistoryQuery
		if !got.Since.Equal(q.Since) || !got.Until.Equal(q.Until) {
			t.Errorf("times %v %v, want %v %v", got.Since, got.Until, q.Since, q.Until)
		}
		got.Since, got.Until, q.Since, q.Until = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, q) {
			t.Errorf("query crossed as %+v, want %+v", got, q)
		}
	}
	if _, err := c.History(ctx, HistoryQuery{Before: "bad"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad cursor: %v, want ErrInvalid", err)
	}
	<-lastHistoryQuery
}

func TestHistoryCallNotFound(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	got, err := c.HistoryCall(context.Background(), "known/id")
	if err != nil || got.ID != "known/id" || string(got.ResultExcerpt) != `"text"` {
		t.Errorf("HistoryCall = %+v, %v", got, err)
	}
	if _, err := c.HistoryCall(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing call: %v, want ErrNotFound", err)
	}
}

func TestExportStream(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		q       HistoryQuery
		want    int
		wantErr string
	}{
		{"empty", HistoryQuery{Limit: 0}, 0, ""},
		{"many", HistoryQuery{Limit: 3000}, 3000, ""},
		{"fails midway", HistoryQuery{Limit: 10, Search: "fail"}, 2, "cut short after 2"},
		{"fails first", HistoryQuery{Limit: 10, Search: "fail-first"}, 0, "disk on fire"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := c.ExportHistory(ctx, tc.q, func(h HistoryCall) error {
				if h.ID != fmt.Sprintf("e%d", n) {
					t.Errorf("call %d has id %s", n, h.ID)
				}
				n++
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("ExportHistory = %v, want error %q", err, tc.wantErr)
			}
			if n != tc.want {
				t.Errorf("received %d calls, want %d", n, tc.want)
			}
		})
	}
	stop := errors.New("reader gave up")
	err := c.ExportHistory(ctx, HistoryQuery{Limit: 100}, func(HistoryCall) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("fn error = %v, want it returned", err)
	}
}

func TestPruneAndEventsCrossTheSocket(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()
	before := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res, err := c.PruneHistory(ctx, before)
	if err != nil || !res.Before.Equal(before) || res.Calls != 3 || res.Events != 1 {
		t.Errorf("PruneHistory = %+v, %v", res, err)
	}
	evs, err := c.HistoryEvents(ctx, EventQuery{Kind: "secret_used", Server: "gh", Client: "cursor"})
	if err != nil || len(evs) != 1 || evs[0].Kind != "secret_used" || evs[0].Server != "gh" || evs[0].Client != "cursor" {
		t.Errorf("HistoryEvents = %+v, %v", evs, err)
	}
}
