//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package vault

// sessionBusMissing: macOS and Windows reach their keychains without D-Bus.
func sessionBusMissing() error { return nil }
