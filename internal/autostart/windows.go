//go:build windows

package autostart

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// runKey is the per-user list of programs Windows starts at login.
const (
	runKey   = `Software\Microsoft\Windows\CurrentVersion\Run`
	runValue = "Countersign"
)

// Enabled reports whether the Run value exists.
func Enabled() (bool, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		if errors.Is(err, registry.ErrNotExist) {
			return false, nil
		}
		return false, fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	_, _, err = k.GetStringValue(runValue)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the Run value: %w", err)
	}
	return true, nil
}

// Set adds (for exe, the desktop app) or removes the Run value.
func Set(on bool, exe string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open the Run key: %w", err)
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return fmt.Errorf("remove the Run value: %w", err)
		}
		return nil
	}
	if err := k.SetStringValue(runValue, windowsCommand(exe)); err != nil {
		return fmt.Errorf("write the Run value: %w", err)
	}
	return nil
}
