package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one schema step. Steps are applied in order, each in its own
// transaction together with its row in schema_migrations, so a database is
// always at exactly one version. Never edit a released step: append a new
// one.
type migration struct {
	name string
	sql  string
}

// migrations is the schema history; version N is reached by applying the
// first N steps.
var migrations = []migration{
	{name: "rules and settings", sql: `
CREATE TABLE rules (
	id         TEXT PRIMARY KEY,
	doc        TEXT NOT NULL,           -- opaque JSON owned by the policy package
	created_at INTEGER NOT NULL,        -- unix nanoseconds
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX rules_created ON rules(created_at);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`},
	{name: "calls", sql: `
-- One row per intercepted tools/call. seq is the rowid the full-text index
-- points at; id is the call id the core or shim assigned. NULL means "not
-- known yet": Record merges later reports into the row. Small columns come
-- first, the two excerpts last, so reading a row for a listing stays cheap.
CREATE TABLE calls (
	seq            INTEGER PRIMARY KEY,
	id             TEXT NOT NULL UNIQUE,
	requested_at   INTEGER NOT NULL,    -- unix nanoseconds
	decided_at     INTEGER,
	session_id     TEXT,
	client         TEXT,
	server         TEXT,
	tool           TEXT,
	decision       TEXT,                -- approved|denied|timeout|cancelled|blocked
	decided_by     TEXT,                -- user|rule|timeout|policy
	rule_id        TEXT,
	reason         TEXT,
	wait_ms        INTEGER,
	server_ms      INTEGER,
	result_status  TEXT,                -- ok|error|server_exited|none
	args_size      INTEGER,
	result_size    INTEGER,
	args_digest    BLOB,                -- raw sha256 (32 bytes), hex in the API
	tool_hash      TEXT,
	note           TEXT,
	args           TEXT,                -- redacted excerpt, <= 64 KiB
	result_excerpt BLOB                 -- redacted excerpt, <= 64 KiB
) STRICT;
CREATE INDEX calls_time ON calls(requested_at, id);
CREATE INDEX calls_server_time ON calls(server, requested_at, id);
CREATE INDEX calls_tool_time ON calls(tool, requested_at, id);
`},
	{name: "calls full-text search", sql: `
-- External-content FTS5 index over calls: it stores only the index, the text
-- stays in calls. Triggers keep it in step with every insert, update and
-- delete (prune), and the update trigger fires only when an indexed column
-- really changed, so recording a result later costs no index work.
CREATE VIRTUAL TABLE calls_fts USING fts5(
	tool, server, args, note,
	content='calls', content_rowid='seq',
	tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
	INSERT INTO calls_fts(rowid, tool, server, args, note)
	VALUES (new.seq, new.tool, new.server, new.args, new.note);
END;
CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
	INSERT INTO calls_fts(calls_fts, rowid, tool, server, args, note)
	VALUES ('delete', old.seq, old.tool, old.server, old.args, old.note);
END;
CREATE TRIGGER calls_fts_update AFTER UPDATE ON calls
WHEN old.tool IS NOT new.tool OR old.server IS NOT new.server
  OR old.args IS NOT new.args OR old.note IS NOT new.note
BEGIN
	INSERT INTO calls_fts(calls_fts, rowid, tool, server, args, note)
	VALUES ('delete', old.seq, old.tool, old.server, old.args, old.note);
	INSERT INTO calls_fts(rowid, tool, server, args, note)
	VALUES (new.seq, new.tool, new.server, new.args, new.note);
END;
-- Index the calls recorded before this step.
INSERT INTO calls_fts(calls_fts) VALUES ('rebuild');
`},
	{name: "history events", sql: `
-- Things that happened besides calls, in the same timeline: server sessions
-- started and ended, tool definitions first seen or changed, client config
-- changes, secrets used (by name, never value). Columns a kind does not use
-- stay NULL. at orders the timeline; seq breaks ties and is the event id.
CREATE TABLE events (
	seq        INTEGER PRIMARY KEY,
	at         INTEGER NOT NULL,        -- unix nanoseconds
	kind       TEXT NOT NULL,           -- session_started|session_ended|tool_first_seen|tool_changed|config_changed|secret_used
	session_id TEXT,
	client     TEXT,
	server     TEXT,
	tool       TEXT,
	tool_hash  TEXT,
	exit_code  INTEGER,                 -- session_ended
	secret     TEXT,                    -- secret_used: the name only
	path       TEXT,                    -- config_changed: the file
	detail     TEXT                     -- short free text, redacted
) STRICT;
CREATE INDEX events_time ON events(at, seq);
CREATE INDEX events_kind_time ON events(kind, at, seq);
-- Listings filter calls by client and decision too, newest first.
CREATE INDEX calls_client_time ON calls(client, requested_at, id);
CREATE INDEX calls_decision_time ON calls(decision, requested_at, id);
`},
	{name: "secrets", sql: `
-- Metadata about the secrets in the OS keychain, never a value: the note the
-- user wrote about each secret's scope, and which servers used it. A use is
-- one shim launch that resolved the secret into its server's environment;
-- last_pid lets the core tell whether that shim still runs.
CREATE TABLE secrets (
	name       TEXT PRIMARY KEY,
	note       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,        -- unix nanoseconds
	updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE secret_uses (
	secret        TEXT NOT NULL,
	server        TEXT NOT NULL,
	client        TEXT NOT NULL DEFAULT '',
	first_used_at INTEGER NOT NULL,     -- unix nanoseconds
	last_used_at  INTEGER NOT NULL,
	uses          INTEGER NOT NULL,
	last_pid      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (secret, server, client)
) STRICT;
`},
	{name: "tool pins", sql: `
-- One row per listed tool, prompt or resource template of one server
-- identity (name#digest of its command line or URL). doc is the JSON of a
-- toolguard.Pin, owned by that package; the store only keeps it.
CREATE TABLE pins (
	server     TEXT NOT NULL,
	kind       TEXT NOT NULL,           -- tool|prompt|resource_template
	name       TEXT NOT NULL,
	doc        TEXT NOT NULL,
	updated_at INTEGER NOT NULL,        -- unix nanoseconds
	PRIMARY KEY (server, kind, name)
) STRICT;
`},
	{name: "call result flags", sql: `
-- What the shim's scanner found in a call's result (hidden instructions:
-- invisible Unicode, terminal escapes, instruction-like phrases), as a JSON
-- array of {kind, location, text}; NULL when the result was clean or not
-- scanned. result_status gains "withheld": the result was kept from the
-- client because of these findings.
ALTER TABLE calls ADD COLUMN result_flags TEXT;
`},
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL        -- unix nanoseconds
) STRICT`

// schemaVersion reports the highest applied migration (0 for a new file).
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: read schema version: %w", err)
	}
	return v, nil
}

// migrate brings db to version target, one transaction per step. The
// current version is re-read inside each step's (immediate) transaction, so
// two processes opening the same file at once cannot apply a step twice.
// A database newer than this build is refused.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	if target < 0 || target > len(migrations) {
		return fmt.Errorf("store: migrate to v%d: no such version", target)
	}
	if _, err := db.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for {
		done, err := migrateStep(ctx, db, target)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateStep applies the next step towards target, reporting done when the
// database is already there.
func migrateStep(ctx context.Context, db *sql.DB, target int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	cur, err := schemaVersion(ctx, tx)
	if err != nil {
		return false, err
	}
	if cur > len(migrations) {
		return false, fmt.Errorf("store: database schema v%d is newer than this build (v%d)", cur, len(migrations))
	}
	if cur >= target {
		return true, tx.Rollback()
	}
	next := cur + 1
	m := migrations[cur]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("store: migrate to v%d (%s): %w", next, m.name, err)
	}
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
		next, m.name, time.Now().UnixNano()); err != nil {
		return false, fmt.Errorf("store: migrate to v%d: record version: %w", next, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("store: migrate to v%d: commit: %w", next, err)
	}
	return false, nil
}
