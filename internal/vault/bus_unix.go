//go:build linux || freebsd || openbsd || netbsd || dragonfly

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
)

// sessionBusMissing reports why no D-Bus session bus can be found, or nil.
// It mirrors godbus's own discovery minus its last resort: without an
// address godbus runs dbus-launch --autolaunch, which starts a dbus-daemon
// (and, by D-Bus activation, a locked gnome-keyring-daemon) that outlive
// the process. Measured here: every shim launch on a headless machine left
// two such processes behind. Countersign refuses instead and says how to
// get a bus.
func sessionBusMissing() error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	}
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return nil
		}
	}
	return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and " + filepath.Join(dir, "bus") + " does not exist)")
}
