// Package desktop is the real-window smoke test of the desktop app: the built
// build/bin/countersign-desktop under Xvfb and a private D-Bus session, a real
// shim in front of the pinned server-everything holding a tools/call, a
// screenshot of the popup (test/artifacts/desktop-held-call.png, kept as a CI
// artifact) checked not to be blank, and the approval through the CLI
// delivering the real result. It needs the build tag desktop so that
// `go test ./...` leaves it out; `make test-desktop` runs it.
package desktop
