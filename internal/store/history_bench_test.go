package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkHistoryQuery times one page (50) of the listings the CLI and GUI
// run, in-process, over 100,000 calls (scripts/bench-history.sh measures
// whole commands over 1,000,000). "rare" is a word in 1 call of 1,000,
// "common" in every tenth.
func BenchmarkHistoryQuery(b *testing.B) {
	const n = 100_000
	s, _ := openTemp(b)
	ctx := context.Background()
	servers := []string{"filesystem", "github", "postgres", "slack", "browser", "memory", "fetch", "shell"}
	base := time.Now().Add(-n * time.Second)
	calls := make([]Call, 0, 1000)
	for i := range n {
		c := benchCall(fmt.Sprintf("q%08d", i))
		c.RequestedAt = base.Add(time.Duration(i) * time.Second)
		c.Server = servers[i%len(servers)]
		word := "plain"
		switch {
		case i%1000 == 7:
			word = "kumquat"
		case i%10 == 3:
			word = "report"
		}
		c.Args = fmt.Appendf(nil, `{"path":"/home/user/%s-%d.md"}`, word, i)
		calls = append(calls, c)
		if len(calls) == cap(calls) {
			mustRecord(b, s, calls...)
			calls = calls[:0]
		}
	}
	for _, tc := range []struct {
		name string
		q    CallQuery
	}{
		{"search rare", CallQuery{Search: "kumquat", Limit: 50}},
		{"search common", CallQuery{Search: "report", Limit: 50}},
		{"server", CallQuery{Server: "github", Limit: 50}},
		{"newest", CallQuery{Limit: 50}},
		{"decision", CallQuery{Decision: "approved", Limit: 50}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				got, err := s.Calls(ctx, tc.q)
				if err != nil || len(got) != 50 {
					b.Fatalf("%d calls, %v", len(got), err)
				}
			}
		})
	}
}
