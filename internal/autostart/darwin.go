//go:build darwin

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
)

// entryPath is the user's LaunchAgent: ~/Library/LaunchAgents.
func entryPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home dir: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", launchAgentLabel+".plist"), nil
}

func entry(exe string) string { return launchAgent(exe) }
