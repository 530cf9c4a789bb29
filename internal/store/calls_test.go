package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// decisionPart is what the core knows when a call is decided.
func decisionPart(id string) Call {
	return Call{
		ID: id, SessionID: "sess-1", Client: "claude-code", Server: "fs", Tool: "read_file",
		Args: []byte(`{"path":"/tmp/notes.txt"}`), ArgsSize: 25, ArgsDigest: digestOf(`{"path":"/tmp/notes.txt"}`),
		RequestedAt: t0, DecidedAt: t0.Add(2 * time.Second), Decision: "approved", DecidedBy: "user",
		Note: "looks fine", WaitMS: 2000, ToolHash: "abc123",
	}
}

// resultPart is what the shim knows when the server answered.
func resultPart(id string) Call {
	return Call{
		ID: id, ServerMS: 15, ResultStatus: "ok", ResultExcerpt: []byte(`{"content":[{"type":"text","text":"hi"}]}`), ResultSize: 4096,
	}
}

func merged(id string) Call {
	c := decisionPart(id)
	r := resultPart(id)
	c.ServerMS, c.ResultStatus, c.ResultExcerpt, c.ResultSize = r.ServerMS, r.ResultStatus, r.ResultExcerpt, r.ResultSize
	return c
}

func assertCall(t *testing.T, got, want Call) {
	t.Helper()
	if !got.RequestedAt.Equal(want.RequestedAt) || !got.DecidedAt.Equal(want.DecidedAt) {
		t.Errorf("times: got requested %v decided %v, want %v %v", got.RequestedAt, got.DecidedAt, want.RequestedAt, want.DecidedAt)
	}
	got.RequestedAt, got.DecidedAt, want.RequestedAt, want.DecidedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("call mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func TestRecordMerge(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		parts []Call
		want  Call
	}{
		{"decision then result", []Call{decisionPart("a"), resultPart("a")}, merged("a")},
		{"result then decision", []Call{resultPart("b"), decisionPart("b")}, merged("b")},
		{"same batch, result first", []Call{resultPart("c"), decisionPart("c")}, merged("c")},
		{"empty report erases nothing", []Call{merged("d"), {ID: "d"}}, merged("d")},
		{"non-empty replaces", []Call{decisionPart("e"), {ID: "e", Decision: "denied", Note: "changed my mind"}}, func() Call {
			c := decisionPart("e")
			c.Decision, c.Note = "denied", "changed my mind"
			return c
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "same batch, result first" {
				mustRecord(t, s, tc.parts...)
			} else {
				for _, p := range tc.parts {
					mustRecord(t, s, p)
				}
			}
			got, ok, err := s.Call(ctx, tc.want.ID)
			if err != nil || !ok {
				t.Fatalf("Call(%q) = %v, %v", tc.want.ID, ok, err)
			}
			assertCall(t, got, tc.want)
		})
	}
}

func TestRecordResultFirstGetsProvisionalTime(t *testing.T) {
	s, _ := openTemp(t)
	before := time.Now()
	mustRecord(t, s, resultPart("r"))
	c, ok, err := s.Call(context.Background(), "r")
	if err != nil || !ok {
		t.Fatalf("Call: %v %v", ok, err)
	}
	if c.RequestedAt.Before(before) || c.RequestedAt.After(time.Now()) {
		t.Errorf("provisional requested_at %v not in [%v, now]", c.RequestedAt, before)
	}
	mustRecord(t, s, decisionPart("r"))
	c, _, _ = s.Call(context.Background(), "r")
	if !c.RequestedAt.Equal(t0) {
		t.Errorf("requested_at after the core's report = %v, want %v", c.RequestedAt, t0)
	}
}

func TestCallMissing(t *testing.T) {
	s, _ := openTemp(t)
	_, ok, err := s.Call(context.Background(), "nope")
	if err != nil || ok {
		t.Fatalf("Call(missing) = %v, %v; want false, nil", ok, err)
	}
}

