package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// HiddenFlag starts the app in the tray with its window hidden; the
// autostart entry passes it.
const HiddenFlag = "--hidden"

// errNoAutostart: only the freedesktop autostart spec (Linux and BSD
// desktops) is implemented; macOS (a LaunchAgent or SMAppService) and
// Windows (the Run registry key) are not done yet.
var errNoAutostart = fmt.Errorf("not supported on %s yet", runtime.GOOS)

// autostartFile is the XDG autostart entry: $XDG_CONFIG_HOME/autostart.
func autostartFile() (string, error) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return "", errNoAutostart
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config dir: %w", err)
	}
	return filepath.Join(dir, "autostart", "countersign.desktop"), nil
}

func autostartEnabled() (bool, error) {
	path, err := autostartFile()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read autostart entry: %w", err)
	}
	return true, nil
}

func setAutostart(on bool) error {
	path, err := autostartFile()
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", path, err)
		}
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this program: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(desktopEntry(exe)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("install %s: %w", path, err)
	}
	return nil
}

// desktopEntry is the autostart entry that runs exe in the tray.
func desktopEntry(exe string) string {
	return "[Desktop Entry]\nType=Application\nName=Countersign\n" +
		"Comment=Approve or deny every tool call an AI client makes through its MCP servers\n" +
		"Exec=" + execQuote(exe) + " " + HiddenFlag + "\nIcon=countersign\nTerminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// execQuote quotes a path for the Exec key (Desktop Entry spec, "The Exec
// key"): inside double quotes, ", `, $ and \ are escaped with a backslash,
// and the value's own backslashes are doubled again as a string.
func execQuote(path string) string {
	if !strings.ContainsAny(path, " \t\n\"'\\><~|&;$*?#()`%") {
		return path
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range path {
		switch r {
		case '"', '`', '$':
			b.WriteString(`\\`)
		case '\\':
			b.WriteString(`\\\\`)
			continue
		case '%':
			b.WriteString("%%")
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
