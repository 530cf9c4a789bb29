package shim

import "syscall"

// setDeathSignal makes the kernel kill the server if the shim itself is
// killed without a chance to stop it.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
