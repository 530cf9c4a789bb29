package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSearchPlansMatchReference pages through searches with every plan
// searchCalls can pick (match plan alone for a rare word, the walk for a
// frequent one, the walk resumed by the match plan for a word found only in
// old calls) and checks each page (up to eight) against the single-query reference
// (EachCall with a Limit), with filters combined and the Before cursor.
// Calls are recorded out of requested_at order and with tied timestamps, so
// seq order is not time order.
func TestSearchPlansMatchReference(t *testing.T) {
	const n = 3000
	s, _ := openTemp(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	order := rng.Perm(n) // requested_at rank of the i-th recorded call
	var calls []Call
	for i := range n {
		rank := order[i]
		c := benchCall(fmt.Sprintf("c%05d", i))
		c.RequestedAt = base.Add(time.Duration(rank/3) * time.Second) // ties of three
		c.Server = []string{"github", "filesystem", "shell"}[i%3]
		word := "plain"
		switch {
		case rank < 150:
			word = "olden"
		case i%500 == 1:
			word = "kumquat"
		case i%10 == 3:
			word = "report"
		}
		c.Args = fmt.Appendf(nil, `{"path":"/home/%s-%d.md"}`, word, i)
		calls = append(calls, c)
	}
	mustRecord(t, s, calls...)

	reference := func(q CallQuery) []string {
		var ids []string
		if err := s.EachCall(ctx, q, func(c Call) error { ids = append(ids, c.ID); return nil }); err != nil {
			t.Fatalf("EachCall(%+v): %v", q, err)
		}
		return ids
	}
	for _, word := range []string{"report", "kumquat", "olden", "report md", "nothere"} {
		for _, f := range []struct {
			name string
			q    CallQuery
		}{
			{"all", CallQuery{}},
			{"server", CallQuery{Server: "github"}},
			{"range", CallQuery{Since: base.Add(100 * time.Second), Until: base.Add(900 * time.Second)}},
			{"server and range", CallQuery{Server: "shell", Since: base.Add(10 * time.Second)}},
		} {
			for _, limit := range []int{7, 20} {
				t.Run(fmt.Sprintf("%s/%s/limit=%d", word, f.name, limit), func(t *testing.T) {
					q := f.q
					q.Search, q.Limit = word, limit
					seen, done := 0, false
					for page := 0; page < 8; page++ {
						got, err := s.Calls(ctx, q)
						if err != nil {
							t.Fatalf("page %d: Calls: %v", page, err)
						}
						var ids []string
						for _, c := range got {
							ids = append(ids, c.ID)
						}
						if want := reference(q); !slices.Equal(ids, want) {
							t.Fatalf("page %d (before %q): got %v, want %v", page, q.Before, ids, want)
						}
						seen += len(ids)
						if len(ids) < limit {
							done = true
							break
						}
						q.Before = ids[len(ids)-1]
					}
					all := f.q
					all.Search = word
					if want := len(reference(all)); done && seen != want {
						t.Fatalf("paged through %d calls, want %d", seen, want)
					}
				})
			}
		}
	}
}

// TestSearchOrderNewestFirst checks the page a frequent word returns is
// ordered by requested_at, then id, descending, and that every call in it
// contains the word.
func TestSearchOrderNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var calls []Call
	for i := range 2000 {
		c := benchCall(fmt.Sprintf("o%05d", i))
		// Recorded newest first: seq order is the reverse of time order.
		c.RequestedAt = base.Add(time.Duration(2000-i) * time.Minute)
		word := "plain"
		if i%4 == 0 {
			word = "report"
		}
		c.Args = fmt.Appendf(nil, `{"q":"%s"}`, word)
		calls = append(calls, c)
	}
	mustRecord(t, s, calls...)
	got, err := s.Calls(ctx, CallQuery{Search: "report", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Fatalf("got %d calls, want 50", len(got))
	}
	for i, c := range got {
		if want := fmt.Sprintf("o%05d", i*4); c.ID != want {
			t.Fatalf("call %d is %s, want %s", i, c.ID, want)
		}
	}
}

func TestWalkBudget(t *testing.T) {
	for _, tc := range []struct {
		limit int
		total int64
		want  int
	}{
		{50, 0, 400},
		{50, 100, 400},
		{50, 1_000_000, 17320},
	} {
		if got := walkBudget(tc.limit, tc.total); got != tc.want {
			t.Errorf("walkBudget(%d, %d) = %d, want %d", tc.limit, tc.total, got, tc.want)
		}
	}
}
