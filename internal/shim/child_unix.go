//go:build !windows

package shim

import (
	"os"
	"os/exec"
	"syscall"
)

var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// setProcAttr puts the server in its own process group, so signals reach it
// once (through the shim) and stopping it also stops what it spawned (npx
// runs the real server as a grandchild).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(cmd.SysProcAttr)
}

func (c *child) signal(s os.Signal) {
	if sig, ok := s.(syscall.Signal); ok {
		syscall.Kill(-c.cmd.Process.Pid, sig)
	}
}

func (c *child) terminate() { syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM) }
func (c *child) kill()      { syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL) }

func signalExitCode(ee *exec.ExitError) int {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return 0
}
