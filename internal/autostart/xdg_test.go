//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestXDGEntryWrittenAndRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path := filepath.Join(dir, "autostart", "countersign.desktop")
	const exe = "/opt/Count Ersign/countersign-desktop"

	if on, err := Enabled(); err != nil || on {
		t.Fatalf("Enabled() = %v, %v before Set", on, err)
	}
	if err := Set(true, exe); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the autostart entry: %v", err)
	}
	if !strings.Contains(string(data), "\nExec=\"/opt/Count Ersign/countersign-desktop\" --hidden\n") || !strings.HasPrefix(string(data), "[Desktop Entry]\n") {
		t.Fatalf("entry:\n%s", data)
	}
	if on, err := Enabled(); err != nil || !on {
		t.Fatalf("Enabled() = %v, %v after Set", on, err)
	}
	for range 2 { // turning it off twice is fine
		if err := Set(false, exe); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("entry still there after disabling: %v", err)
	}
}

func TestExecQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/usr/bin/countersign-desktop", "/usr/bin/countersign-desktop"},
		{"/home/a b/cs", `"/home/a b/cs"`},
		{`/x/$HOME"q`, `"/x/\\$HOME\\"q"`},
		{`/x/a\b c`, `"/x/a\\\\b c"`},
		{"/x/100%", `"/x/100%%"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := execQuote(tt.in); got != tt.want {
				t.Fatalf("execQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