func TestRecordBounds(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	big := bytes.Repeat([]byte("é"), MaxExcerpt) // 2 bytes per rune: 128 KiB
	mustRecord(t, s, Call{
		ID: "big", Args: big, ResultExcerpt: big, ResultSize: 10,
		Note: strings.Repeat("n", 3*maxNote), Tool: strings.Repeat("t", 5*maxField),
	})
	c, _, err := s.Call(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		got  []byte
		size int64
	}{{"args", c.Args, c.ArgsSize}, {"result", c.ResultExcerpt, c.ResultSize}} {
		if len(f.got) > MaxExcerpt || len(f.got) < MaxExcerpt-utf8.UTFMax {
			t.Errorf("%s excerpt len = %d, want just under %d", f.name, len(f.got), MaxExcerpt)
		}
		if !utf8.Valid(f.got) {
			t.Errorf("%s excerpt cut inside a UTF-8 sequence", f.name)
		}
		if f.size != int64(len(big)) {
			t.Errorf("%s size = %d, want the full %d", f.name, f.size, len(big))
		}
	}
	if len(c.Note) != maxNote || len(c.Tool) != maxField {
		t.Errorf("note len %d tool len %d, want %d %d", len(c.Note), len(c.Tool), maxNote, maxField)
	}
}

func TestRecordRejects(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		c    Call
	}{
		{"empty id", Call{}},
		{"long id", Call{ID: strings.Repeat("x", maxID+1)}},
		{"bad decision", Call{ID: "x", Decision: "maybe"}},
		{"bad decided_by", Call{ID: "x", DecidedBy: "robot"}},
		{"bad result status", Call{ID: "x", ResultStatus: "fine"}},
		{"digest not hex", Call{ID: "x", ArgsDigest: "zz"}},
		{"digest wrong length", Call{ID: "x", ArgsDigest: "abcd"}},
		{"negative size", Call{ID: "x", ArgsSize: -1}},
		{"time out of range", Call{ID: "x", RequestedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A valid call in the same Record must not be written either.
			if err := s.Record(ctx, Call{ID: "ok-" + tc.name}, tc.c); err == nil {
				t.Fatal("Record succeeded, want error")
			}
			if _, ok, _ := s.Call(ctx, "ok-"+tc.name); ok {
				t.Error("valid call of a rejected Record was written")
			}
		})
	}
}

func TestDigestCaseNormalised(t *testing.T) {
	s, _ := openTemp(t)
	d := digestOf("x")
	mustRecord(t, s, Call{ID: "d", ArgsDigest: strings.ToUpper(d)})
	c, _, _ := s.Call(context.Background(), "d")
	if c.ArgsDigest != d {
		t.Errorf("digest = %q, want %q", c.ArgsDigest, d)
	}
}

// seedQueryCalls records 30 calls, one second apart, newest last, with two
// pairs sharing a timestamp so id breaks the tie.
func seedQueryCalls(t *testing.T, s *Store) []Call {
	var calls []Call
	servers := []string{"fs", "git", "web"}
	tools := []string{"read_file", "write_file", "fetch"}
	clients := []string{"claude-code", "cursor"}
	decisions := []string{"approved", "denied", "timeout", "blocked", "cancelled"}
	for i := range 30 {
		at := t0.Add(time.Duration(i) * time.Second)
		if i == 10 || i == 20 {
			at = calls[i-1].RequestedAt
		}
		calls = append(calls, Call{
			ID:          fmt.Sprintf("call-%02d", i),
			Server:      servers[i%3],
			Tool:        tools[(i/3)%3],
			Client:      clients[i%2],
			Decision:    decisions[i%5],
			RequestedAt: at,
			Args:        []byte(fmt.Sprintf(`{"path":"/srv/file%d.txt","word":"w%d"}`, i, i%4)),
			Note:        map[bool]string{true: "contains kangaroo", false: ""}[i%7 == 0],
		})
	}
	mustRecord(t, s, calls...)
	return calls
}

