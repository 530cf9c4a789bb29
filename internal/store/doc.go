// Package store owns Countersign's local SQLite database: the file itself
// (created 0600, WAL journal), its schema and versioned migrations, the single
// writer goroutine that group-commits every change, and the queries the core
// and the history views read through.
//
// What it holds:
//   - rules, as opaque JSON documents owned by the policy package (the store
//     never looks inside them beyond checking they are JSON);
//   - settings, as string key/value pairs;
//   - one row per intercepted tools/call ([Call]), merged by call id so the
//     decision and the result may arrive in either order, with a full-text
//     index (FTS5) over tool, server, argument excerpt and note;
//   - events, the rest of the history timeline: server sessions started and
//     ended, tool definitions first seen or changed, client config changes,
//     secrets used (by name only) ([Event], [Store.RecordEvent],
//     [Store.Events]).
//
// History reads: [Store.Calls] pages newest first with a cursor (a search
// page walks calls newest first and stops at the page size when the word is
// frequent, and reads the word's matches when it is rare: search.go),
// [Store.EachCall] walks any number of calls from one snapshot in constant
// memory (exports), and [Store.Prune] removes calls and events older than a
// time in small committed chunks (retention).
//
// Durability: [Store.Record], [Store.PutRule], [Store.DeleteRule] and
// [Store.SetSetting] return only after the transaction holding the change has
// committed. The database runs with synchronous=NORMAL in WAL mode, so a
// committed change survives a crash of the process (kill -9) and never leaves
// the file corrupt; an operating-system crash or power loss may lose the last
// commits, never the file's integrity.
//
// What it never does: it opens no network connection, imports no other
// Countersign package and does not know what a secret looks like. Callers
// redact argument and result excerpts before calling Record, and the core
// installs the vault's redactor with [Store.SetRedactor], which runs on every
// excerpt, note, reason and event detail right before it is written. The
// store bounds sizes (64 KiB per excerpt, keeping the full size) so nothing
// unbounded grows the database.
package store
