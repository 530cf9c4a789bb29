package core

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/watch"
)

// A config written outside Countersign reaches SubscribeClients from the
// real watcher; a write announced with ClientsWrote does not.
// clientHome points HOME (and every variable that moves a client config)
// at an empty temp dir, for the core's config watcher.
func clientHome(t *testing.T) string {
	t.Helper()
	h := t.TempDir()
	t.Setenv("HOME", h)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(h, ".config"))
	for _, k := range []string{"CLAUDE_CONFIG_DIR", "CODEX_HOME", "COPILOT_HOME", "OPENCODE_CONFIG", "CLINE_MCP_SETTINGS_PATH", "CLINE_DATA_DIR", "CLINE_DIR"} {
		t.Setenv(k, "")
	}
	return h
}

func TestSubscribeClientsSeesForeignWrites(t *testing.T) {
	h := clientHome(t)
	r := start(t, tempHome(t))
	events, cancel := r.c.SubscribeClients()
	defer cancel()

	deadline := time.Now().Add(5 * time.Second)
	for r.c.clients.Load() == nil {
		if time.Now().After(deadline) {
			t.Fatal("config watcher did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	<-r.c.clients.Load().w.Ready()

	path := filepath.Join(h, ".cursor", "mcp.json")
	own := []byte(`{"mcpServers":{"fs":{"command":"npx","args":["fs"]}}}`)
	r.c.ClientsWrote(path, own)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, own, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		t.Fatalf("own write reported: %+v", ev)
	case <-time.After(700 * time.Millisecond):
	}

	foreign := []byte(`{"mcpServers":{"fs":{"command":"npx","args":["fs"]},"gh":{"command":"gh-mcp"}}}`)
	if err := os.WriteFile(path, foreign, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.ClientID != "cursor" || len(ev.Servers) != 1 || ev.Servers[0].Name != "gh" || !ev.Servers[0].Unprotected {
			t.Fatalf("event = %+v, want cursor: gh added, unprotected", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event for a foreign write within 5 s")
	}
}

// A subscriber that does not read never blocks the watcher: it keeps the
// newest clientSubBuffer events, and cancel closes its channel.
func TestSubscribeClientsNeverBlocks(t *testing.T) {
	r := start(t, tempHome(t))
	events, cancel := r.c.SubscribeClients()
	done := make(chan struct{})
	go func() {
		for i := range clientSubBuffer + 5 {
			r.c.publishClients(watch.Event{Path: string(rune('a' + i))})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("publishClients blocked on a subscriber that does not read")
	}
	first := <-events
	if want := string(rune('a' + 5)); first.Path != want {
		t.Errorf("oldest kept event = %q, want %q (the 5 oldest dropped)", first.Path, want)
	}
	if n := len(events); n != clientSubBuffer-1 {
		t.Errorf("%d events left, want %d", n, clientSubBuffer-1)
	}
	cancel()
	for range events {
	}
	cancel() // twice is harmless
}
