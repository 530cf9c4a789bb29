// Package app is the desktop app's bridge between the Countersign core and
// the Wails window: bound services whose methods are a few lines each over
// the core (returning (T, error), so a Go error rejects the frontend's
// promise), and the forwarding of broker events to the window as Wails
// events, so the frontend never polls.
//
// It owns no state of its own and makes no decision: policy, the pending set
// and the history live in the core (internal/core). Nothing under internal/
// imports this package. The tray and the approval popup of the desktop issue
// belong here too; they are not written yet.
package app
