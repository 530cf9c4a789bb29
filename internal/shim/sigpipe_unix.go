//go:build !windows

package shim

import (
	"os/signal"
	"syscall"
)

// ignoreSIGPIPE turns a write to a vanished client into an error the shim
// handles (stopping the server cleanly) instead of a silent death.
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
