// Package broker owns the calls that wait for a person: the pending set, each
// call's deadline, and the fan-out of "added" and "removed" events to whoever
// shows them (the CLI through the LocalAPI, the tray and popups).
//
// A waiting call ends exactly once: decided by a person (Decide), timed out at
// its deadline, or cancelled when the context of the caller that asked ends
// (the shim withdrew it or went away). The broker never decides by itself and
// never persists anything; the core records outcomes.
package broker
