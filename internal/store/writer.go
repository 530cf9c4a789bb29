package store

import (
	"context"
	"database/sql"
	"fmt"
)

const (
	// queueLen bounds how many operations may wait for the writer; senders
	// block (or give up with their context) beyond it.
	queueLen = 1024
	// maxBatch bounds how many operations share one transaction.
	maxBatch = 256
)

// op is one unit of work for the writer: fn runs inside the batch
// transaction, in its own savepoint, so one failing op does not undo the
// others.
type op struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error // buffered(1): the writer never blocks on it
	err  error      // set by the writer when it skips a cancelled op
}

// write queues fn for the writer goroutine and waits until the transaction
// that ran it has committed (nil) or failed. If ctx ends first, write returns
// ctx.Err() and the change may or may not have been committed; an op whose
// context has ended before the writer reaches it is skipped.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}

	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.queue <- o:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()

	select {
	case err := <-o.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the only goroutine that uses s.wdb after Open. It takes
// everything queued (up to maxBatch), runs it in one transaction, commits,
// then acknowledges each op. It exits when Close has closed the queue and
// the queue is drained, so every op accepted before Close is written.
func (s *Store) writer() {
	defer close(s.writerDone)
	batch := make([]*op, 0, maxBatch)
	for first := range s.queue {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-s.queue:
				if !ok {
					break fill
				}
				batch = append(batch, o)
			default:
				break fill
			}
		}
		s.commit(batch)
		clear(batch) // drop references to finished ops
	}
}

// commit runs one batch in one transaction and acknowledges each op.
//
// Ops do not get a SAVEPOINT each: FTS5 flushes its pending index data to
// a new segment at every statement run inside a savepoint, which cut
// throughput several times over (see stage.go for the same effect).
// Instead, when an op fails, the whole transaction is rolled back and the
// batch is replayed one op per transaction, so the failing op gets its error
// and the others still commit. Ops validate their input before they are
// queued, so the replay is rare.
func (s *Store) commit(batch []*op) {
	err := s.runTx(batch)
	if err == nil {
		for _, o := range batch {
			o.done <- o.err // nil unless it was skipped as cancelled
		}
		return
	}
	if _, isOp := err.(opError); !isOp || len(batch) == 1 {
		for _, o := range batch {
			o.done <- unwrapOp(err)
		}
		return
	}
	for _, o := range batch {
		if err := s.runTx([]*op{o}); err != nil {
			o.done <- unwrapOp(err)
		} else {
			o.done <- o.err
		}
	}
}

// opError marks an error returned by an op's own function, as opposed to
// BEGIN or COMMIT failing.
type opError struct{ err error }

func (e opError) Error() string { return e.err.Error() }

func unwrapOp(err error) error {
	if oe, ok := err.(opError); ok {
		return oe.err
	}
	return err
}

// runTx runs ops in one transaction, then merges the calls they staged.
// Statements use a background context on purpose: interrupting a statement
// inside an explicit transaction makes SQLite roll back the whole
// transaction, undoing the other ops of the batch. An op whose own context
// has ended before it runs is skipped and gets its context's error.
func (s *Store) runTx(ops []*op) error {
	ctx := context.Background()
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	for _, o := range ops {
		if o.err = o.ctx.Err(); o.err != nil {
			continue
		}
		if err := o.fn(tx); err != nil {
			s.resetStage()
			tx.Rollback()
			return opError{err}
		}
	}
	if err := s.mergeStaged(tx); err != nil {
		tx.Rollback()
		return opError{err} // replayed op by op, so the failing call is found
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}
