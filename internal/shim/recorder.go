package shim

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// recorder sends call records to the core in the background so a call
// decided in the shim never waits for the history. Records the core has
// not acknowledged are retried; those still unsent when the shim exits are
// written to the spool directory, which the core reads when it starts.
//
// Adding a record only appends to a slice: the sender is woken once per
// batch (by the first record of it), waits batchEvery for others to gather,
// then sends them in one request. The message path never waits, and an idle
// shim never wakes up.
type recorder struct {
	api   *localapi.Client
	spool string
	log   *slog.Logger

	mu     sync.Mutex
	queue  []localapi.CallRecord
	closed bool

	kick chan struct{} // buffered 1: the queue went from empty to not
	stop chan struct{}
	done chan struct{}
}

const (
	// batchEvery is how long a record may wait to share a request with
	// others. The history is read by people later; a fifth of a second is
	// invisible there.
	batchEvery = 200 * time.Millisecond
	// maxQueued bounds the records kept while the core is away; beyond it
	// they go to the spool at once.
	maxQueued = 10000
	// maxBatch bounds the records sent in one request.
	maxBatch = 1000
)

func newRecorder(api *localapi.Client, spool string, log *slog.Logger) *recorder {
	return &recorder{api: api, spool: spool, log: log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// add queues a record.
func (r *recorder) add(rec localapi.CallRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.spoolRecords([]localapi.CallRecord{rec}) // only after close: never lost
		return
	}
	if len(r.queue) == 0 {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	r.queue = append(r.queue, rec)
}

// run owns sending until close.
func (r *recorder) run() {
	defer close(r.done)
	var pending []localapi.CallRecord // taken from the queue, not yet acknowledged
	for {
		wait := batchEvery
		if len(pending) == 0 {
			select { // nothing to do until a record arrives
			case <-r.kick:
			case <-r.stop:
				r.drain(pending)
				return
			}
		} else {
			wait = time.Second // the last send failed: retry
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.stop:
			t.Stop()
			r.drain(pending)
			return
		}
		r.mu.Lock()
		pending = append(pending, r.queue...)
		r.queue = r.queue[:0]
		r.mu.Unlock()
		if len(pending) == 0 {
			continue
		}
		if err := r.sendAll(&pending, 5*time.Second); err != nil {
			if len(pending) > maxQueued {
				r.spoolRecords(pending)
				pending = nil
			}
			continue
		}
	}
}

// sendAll sends pending in requests of at most maxBatch records, dropping
// from pending what the core acknowledged. Bounded requests keep a burst of
// thousands of calls from turning into one huge allocation.
func (r *recorder) sendAll(pending *[]localapi.CallRecord, wait time.Duration) error {
	for len(*pending) > 0 {
		n := min(len(*pending), maxBatch)
		if err := r.send((*pending)[:n], wait); err != nil {
			return err
		}
		*pending = (*pending)[n:]
	}
	*pending = nil
	return nil
}

// drain sends or spools everything at close.
func (r *recorder) drain(pending []localapi.CallRecord) {
	r.mu.Lock()
	pending = append(pending, r.queue...)
	r.queue, r.closed = nil, true
	r.mu.Unlock()
	if r.sendAll(&pending, 2*time.Second) != nil {
		r.spoolRecords(pending)
	}
}

func (r *recorder) send(recs []localapi.CallRecord, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return r.api.Record(ctx, recs)
}

// close sends what is queued (or spools it) and waits.
func (r *recorder) close() {
	close(r.stop)
	<-r.done
}

// spoolRecords writes records the core could not take to a private file.
func (r *recorder) spoolRecords(recs []localapi.CallRecord) {
	if err := os.MkdirAll(r.spool, 0o700); err != nil {
		r.log.Error("cannot keep call records for the history", "count", len(recs), "err", err)
		return
	}
	name := filepath.Join(r.spool, fmt.Sprintf("%d-%d.jsonl", time.Now().UnixNano(), os.Getpid()))
	f, err := os.OpenFile(name+".tmp", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err == nil {
		enc := json.NewEncoder(f)
		for _, rec := range recs {
			if err = enc.Encode(rec); err != nil {
				break
			}
		}
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(name+".tmp", name)
		}
	}
	if err != nil {
		r.log.Error("cannot keep call records for the history", "count", len(recs), "err", err)
		return
	}
	r.log.Info("the Countersign core is away: call records kept for it", "count", len(recs), "file", name)
}
