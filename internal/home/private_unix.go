//go:build !windows

package home

import (
	"fmt"
	"hash/fnv"
	"os"
	"syscall"
)

// CheckPrivate verifies dir is owned by the current user and closed to
// others; with fix set, it tightens the mode of a directory it owns.
func CheckPrivate(dir string, fix bool) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("home: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("home: %s: cannot read owner", dir)
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("home: %s is owned by uid %d, not by you (uid %d): %w", dir, st.Uid, os.Getuid(), ErrNotPrivate)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if !fix {
			return fmt.Errorf("home: %s has mode %v, want 0700: %w", dir, fi.Mode().Perm(), ErrNotPrivate)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("home: %w", err)
		}
	}
	return nil
}

func pipeSuffix(dir string) string {
	h := fnv.New64a()
	h.Write([]byte(dir))
	return fmt.Sprintf("%x", h.Sum64())
}
