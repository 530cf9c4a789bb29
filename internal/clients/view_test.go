package clients

import (
	"strings"
	"testing"
)

// A masked argument list keeps its length: named secret fields and
// key-shaped values read "<redacted>".
func TestMaskArgs(t *testing.T) {
	got := maskArgs([]string{"--token", "plain", "ghp_abcdefghijklmnopqrstuvwxyz0123"}, []string{"args[1]"}, "args")
	want := []string{"--token", "<redacted>", "<redacted>"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("maskArgs = %q, want %q", got, want)
	}
}
