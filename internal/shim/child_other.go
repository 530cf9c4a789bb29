//go:build !linux && !windows

package shim

import "syscall"

// setDeathSignal: only Linux has a parent-death signal. Elsewhere the server
// sees its stdin close when the shim dies, which ends a stdio MCP server.
func setDeathSignal(*syscall.SysProcAttr) {}
