package clients

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ShimBinary returns the absolute path written into client configs for
// the running program exe: exe itself (symlinks resolved) when it is the
// GUI-free countersign, else the countersign beside it (the desktop app
// ships next to it, and every shim start must not pay for linking WebKit).
func ShimBinary(exe string) (string, error) {
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	name := "countersign"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if strings.EqualFold(filepath.Base(exe), name) {
		return exe, nil
	}
	sib := filepath.Join(filepath.Dir(exe), name)
	if st, err := os.Stat(sib); err == nil && st.Mode().IsRegular() {
		return sib, nil
	}
	return "", fmt.Errorf("%s is not the countersign binary and there is no %s beside it: build it with make build, or run countersign wrap", exe, name)
}
