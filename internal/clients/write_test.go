package clients

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, p string, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestUpdateWritesBacksUpAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mcp.json")
	writeFile(t, p, "old", 0o640)
	opts := WriteOptions{BackupDir: filepath.Join(dir, "backups"), ClientID: "cursor"}
	res, err := Update(p, opts, func(cur []byte) ([]byte, error) { return append(cur, "+new"...), nil })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Attempts != 1 || res.Symlink {
		t.Fatalf("result %+v", res)
	}
	if got := readFile(t, p); got != "old+new" {
		t.Fatalf("file = %q", got)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", st.Mode().Perm())
	}
	bst, err := os.Stat(res.Backup)
	if err != nil || bst.Mode().Perm() != 0o600 {
		t.Fatalf("backup %s: %v %v", res.Backup, err, bst)
	}
	if readFile(t, res.Backup) != "old" {
		t.Fatal("backup does not hold the original")
	}
	// no temp files left beside the config
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "cs-tmp") {
			t.Fatalf("temp file left: %s", e.Name())
		}
	}
	// a no-op edit does not touch the file
	before, _ := os.Stat(p)
	res, err = Update(p, opts, func(cur []byte) ([]byte, error) { return cur, nil })
	if err != nil || res.Changed {
		t.Fatalf("no-op update: %+v %v", res, err)
	}
	after, _ := os.Stat(p)
	if !before.ModTime().Equal(after.ModTime()) {
		t.Fatal("no-op update rewrote the file")
	}
	// restore puts the original back
	bs, err := ListBackups(opts.BackupDir, "cursor")
	if err != nil || len(bs) != 1 || bs[0].Path != p {
		t.Fatalf("backups %+v %v", bs, err)
	}
	if _, err := RestoreBackup(bs[0], opts); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "old" {
		t.Fatalf("after restore %q", got)
	}
	if bs, _ := ListBackups(opts.BackupDir, ""); len(bs) != 2 {
		t.Fatalf("restore should back up the current bytes first: %d backups", len(bs))
	}
}

// A concurrent writer (Claude Code rewriting ~/.claude.json) changes the
// file between our read and our rename: Update must start again from the
// writer's bytes and keep its change.
func TestUpdateCompareAndSwapRetries(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".claude.json")
	writeFile(t, p, `{"numStartups": 1}`, 0o600)
	calls := 0
	res, err := Update(p, WriteOptions{BackupDir: filepath.Join(dir, "b"), ClientID: "claude-code"}, func(cur []byte) ([]byte, error) {
		calls++
		if calls == 1 {
			// the other process writes after we read
			writeFile(t, p, `{"numStartups": 2}`, 0o600)
		}
		return bytes.Replace(cur, []byte("}"), []byte(`, "x": 1}`), 1), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || res.Attempts != 2 {
		t.Fatalf("calls %d attempts %d", calls, res.Attempts)
	}
	if got := readFile(t, p); got != `{"numStartups": 2, "x": 1}` {
		t.Fatalf("file = %q (the concurrent write was lost?)", got)
	}
}

func TestUpdateGivesUpWithoutClobbering(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mcp.json")
	writeFile(t, p, "v0", 0o600)
	n := 0
	_, err := Update(p, WriteOptions{BackupDir: filepath.Join(dir, "b"), Attempts: 3}, func(cur []byte) ([]byte, error) {
		n++
		writeFile(t, p, "writer"+string(rune('0'+n)), 0o600)
		return []byte("ours"), nil
	})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if got := readFile(t, p); got != "writer3" {
		t.Fatalf("file = %q, the writer's bytes must stay", got)
	}
}

func TestUpdateFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "mcp.json")
	writeFile(t, target, "a", 0o600)
	link := filepath.Join(dir, "home", "mcp.json")
	os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	res, err := Update(link, WriteOptions{BackupDir: filepath.Join(dir, "b")}, func(cur []byte) ([]byte, error) { return []byte("b"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Symlink || res.RealPath != target {
		t.Fatalf("result %+v", res)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a plain file")
	}
	if readFile(t, target) != "b" {
		t.Fatal("target not edited")
	}
}

func TestUpdateRefuses(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	writeFile(t, big, strings.Repeat(" ", MaxFileSize+1), 0o600)
	ro := filepath.Join(dir, "ro.json")
	writeFile(t, ro, "{}", 0o400)
	opts := WriteOptions{BackupDir: filepath.Join(dir, "b")}
	edit := func([]byte) ([]byte, error) { return []byte("x"), nil }
	cases := []struct {
		name, path string
		want       error
	}{
		{"larger than 10 MiB", big, ErrTooLarge},
		{"read-only", ro, ErrReadOnly},
		{"missing", filepath.Join(dir, "nope.json"), os.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			_, err := Update(c.path, opts, edit)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			after, _ := os.ReadFile(c.path)
			if !bytes.Equal(before, after) {
				t.Fatal("file changed")
			}
		})
	}
	if _, err := Update(ro, WriteOptions{}, edit); err == nil {
		t.Fatal("no backup dir accepted")
	}
}
