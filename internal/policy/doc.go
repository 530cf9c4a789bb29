// Package policy owns Countersign's rules and the one function that turns a
// tools/call into a verdict.
//
// Evaluate applies the order agreed in DESIGN.md, and nothing else decides:
//
//  1. quarantine: a tool whose definition changed and was not reviewed is blocked;
//  2. secret in arguments: a call carrying a stored secret or a well-known key
//     shape always asks, whatever the rules say;
//  3. deny rules;
//  4. "approve for this session" grants a person made for this shim;
//  5. ask rules (an explicit "ask" carves an exception out of a broader allow);
//  6. allow rules;
//  7. otherwise ask.
//
// A paused core (the tray's Pause) overrides 3–7: it denies or asks everything.
//
// The package is pure: it does no I/O and imports no other internal package, so
// the shim can evaluate the rule set the core pushed to it without a round trip.
// Rules are persisted by the core as JSON documents; their shape is owned here.
package policy
