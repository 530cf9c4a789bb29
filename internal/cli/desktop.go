package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/spf13/cobra"
)

// runDesktop starts countersign-desktop, which sits beside this binary.
func (e *env) runDesktop(cmd *cobra.Command, _ []string) error {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display to show the desktop app on: run `countersign daemon` for the core without GUI, and decide calls with `countersign pending`, `approve` and `deny`")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	name := "countersign-desktop"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	desktop := filepath.Join(filepath.Dir(self), name)
	if _, err := os.Stat(desktop); err != nil {
		return fmt.Errorf("the desktop app is not installed beside this binary (%s): build it with `make build`, or run `countersign daemon`", desktop)
	}
	c := exec.Command(desktop)
	c.Stdin, c.Stdout, c.Stderr = e.stdin, e.stdout, e.stderr
	if err := c.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return exitError{ee.ExitCode()}
		}
		return err
	}
	return nil
}
