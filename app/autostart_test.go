package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartAtLoginWritesAndRemovesTheEntry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	s := &Settings{}
	entry := filepath.Join(dir, "autostart", "countersign.desktop")

	if on, err := s.StartAtLogin(); err != nil || on {
		t.Fatalf("StartAtLogin() = %v, %v before enabling", on, err)
	}
	if err := s.SetStartAtLogin(true); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("the autostart entry: %v", err)
	}
	exe, _ := os.Executable()
	if !strings.Contains(string(data), "\nExec="+execQuote(exe)+" --hidden\n") || !strings.HasPrefix(string(data), "[Desktop Entry]\n") {
		t.Fatalf("entry:\n%s", data)
	}
	if on, err := s.StartAtLogin(); err != nil || !on {
		t.Fatalf("StartAtLogin() = %v, %v after enabling", on, err)
	}
	for range 2 { // turning it off twice is fine
		if err := s.SetStartAtLogin(false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
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