func ids(calls []Call) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c.ID)
	}
	return out
}

// expect filters the seeded calls in Go and orders them newest first.
func expect(calls []Call, keep func(i int, c Call) bool, limit int) []string {
	var out []string
	for i := len(calls) - 1; i >= 0; i-- {
		if keep(i, calls[i]) {
			out = append(out, calls[i].ID)
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func TestCallsQuery(t *testing.T) {
	s, _ := openTemp(t)
	calls := seedQueryCalls(t, s)
	all := func(int, Call) bool { return true }
	for _, tc := range []struct {
		name string
		q    CallQuery
		want []string
	}{
		{"all, newest first, ties by id", CallQuery{}, expect(calls, all, 100)},
		{"limit", CallQuery{Limit: 5}, expect(calls, all, 5)},
		{"server", CallQuery{Server: "git"}, expect(calls, func(_ int, c Call) bool { return c.Server == "git" }, 100)},
		{"tool", CallQuery{Tool: "fetch"}, expect(calls, func(_ int, c Call) bool { return c.Tool == "fetch" }, 100)},
		{"client", CallQuery{Client: "cursor"}, expect(calls, func(_ int, c Call) bool { return c.Client == "cursor" }, 100)},
		{"decision", CallQuery{Decision: "denied"}, expect(calls, func(_ int, c Call) bool { return c.Decision == "denied" }, 100)},
		{"server and tool", CallQuery{Server: "fs", Tool: "read_file"}, expect(calls, func(_ int, c Call) bool { return c.Server == "fs" && c.Tool == "read_file" }, 100)},
		{"since inclusive, until exclusive", CallQuery{Since: calls[5].RequestedAt, Until: calls[12].RequestedAt},
			expect(calls, func(_ int, c Call) bool {
				return !c.RequestedAt.Before(calls[5].RequestedAt) && c.RequestedAt.Before(calls[12].RequestedAt)
			}, 100)},
		{"before cursor", CallQuery{Before: "call-20", Limit: 4}, []string{"call-19", "call-18", "call-17", "call-16"}},
		{"cursor inside a tie", CallQuery{Before: "call-10", Limit: 2}, []string{"call-09", "call-08"}},
		{"cursor on the upper of a tie", CallQuery{Before: "call-21", Limit: 3}, []string{"call-20", "call-19", "call-18"}},
		{"search args word", CallQuery{Search: "file7"}, []string{"call-07"}},
		{"search path", CallQuery{Search: "/srv/file12.txt"}, []string{"call-12"}},
		{"search note", CallQuery{Search: "kangaroo"}, expect(calls, func(i int, _ Call) bool { return i%7 == 0 }, 100)},
		{"search tool name", CallQuery{Search: "write_file", Server: "web"}, expect(calls, func(_ int, c Call) bool { return c.Tool == "write_file" && c.Server == "web" }, 100)},
		{"search two words ANDed", CallQuery{Search: "w1 git"}, expect(calls, func(i int, c Call) bool { return i%4 == 1 && c.Server == "git" }, 100)},
		{"search is case-insensitive", CallQuery{Search: "KANGAROO", Limit: 1}, []string{"call-28"}},
		{"OR is a word, not an operator", CallQuery{Search: "kangaroo OR file3"}, []string{}},
		{"FTS syntax characters are literal", CallQuery{Search: `kangaroo " * ^ : ( -`}, expect(calls, func(i int, _ Call) bool { return i%7 == 0 }, 100)},
		{"no match", CallQuery{Server: "nope"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Calls(context.Background(), tc.q)
			if err != nil {
				t.Fatalf("Calls(%+v): %v", tc.q, err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tc.want) {
				t.Errorf("Calls(%+v)\n got %v\nwant %v", tc.q, g, tc.want)
			}
		})
	}
}

func TestCallsPagesThroughEverything(t *testing.T) {
	s, _ := openTemp(t)
	calls := seedQueryCalls(t, s)
	var got []string
	q := CallQuery{Limit: 7}
	for {
		page, err := s.Calls(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, ids(page)...)
		q.Before = page[len(page)-1].ID
	}
	if want := expect(calls, func(int, Call) bool { return true }, 100); !reflect.DeepEqual(got, want) {
		t.Errorf("pages\n got %v\nwant %v", got, want)
	}
}

func TestCallsUnknownCursor(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Calls(context.Background(), CallQuery{Before: "ghost"}); err == nil {
		t.Fatal("unknown cursor accepted")
	}
}

func TestCallsLimitCapped(t *testing.T) {
	s, _ := openTemp(t)
	calls := make([]Call, MaxLimit+5)
	for i := range calls {
		calls[i] = Call{ID: fmt.Sprintf("c%05d", i), RequestedAt: t0.Add(time.Duration(i))}
	}
	mustRecord(t, s, calls...)
	for _, tc := range []struct{ limit, want int }{{0, DefaultLimit}, {-3, DefaultLimit}, {10, 10}, {MaxLimit + 100, MaxLimit}} {
		got, err := s.Calls(context.Background(), CallQuery{Limit: tc.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want {
			t.Errorf("Limit %d: %d calls, want %d", tc.limit, len(got), tc.want)
		}
	}
}

func TestFTSFollowsUpdatesAndDeletes(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	search := func(word string) []string {
		t.Helper()
		got, err := s.Calls(ctx, CallQuery{Search: word})
		if err != nil {
			t.Fatal(err)
		}
		return ids(got)
	}
	mustRecord(t, s, Call{ID: "x", Tool: "t", Note: "platypus"})
	if got := search("platypus"); !reflect.DeepEqual(got, []string{"x"}) {
		t.Fatalf("after insert: %v", got)
	}
	mustRecord(t, s, Call{ID: "x", Note: "echidna"})
	if got := search("platypus"); len(got) != 0 {
		t.Errorf("old note still indexed: %v", got)
	}
	if got := search("echidna"); !reflect.DeepEqual(got, []string{"x"}) {
		t.Errorf("new note not indexed: %v", got)
	}
	// A delete (as prune will do) removes the row from the index too.
	if err := s.write(ctx, func(tx *sqlTx) error { _, err := tx.Exec("DELETE FROM calls WHERE id = 'x'"); return err }); err != nil {
		t.Fatal(err)
	}
	if got := search("echidna"); len(got) != 0 {
		t.Errorf("deleted call still found: %v", got)
	}
	var check string
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1 FROM calls_fts WHERE calls_fts MATCH 'echidna'").Scan(&check); err == nil {
		t.Error("index still holds the deleted row")
	}
	// FTS5 integrity-check compares the index with the content table.
	if err := s.write(ctx, func(tx *sqlTx) error {
		_, err := tx.Exec("INSERT INTO calls_fts(calls_fts) VALUES ('integrity-check')")
		return err
	}); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}
}

func TestFTS5Available(t *testing.T) {
	s, _ := openTemp(t)
	var on int
	if err := s.rdb.QueryRow("SELECT sqlite_compileoption_used('ENABLE_FTS5')").Scan(&on); err != nil {
		t.Fatal(err)
	}
	if on != 1 {
		t.Fatal("this SQLite build lacks FTS5")
	}
}

func TestConcurrentRecord(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const workers, each = 32, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%02d-%03d", w, i)
				// Decision and result from "different processes", interleaved.
				if err := s.Record(ctx, Call{ID: id, Server: "fs", Decision: "approved", RequestedAt: t0}); err != nil {
					errs <- err
					return
				}
				if err := s.Record(ctx, Call{ID: id, ResultStatus: "ok"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := s.rdb.QueryRow("SELECT count(*) FROM calls WHERE decision = 'approved' AND result_status = 'ok'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != workers*each {
		t.Errorf("%d complete calls, want %d", n, workers*each)
	}
}

func TestCloseRacingRecord(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	const n = 300
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		acked []string
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			id := fmt.Sprintf("c%03d", i)
			if err := s.Record(ctx, Call{ID: id}); err == nil {
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			} else if err != ErrClosed {
				t.Errorf("Record(%s) = %v, want nil or ErrClosed", id, err)
			}
		}()
	}
	close(start)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var stored int
	if err := s2.rdb.QueryRow("SELECT count(*) FROM calls").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	for _, id := range acked {
		if _, ok, err := s2.Call(ctx, id); err != nil || !ok {
			t.Errorf("acknowledged call %s missing after Close (%v)", id, err)
		}
	}
	// Everything queued before Close was written, even if its Record
	// returned ErrClosed only because it arrived after the gate shut.
	if stored < len(acked) {
		t.Errorf("stored %d < acknowledged %d", stored, len(acked))
	}
	t.Logf("%d acknowledged before Close, %d stored", len(acked), stored)
}

func TestRecordContextCancelled(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Record(ctx, Call{ID: "late"}); err != context.Canceled {
		t.Errorf("Record with cancelled ctx = %v, want context.Canceled", err)
	}
	if _, ok, _ := s.Call(context.Background(), "late"); ok {
		t.Error("call of a cancelled Record was written")
	}
}

// holdWriter blocks the writer inside a transaction until the returned
// release is called, so that ops queued meanwhile share the next batch.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, unblock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.write(context.Background(), func(*sqlTx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	<-started
	return func() {
		close(unblock)
		if err := <-done; err != nil {
			t.Errorf("holding op: %v", err)
		}
	}
}

// waitQueued waits until n ops wait for the writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.queue) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d ops queued", len(s.queue), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestFailingOpDoesNotSinkItsBatch(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	release := holdWriter(t, s)
	var wg sync.WaitGroup
	results := make([]error, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%4 == 0 {
				results[i] = s.write(ctx, func(tx *sqlTx) error {
					if _, err := tx.Exec("INSERT INTO settings(key, value) VALUES ('half', 'written')"); err != nil {
						return err
					}
					_, err := tx.Exec("INSERT INTO no_such_table VALUES (1)")
					return err
				})
				return
			}
			results[i] = s.Record(ctx, Call{ID: fmt.Sprintf("ok%d", i), Note: "batched"})
		}()
	}
	waitQueued(t, s, len(results)) // all of them go in one batch
	release()
	wg.Wait()
	for i, err := range results {
		if (i%4 == 0) != (err != nil) {
			t.Errorf("op %d: err = %v", i, err)
		}
		if i%4 != 0 {
			if _, ok, _ := s.Call(ctx, fmt.Sprintf("ok%d", i)); !ok {
				t.Errorf("call ok%d lost with a failing neighbour", i)
			}
		}
	}
	if _, ok, _ := s.Setting(ctx, "half"); ok {
		t.Error("failing op left a partial write")
	}
	if got, _ := s.Calls(ctx, CallQuery{Search: "batched"}); len(got) != 15 {
		t.Errorf("full-text index holds %d of the 15 replayed calls", len(got))
	}
}

func TestCloseFlushesAQueueBehindABusyWriter(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	release := holdWriter(t, s)
	const n = 50
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.Record(ctx, Call{ID: fmt.Sprintf("q%02d", i)}) }()
	}
	waitQueued(t, s, n)
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the writer was still busy", err)
	case <-time.After(50 * time.Millisecond):
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("queued Record = %v, want nil (flushed by Close)", err)
		}
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Calls(ctx, CallQuery{Limit: 1000})
	if err != nil || len(got) != n {
		t.Errorf("%d calls after Close, want %d (%v)", len(got), n, err)
	}
}
