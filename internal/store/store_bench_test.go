package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchCall is a typical call: a few hundred bytes of arguments and a short
// result excerpt.
func benchCall(id string) Call {
	return Call{
		ID: id, SessionID: "sess-42", Client: "claude-code", Server: "filesystem", Tool: "read_text_file",
		Args:     []byte(`{"path":"/home/user/projects/countersign/internal/store/calls.go","head":200}`),
		ArgsSize: 78, ArgsDigest: digestOf(id), RequestedAt: time.Now(), DecidedAt: time.Now(),
		Decision: "approved", DecidedBy: "rule", RuleID: "rule-7", WaitMS: 0, ServerMS: 3,
		ResultStatus: "ok", ResultExcerpt: []byte(`{"content":[{"type":"text","text":"package store\n\nimport (..."}]}`),
		ResultSize: 18234, ToolHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
}

// BenchmarkRecord reports insert throughput in calls/s: batches handed to one
// Record, and single-call Records from many goroutines (group commit).
func BenchmarkRecord(b *testing.B) {
	var seq atomic.Int64
	next := func() string { return fmt.Sprintf("call-%012d", seq.Add(1)) }
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, _ := openTemp(b)
			ctx := context.Background()
			calls := make([]Call, batch)
			b.ResetTimer()
			for b.Loop() {
				for j := range calls {
					calls[j] = benchCall(next())
				}
				if err := s.Record(ctx, calls...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "calls/s")
		})
	}
	for _, writers := range []int{16, 64} {
		b.Run(fmt.Sprintf("concurrent=%d", writers), func(b *testing.B) {
			s, _ := openTemp(b)
			ctx := context.Background()
			b.ResetTimer()
			var n atomic.Int64
			for b.Loop() {
				var wg sync.WaitGroup
				for range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if err := s.Record(ctx, benchCall(next())); err != nil {
							b.Error(err)
						}
						n.Add(1)
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

// BenchmarkBytesPerCall reports the database size per typical call.
func BenchmarkBytesPerCall(b *testing.B) {
	const n = 20000
	for b.Loop() {
		s, _ := openTemp(b)
		ctx := context.Background()
		calls := make([]Call, 1000)
		for i := range n / len(calls) {
			for j := range calls {
				calls[j] = benchCall(fmt.Sprintf("01JD%06d%06d", i, j))
			}
			if err := s.Record(ctx, calls...); err != nil {
				b.Fatal(err)
			}
		}
		var pages, size int64
		s.write(ctx, func(tx *sqlTx) error { _, err := tx.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); return err })
		s.rdb.QueryRow("SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &size)
		b.ReportMetric(float64(pages*size)/n, "bytes/call")
	}
}
