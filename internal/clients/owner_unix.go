//go:build unix

package clients

import (
	"fmt"
	"os"
	"syscall"
)

// checkWritable refuses files without the owner write bit and files owned
// by another user (a rename would silently take them over).
func checkWritable(path string, st os.FileInfo) error {
	if st.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("clients: %s: %w", path, ErrReadOnly)
	}
	if s, ok := st.Sys().(*syscall.Stat_t); ok && int(s.Uid) != os.Getuid() {
		return fmt.Errorf("clients: %s (uid %d): %w", path, s.Uid, ErrNotOwner)
	}
	return nil
}
