// Package toolguard owns tool integrity: the canonical hash of each listed
// tool, prompt and resource template, the pin state machine that turns a
// fresh listing and the stored pins into new states (trust on first use,
// rug-pull quarantine), the filter that withholds quarantined items from a
// list result while keeping every other byte of it, the scanner for hidden
// instructions (invisible Unicode, terminal escapes, instruction-like
// phrases, cross-server tool references, over-long descriptions), tool
// name collisions across a client's servers, server identities, and the
// word-level diff shown when a changed definition is reviewed.
//
// It is pure: it does no I/O of any kind (no files, network, clock or
// environment — the caller passes the time), keeps no state between calls
// (the caller persists Pin values) and imports no other internal package.
// It never decides a call: internal/policy does, using the states and
// findings computed here. When input is ambiguous (invalid JSON, duplicate
// keys, lone surrogates) it returns an error or quarantines rather than
// guess, and callers must withhold what it could not judge.
package toolguard
