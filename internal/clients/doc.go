// Package clients owns discovery, parsing and byte-preserving rewrite of the
// MCP server entries in AI client configuration files (Claude Desktop, Claude
// Code, Cursor, VS Code, Zed, Codex, Goose, Continue and the other clients in
// the table in spec.go), plus the safe file write those rewrites need
// (backup, temp file + fsync + rename, compare-and-swap).
//
// Wrap rewrites a stdio entry so the client launches
// "SHIM shim --name NAME --client ID -- ORIGINAL_COMMAND ARGS..." and Unwrap
// restores it. Every edit is a splice of the launch fields of one entry; the
// rest of the file (comments, key order, indentation, tabs, CRLF, trailing
// commas, unicode, placeholders such as ${input:x}) is never re-encoded, and
// every result is re-parsed with the format's own parser (hujson, yaml.v3,
// go-toml/v2) and compared with the original before it is returned.
//
// The package never launches a server, never expands a placeholder, never
// writes a config it could not fully parse, and never puts a secret value in
// an error, a log line or a discovery result: secret detection reports field
// names only. Backups and journal records can hold the original bytes of a
// file or entry; callers store them user-only (0600).
package clients
