// Package clients owns discovery, parsing and byte-preserving rewrite of the
// MCP server entries in AI client configuration files (Claude Desktop, Claude
// Code, Cursor, VS Code, Zed, Codex, Goose, Continue and the other clients in
// the table in spec.go), plus the safe file write those rewrites need
// (backup, temp file + fsync + rename, compare-and-swap).
//
// Wrap rewrites a stdio entry so the client launches
// "SHIM shim --name NAME --client ID -- ORIGINAL_COMMAND ARGS..." (a remote
// entry: "SHIM shim --name NAME --client ID --url URL [--header H]...") and
// Unwrap restores it; Apply runs either over the configs of a client with
// backups and the journal, for the CLI, the desktop app and the core's
// auto-wrap alike. With migration, plaintext secrets of the wrapped entries
// move into the keychain (through internal/vault) and secret:NAME
// references take their place. Every edit is a splice inside one entry; the
// rest of the file (comments, key order, indentation, tabs, CRLF, trailing
// commas, unicode, placeholders such as ${input:x}) is never re-encoded, and
// every result is re-parsed with the format's own parser (hujson, yaml.v3,
// go-toml/v2) and compared with the original before it is returned.
//
// The package never launches a server, never expands a placeholder, never
// writes a config it could not fully parse, and never puts a secret value in
// an error, a log line or a discovery result: secret detection reports field
// names only. Backups and journal records can hold the original bytes of a
// file or entry; they are stored user-only (0600), and after a migration
// the moved values are scrubbed from the backups and never journaled.
package clients
