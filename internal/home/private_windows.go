package home

import (
	"fmt"
	"hash/fnv"
	"os"
	"strings"
)

// CheckPrivate on Windows relies on the per-user profile directory ACL; the
// LocalAPI pipe carries its own user-only ACL.
func CheckPrivate(dir string, fix bool) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("home: %w", err)
	}
	return nil
}

func pipeSuffix(dir string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(dir)))
	return fmt.Sprintf("%x", h.Sum64())
}
