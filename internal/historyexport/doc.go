// Package historyexport owns the file formats of a history export: JSON
// lines (one localapi.HistoryCall per line, the shape of `history --json`)
// and CSV (a header row, RFC 4180 records with CRLF line ends, cells a
// spreadsheet would run as a formula defused with a leading quote). The CLI
// (`countersign history export`) and the desktop app's History page write
// exports through it, so both produce the same bytes.
//
// It writes what it is handed, in constant memory, and writes files
// privately (0600) and atomically (a temporary file beside the target,
// renamed when complete). It never reads the history itself: the caller
// passes the walk over calls (the LocalAPI client's or the core's
// ExportHistory).
package historyexport
