package home

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDirFollowsEnv(t *testing.T) {
	d := t.TempDir()
	t.Setenv(Env, d)
	got, err := Dir()
	if err != nil || got != d {
		t.Fatalf("Dir() = %q, %v; want %q", got, err, d)
	}
}

func TestSocketPlacement(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows uses a named pipe, not a socket path")
	}
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)

	t.Run("explicit home keeps its socket inside", func(t *testing.T) {
		d := t.TempDir()
		t.Setenv(Env, d)
		if got, want := Socket(d), filepath.Join(d, "run", "countersign.sock"); got != want {
			t.Fatalf("Socket = %q, want %q", got, want)
		}
	})
	t.Run("a home that is not the default never shares the runtime dir", func(t *testing.T) {
		t.Setenv(Env, "")
		d := t.TempDir()
		if got, want := Socket(d), filepath.Join(d, "run", "countersign.sock"); got != want {
			t.Fatalf("Socket = %q, want %q", got, want)
		}
	})
	t.Run("the default home on linux uses XDG_RUNTIME_DIR", func(t *testing.T) {
		if runtime.GOOS != "linux" {
			t.Skip("XDG_RUNTIME_DIR is a Linux convention")
		}
		t.Setenv(Env, "")
		def, err := Dir()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Socket(def), filepath.Join(rt, "countersign", "countersign.sock"); got != want {
			t.Fatalf("Socket = %q, want %q", got, want)
		}
	})
}

func TestCheckPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows relies on the profile ACL")
	}
	d := filepath.Join(t.TempDir(), "state")
	if err := EnsurePrivate(d); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckPrivate(d, false); !errors.Is(err, ErrNotPrivate) {
		t.Fatalf("0755 dir: err = %v, want ErrNotPrivate", err)
	}
	if err := CheckPrivate(d, true); err != nil {
		t.Fatalf("fix: %v", err)
	}
	fi, _ := os.Stat(d)
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode after fix = %v", fi.Mode().Perm())
	}
	if os.Getuid() == 0 {
		if err := os.Chown(d, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		if err := CheckPrivate(d, true); !errors.Is(err, ErrNotPrivate) {
			t.Fatalf("dir owned by another uid: err = %v, want ErrNotPrivate", err)
		}
	}
}
