package localapi

import "errors"

// ErrCoreNotRunning means nothing answers on the LocalAPI address. Callers
// branch on it: the CLI exits 3, the shim denies tool calls.
var ErrCoreNotRunning = errors.New("countersign core is not running")

// ErrAlreadyRunning is returned by Listen when another core owns the address.
var ErrAlreadyRunning = errors.New("another countersign core is already running")

// coreDown is the dial error when nothing answers; it is ErrCoreNotRunning
// and says where Countersign looked.
type coreDown struct{ addr string }

func (e *coreDown) Error() string {
	return ErrCoreNotRunning.Error() + " (nothing answers at " + e.addr + ")"
}
func (e *coreDown) Is(target error) bool { return target == ErrCoreNotRunning }
