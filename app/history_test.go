package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/historyexport"
	"github.com/countersign/countersign/internal/localapi"
)

// seedCalls records calls in the core the way shims report them.
func seedCalls(t *testing.T, c *core.Core) {
	t.Helper()
	at := time.Now().Add(-time.Hour).UTC()
	err := c.Record(context.Background(), []localapi.CallRecord{
		{ID: "a1", Client: "cc", Server: "fs", Tool: "read_file", Args: `{"path":"/etc/hosts"}`, RequestedAt: at, Decision: "approved", DecidedBy: "user"},
		{ID: "a2", Client: "cc", Server: "git", Tool: "push", Args: `{"remote":"=cmd|x"}`, RequestedAt: at.Add(time.Minute), Decision: "denied", DecidedBy: "user"},
		{ID: "a3", Client: "cc", Server: "fs", Tool: "write_file", Args: `{"path":"/tmp/x"}`, RequestedAt: at.Add(2 * time.Minute), Decision: "denied", DecidedBy: "rule"},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHistoryExport(t *testing.T) {
	c := openCore(t)
	seedCalls(t, c)
	dir := t.TempDir()
	h := &History{core: c}

	t.Run("no window yet", func(t *testing.T) {
		if _, err := h.Export(localapi.HistoryQuery{}, "csv"); err == nil {
			t.Error("exported without a dialog")
		}
	})

	var asked []string
	path := filepath.Join(dir, "out.csv")
	h.attach(func(name, format string) (string, error) {
		asked = append(asked, name+" "+format)
		return path, nil
	})

	t.Run("csv with the filters, the CLI's bytes, 0600", func(t *testing.T) {
		q := localapi.HistoryQuery{Decision: "denied", Limit: 1, Before: "a3"} // limit and cursor are ignored
		res, err := h.Export(q, "csv")
		if err != nil {
			t.Fatal(err)
		}
		if res.Path != path || res.Count != 2 {
			t.Errorf("result %+v", res)
		}
		if len(asked) != 1 || !strings.HasPrefix(asked[0], "countersign-history-") || !strings.HasSuffix(asked[0], ".csv csv") {
			t.Errorf("dialog asked %q", asked)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("file mode %v, %v", fi, err)
		}
		got, _ := os.ReadFile(path)
		var want bytes.Buffer
		historyexport.Write(&want, "csv", func(fn func(localapi.HistoryCall) error) error {
			return c.ExportHistory(context.Background(), localapi.HistoryQuery{Decision: "denied"}, fn)
		})
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("file differs from the CLI export:\n%s\n---\n%s", got, want.Bytes())
		}
		recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		if err != nil || len(recs) != 3 || recs[1][0] != "a3" || recs[2][0] != "a2" {
			t.Errorf("records %q, %v", recs, err)
		}
		if !strings.Contains(string(got), `'=cmd|x`) && !strings.Contains(string(got), `{""remote"":""=cmd|x""}`) {
			t.Errorf("arguments cell missing: %s", got)
		}
	})

	t.Run("jsonl", func(t *testing.T) {
		path = filepath.Join(dir, "out.jsonl")
		res, err := h.Export(localapi.HistoryQuery{Server: "fs"}, "jsonl")
		if err != nil || res.Count != 2 {
			t.Fatalf("%+v, %v", res, err)
		}
		b, _ := os.ReadFile(path)
		if strings.Count(string(b), "\n") != 2 || !strings.Contains(string(b), `"id":"a3"`) {
			t.Errorf("jsonl %s", b)
		}
	})

	t.Run("cancelled dialog writes nothing", func(t *testing.T) {
		h.attach(func(string, string) (string, error) { return "", nil })
		res, err := h.Export(localapi.HistoryQuery{}, "csv")
		if err != nil || res != (ExportResult{}) {
			t.Errorf("%+v, %v", res, err)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 2 {
			t.Errorf("files %v", ents)
		}
	})

	t.Run("dialog error", func(t *testing.T) {
		h.attach(func(string, string) (string, error) { return "", errors.New("no portal") })
		if _, err := h.Export(localapi.HistoryQuery{}, "csv"); err == nil || !strings.Contains(err.Error(), "no portal") {
			t.Errorf("err %v", err)
		}
	})

	t.Run("unknown format is refused before asking", func(t *testing.T) {
		opened := false
		h.attach(func(string, string) (string, error) { opened = true; return path, nil })
		if _, err := h.Export(localapi.HistoryQuery{}, "xlsx"); err == nil || opened {
			t.Errorf("err %v, dialog opened %v", err, opened)
		}
	})
}

func TestRecordedCallsReachTheWindow(t *testing.T) {
	c := openCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := newRecorder()
	done := make(chan struct{})
	go func() { defer close(done); forwardCalls(ctx, c, rec.emit, quiet) }()
	rec.wait(t, EventHistoryResync)

	seedCalls(t, c)
	for _, want := range []string{"a1", "a2", "a3"} {
		ev := rec.wait(t, EventHistoryAdded)
		if call, ok := ev.data[0].(localapi.HistoryCall); !ok || call.ID != want {
			t.Fatalf("event %#v, want call %s", ev.data, want)
		}
	}
	// A burst the window cannot take in time: the forwarder is dropped,
	// subscribes again and asks the window to re-read.
	block := make(chan struct{})
	slow := func(name string, data ...any) {
		if name == EventHistoryAdded {
			<-block
		}
		rec.emit(name, data...)
	}
	cancel()
	<-done
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	done2 := make(chan struct{})
	go func() { defer close(done2); forwardCalls(ctx2, c, slow, quiet) }()
	rec.wait(t, EventHistoryResync)
	var burst []localapi.CallRecord
	for i := range 600 {
		burst = append(burst, localapi.CallRecord{ID: fmt.Sprintf("burst-%03d", i), Server: "fs", Tool: "t"})
	}
	if err := c.Record(context.Background(), burst); err != nil {
		t.Fatal(err)
	}
	close(block)
	rec.wait(t, EventHistoryResync)
	cancel2()
	select {
	case <-done2:
	case <-time.After(5 * time.Second):
		t.Fatal("forwardCalls did not return after its context ended")
	}
}
