//go:build !windows && !darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// entryPath is the freedesktop autostart entry: $XDG_CONFIG_HOME/autostart.
func entryPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config dir: %w", err)
	}
	return filepath.Join(dir, "autostart", "countersign.desktop"), nil
}

// entry is the autostart entry that runs exe in the tray.
func entry(exe string) string {
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
