package oauth

import (
	"os/exec"
	"runtime"
)

// OpenBrowser opens u in the system browser without waiting for it: the
// Authorize step of a Login a person asked for.
func OpenBrowser(u string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.Command("open", u)
	case "windows":
		c = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		c = exec.Command("xdg-open", u)
	}
	if err := c.Start(); err != nil {
		return err
	}
	go c.Wait() // reaped when the opener exits
	return nil
}
