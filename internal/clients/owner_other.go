//go:build !unix

package clients

import (
	"fmt"
	"os"
)

// checkWritable refuses read-only files. Ownership is not checked here:
// on Windows the ACL decides whether the rename succeeds.
func checkWritable(path string, st os.FileInfo) error {
	if st.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("clients: %s: %w", path, ErrReadOnly)
	}
	return nil
}
