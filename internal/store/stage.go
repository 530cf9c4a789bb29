package store

import (
	"database/sql"
	"fmt"
	"time"
)

// Calls are not upserted one statement at a time. An upsert into calls
// fires the FTS5 triggers and needs a statement journal, and FTS5 flushes
// its pending index data to a new segment at every such statement: one
// segment per call, then merges, measured at about ten times slower than
// indexing a batch at once. So a Record only stages its rows in a temporary
// table (a plain insert, no triggers), and the writer merges everything
// staged in the transaction with one statement just before COMMIT. All of
// this runs on the writer goroutine, inside the batch transaction.

const createStageSQL = `CREATE TEMP TABLE IF NOT EXISTS call_stage (
	n INTEGER PRIMARY KEY,
	id, session_id, client, server, tool, args, args_size, args_digest,
	requested_at, decided_at, decision, decided_by, rule_id, note, reason,
	wait_ms, server_ms, result_status, result_excerpt, result_size, tool_hash, result_flags
)`

const stageSQL = `INSERT INTO temp.call_stage (` + callColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// mergeSQL folds the staged rows, in the order they were staged, into
// calls: each column takes the new value unless that is NULL (empty in the
// API). A call first reported without requested_at is inserted with 0 and
// given the commit time right after (fillTimeSQL); 0 never outlives the
// transaction. "WHERE true" resolves the parsing ambiguity between a
// SELECT's join and ON CONFLICT.
const mergeSQL = `
INSERT INTO calls (` + callColumns + `)
SELECT id, session_id, client, server, tool, args, args_size, args_digest,
	COALESCE(requested_at, 0), decided_at, decision, decided_by, rule_id, note, reason,
	wait_ms, server_ms, result_status, result_excerpt, result_size, tool_hash, result_flags
FROM temp.call_stage WHERE true ORDER BY n
ON CONFLICT(id) DO UPDATE SET
	session_id     = COALESCE(excluded.session_id, session_id),
	client         = COALESCE(excluded.client, client),
	server         = COALESCE(excluded.server, server),
	tool           = COALESCE(excluded.tool, tool),
	args           = COALESCE(excluded.args, args),
	args_size      = COALESCE(excluded.args_size, args_size),
	args_digest    = COALESCE(excluded.args_digest, args_digest),
	requested_at   = CASE excluded.requested_at WHEN 0 THEN requested_at ELSE excluded.requested_at END,
	decided_at     = COALESCE(excluded.decided_at, decided_at),
	decision       = COALESCE(excluded.decision, decision),
	decided_by     = COALESCE(excluded.decided_by, decided_by),
	rule_id        = COALESCE(excluded.rule_id, rule_id),
	note           = COALESCE(excluded.note, note),
	reason         = COALESCE(excluded.reason, reason),
	wait_ms        = COALESCE(excluded.wait_ms, wait_ms),
	server_ms      = COALESCE(excluded.server_ms, server_ms),
	result_status  = COALESCE(excluded.result_status, result_status),
	result_excerpt = COALESCE(excluded.result_excerpt, result_excerpt),
	result_size    = COALESCE(excluded.result_size, result_size),
	tool_hash      = COALESCE(excluded.tool_hash, tool_hash),
	result_flags   = COALESCE(excluded.result_flags, result_flags)`

const fillTimeSQL = `UPDATE calls SET requested_at = ? WHERE requested_at = 0`

// stageCall adds one validated row (callRow) to the transaction's stage.
func (s *Store) stageCall(tx *sql.Tx, row []any) error {
	if s.stageStmt == nil {
		if _, err := tx.Exec(createStageSQL); err != nil {
			return fmt.Errorf("create stage: %w", err)
		}
		st, err := tx.Prepare(stageSQL)
		if err != nil {
			return fmt.Errorf("prepare stage: %w", err)
		}
		s.stageStmt = st
	}
	if row[8] == nil { // requested_at
		s.stagedNoAt = true
	}
	if _, err := s.stageStmt.Exec(row...); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	return nil
}

// mergeStaged folds the stage into calls and empties it. It is a no-op when
// nothing was staged.
func (s *Store) mergeStaged(tx *sql.Tx) error {
	if s.stageStmt == nil {
		return nil
	}
	defer s.resetStage()
	if _, err := tx.Exec(mergeSQL); err != nil {
		return fmt.Errorf("store: merge calls: %w", err)
	}
	if s.stagedNoAt {
		if _, err := tx.Exec(fillTimeSQL, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("store: merge calls: fill requested_at: %w", err)
		}
	}
	if _, err := tx.Exec("DELETE FROM temp.call_stage"); err != nil {
		return fmt.Errorf("store: merge calls: clear stage: %w", err)
	}
	return nil
}

// resetStage forgets the transaction's stage (after a merge or a rollback,
// which also empties the temporary table).
func (s *Store) resetStage() {
	if s.stageStmt != nil {
		s.stageStmt.Close()
		s.stageStmt = nil
	}
	s.stagedNoAt = false
}
