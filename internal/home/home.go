// Package home owns where Countersign keeps its state on disk: the state
// directory ($COUNTERSIGN_HOME, or countersign/ under the OS config dir) and
// the runtime directory that holds the LocalAPI socket. It creates them with
// owner-only permissions and never stores anything itself.
package home

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Env is the variable that moves all state elsewhere (tests set it).
const Env = "COUNTERSIGN_HOME"

// Dir returns the state directory without creating it.
func Dir() (string, error) {
	if d := os.Getenv(Env); d != "" {
		return filepath.Abs(d)
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("home: no config directory (set %s): %w", Env, err)
	}
	return filepath.Join(cfg, "countersign"), nil
}

// RunDir returns the directory of the LocalAPI socket for state dir dir.
// It is dir/run, except for the default state directory on Linux, whose
// socket goes in the OS runtime dir. Two state directories never share a
// socket.
func RunDir(dir string) string {
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && runtime.GOOS == "linux" && os.Getenv(Env) == "" {
		if def, err := Dir(); err == nil && def == dir {
			return filepath.Join(rt, "countersign")
		}
	}
	return filepath.Join(dir, "run")
}

// Socket returns the LocalAPI address for state dir dir: a unix socket path,
// or a named pipe name on Windows.
func Socket(dir string) string {
	if runtime.GOOS == "windows" {
		return `\\.\pipe\countersign-` + pipeSuffix(dir)
	}
	return filepath.Join(RunDir(dir), "countersign.sock")
}

// EnsurePrivate creates dir if needed and checks that only its owner, the
// current user, can use it. It fixes the mode of a directory it owns.
func EnsurePrivate(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("home: create %s: %w", dir, err)
	}
	return CheckPrivate(dir, true)
}

// ErrNotPrivate is returned when a state or runtime directory belongs to
// someone else or is open to other users.
var ErrNotPrivate = errors.New("directory is not private to this user")
