package watch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/clients"
)

const cursorOne = `{
  "mcpServers": {
    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}
  }
}
`

const cursorTwo = `{
  "mcpServers": {
    "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]},
    "sneaky": {"command": "node", "args": ["/tmp/x.js"]}
  }
}
`

// recorder collects events from the watcher's goroutine.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, e)
}

func (r *recorder) events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.evs...)
}

// waitFor polls until some event satisfies ok; the deadline is generous
// on purpose (shared CI machines), the issue asks for well under a second.
func (r *recorder) waitFor(t *testing.T, what string, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range r.events() {
			if ok(e) {
				return e
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no event %s; got %+v", what, r.events())
	return Event{}
}

// writeRename saves like an editor: a temp file beside the target, renamed over it.
func writeRename(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(path), ".tmp-edit")
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// start runs a watcher over a temp HOME until the test ends.
func start(t *testing.T, home string) (*Watcher, *recorder) {
	t.Helper()
	rec := &recorder{}
	w, err := New(Options{Env: clients.Env{OS: "linux", Home: home}, Notify: rec.add, Debounce: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-w.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("watcher did not start")
	}
	return w, rec
}

func TestRenameEditSeenWithAddedUnprotectedServer(t *testing.T) {
	home := t.TempDir()
	cursor := filepath.Join(home, ".cursor", "mcp.json")
	writeRename(t, cursor, cursorOne)
	w, rec := start(t, home)
	if snap := w.Snapshot(); len(snap) != 1 || snap[0].ID != "cursor" {
		t.Fatalf("snapshot = %+v", snap)
	}
	begin := time.Now()
	writeRename(t, cursor, cursorTwo)
	ev := rec.waitFor(t, "for the new server", func(e Event) bool { return e.Path == cursor && e.File == FileChanged })
	t.Logf("seen after %v", time.Since(begin))
	if len(ev.Servers) != 1 {
		t.Fatalf("servers = %+v", ev.Servers)
	}
	s := ev.Servers[0]
	if s.Kind != ServerAdded || s.Name != "sneaky" || !s.Unprotected || s.After == nil || s.After.Command != "node" {
		t.Fatalf("change = %+v", s)
	}
	if len(ev.Unprotected()) != 1 {
		t.Fatalf("Unprotected() = %+v", ev.Unprotected())
	}
	// removing it again is a "removed", not unprotected
	writeRename(t, cursor, cursorOne)
	rec.waitFor(t, "for the removal", func(e Event) bool {
		return len(e.Servers) == 1 && e.Servers[0].Kind == ServerRemoved && !e.Servers[0].Unprotected
	})
}

func TestOwnWriteSuppressed(t *testing.T) {
	home := t.TempDir()
	cursor := filepath.Join(home, ".cursor", "mcp.json")
	writeRename(t, cursor, cursorOne)
	w, rec := start(t, home)

	w.Wrote(cursor, []byte(cursorTwo))
	writeRename(t, cursor, cursorTwo)
	// an external edit after ours: the only event must be about it
	time.Sleep(300 * time.Millisecond)
	external := strings.Replace(cursorTwo, "/tmp/x.js", "/tmp/y.js", 1)
	writeRename(t, cursor, external)
	ev := rec.waitFor(t, "for the external edit", func(e Event) bool { return e.Path == cursor })
	if len(ev.Servers) != 1 || ev.Servers[0].Kind != ServerChanged || ev.Servers[0].Name != "sneaky" {
		t.Fatalf("first event = %+v (our own write must not be reported)", ev)
	}
	if n := len(rec.events()); n != 1 {
		t.Fatalf("%d events, want 1: %+v", n, rec.events())
	}
}

func TestCorruptFileBesideGoodOne(t *testing.T) {
	home := t.TempDir()
	cursor := filepath.Join(home, ".cursor", "mcp.json")
	claude := filepath.Join(home, ".config", "Claude", "claude_desktop_config.json")
	writeRename(t, cursor, cursorOne)
	writeRename(t, claude, `{"mcpServers": {"x": `) // broken from the start
	_, rec := start(t, home)

	writeRename(t, cursor, cursorTwo)
	rec.waitFor(t, "for the good file", func(e Event) bool { return e.Path == cursor && len(e.Servers) == 1 })

	// the good file breaks: reported broken after retries, with no removals
	writeRename(t, cursor, `{"mcpServers": {`)
	ev := rec.waitFor(t, "broken", func(e Event) bool { return e.Path == cursor && e.File == FileBroken })
	if ev.Error == "" || len(ev.Servers) != 0 {
		t.Fatalf("broken event = %+v", ev)
	}
	// repaired: diff against the last good state (github + sneaky)
	writeRename(t, cursor, cursorOne)
	ev = rec.waitFor(t, "repaired", func(e Event) bool { return e.Path == cursor && e.File == FileRepaired })
	if len(ev.Servers) != 1 || ev.Servers[0].Kind != ServerRemoved || ev.Servers[0].Name != "sneaky" {
		t.Fatalf("repaired event = %+v", ev)
	}
	// the broken claude file now gets fixed and reports its server
	writeRename(t, claude, `{"mcpServers": {"x": {"command": "uvx"}}}`)
	ev = rec.waitFor(t, "claude repaired", func(e Event) bool { return e.Path == claude && e.File == FileRepaired })
	if len(ev.Servers) != 1 || ev.Servers[0].Name != "x" || !ev.Servers[0].Unprotected {
		t.Fatalf("claude event = %+v", ev)
	}
}

func TestFileInDirectoryCreatedLater(t *testing.T) {
	home := t.TempDir()
	_, rec := start(t, home)
	// ~/.codex does not exist when watching starts
	codex := filepath.Join(home, ".codex", "config.toml")
	writeRename(t, codex, "[mcp_servers.docs]\ncommand = \"npx\"\nargs = [\"-y\", \"docs-mcp\"]\n")
	ev := rec.waitFor(t, "for the new file", func(e Event) bool { return e.Path == codex })
	if ev.File != FileAdded || len(ev.Servers) != 1 || ev.Servers[0].Name != "docs" || !ev.Servers[0].Unprotected {
		t.Fatalf("event = %+v", ev)
	}
	os.Remove(codex)
	ev = rec.waitFor(t, "for the removal", func(e Event) bool { return e.Path == codex && e.File == FileRemoved })
	if len(ev.Servers) != 1 || ev.Servers[0].Kind != ServerRemoved {
		t.Fatalf("removal = %+v", ev)
	}
}

func TestWrappedServerUnwrappedBehindOurBack(t *testing.T) {
	home := t.TempDir()
	cursor := filepath.Join(home, ".cursor", "mcp.json")
	wrapped := `{"mcpServers": {"gh": {"command": "/opt/cs/countersign", "args": ["shim", "--name", "gh", "--client", "cursor", "--", "npx", "gh-mcp"]}}}`
	writeRename(t, cursor, wrapped)
	_, rec := start(t, home)
	writeRename(t, cursor, `{"mcpServers": {"gh": {"command": "npx", "args": ["gh-mcp"]}}}`)
	ev := rec.waitFor(t, "for the unwrap", func(e Event) bool { return e.Path == cursor })
	if len(ev.Servers) != 1 || ev.Servers[0].Kind != ServerChanged || !ev.Servers[0].Unprotected || !ev.Servers[0].Before.Wrapped {
		t.Fatalf("event = %+v", ev)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	w, err := New(Options{Env: clients.Env{OS: "linux", Home: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if err := w.Run(context.Background()); err == nil {
		t.Fatal("second Run should fail")
	}
}
