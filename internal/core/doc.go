// Package core assembles Countersign's core from the services under
// internal/ and owns their lifecycles: the SQLite store, the approval
// broker, the rule set, the shim sessions and the LocalAPI listener. The
// desktop app and `countersign daemon` both host it through Open and Serve,
// so it is wired once.
//
// The core is the single owner of state. Shims, the CLI and tests reach it
// only through the LocalAPI; the desktop app calls its methods in-process.
package core
