// Package core assembles Countersign's core from the services under
// internal/ and owns their lifecycles: the SQLite store, the approval
// broker, the rule set, the shim sessions and the LocalAPI listener. The
// desktop app and `countersign daemon` both host it through Open and Serve,
// so it is wired once.
//
// It also watches the AI clients' config files (and, with auto-wrap on,
// wraps a new unprotected server at once), keeps the policy settings it
// pushes to shims with the rules (timeouts, trusted read-only claims,
// namespacing), and notes remote servers waiting for an OAuth sign-in.
//
// The core is the single owner of state. Shims, the CLI and tests reach it
// only through the LocalAPI; the desktop app calls its methods in-process.
package core
