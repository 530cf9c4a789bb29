// Package e2e holds Countersign's end-to-end tests. They build the GUI-free
// countersign binary, start a real `countersign daemon` per test in its own
// COUNTERSIGN_HOME, and drive real MCP peers pinned in package.json: the TypeScript
// SDK client (driver.mjs) through `countersign shim` to server-everything and
// server-filesystem, plus a raw byte-level client and a recording server for byte
// faithfulness. They use only the command-line contract of DESIGN.md (black box).
//
// The package has no non-test code; it never imports the product's packages.
// Run: go test ./test/e2e/ (needs node >= 20; npm ci runs when node_modules is missing).
package e2e
