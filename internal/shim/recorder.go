package shim

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

// recorder sends call records to the core in the background so a call
// decided in the shim never waits for the history. Records the core has
// not acknowledged are retried; those still unsent when the shim exits are
// written to the spool directory, which the core reads when it starts.
type recorder struct {
	api   *localapi.Client
	spool string
	log   *slog.Logger
	in    chan localapi.CallRecord
	done  chan struct{}
}

const maxQueued = 10000

func newRecorder(api *localapi.Client, spool string, log *slog.Logger) *recorder {
	return &recorder{api: api, spool: spool, log: log, in: make(chan localapi.CallRecord, 1024), done: make(chan struct{})}
}

// add queues a record. It never blocks the message path for long: when the
// queue is full the record waits for room, which only happens when the core
// has been away for thousands of calls.
func (r *recorder) add(rec localapi.CallRecord) { r.in <- rec }

// run owns the queue until close is called and the queue is drained.
func (r *recorder) run() {
	defer close(r.done)
	var queue []localapi.CallRecord
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		select {
		case rec, ok := <-r.in:
			// Take whatever else is already waiting: one request per burst.
			for ok {
				queue = append(queue, rec)
				select {
				case rec, ok = <-r.in:
					continue
				default:
				}
				break
			}
			if !ok {
				r.flushOrSpool(queue)
				return
			}
		case <-retry.C:
		}
		if len(queue) == 0 {
			continue
		}
		if err := r.send(queue, 5*time.Second); err != nil {
			if len(queue) > maxQueued {
				r.spoolRecords(queue)
				queue = nil
			}
			retry.Reset(time.Second)
			continue
		}
		queue = queue[:0]
	}
}

func (r *recorder) send(recs []localapi.CallRecord, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return r.api.Record(ctx, recs)
}

// close stops taking records and waits until every queued one is either
// acknowledged by the core or spooled.
func (r *recorder) close() {
	close(r.in)
	<-r.done
}

func (r *recorder) flushOrSpool(queue []localapi.CallRecord) {
	if len(queue) == 0 {
		return
	}
	if err := r.send(queue, 2*time.Second); err == nil {
		return
	}
	r.spoolRecords(queue)
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
