package core

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/watch"
)

// With auto-wrap on, a server a foreign write adds to a client config is
// wrapped at once (and announced as protected); with it off, the next one
// stays as the person wrote it.
func TestAutoWrapNewServers(t *testing.T) {
	h := clientHome(t)
	const shim = "/opt/countersign/bin/countersign"
	dir := tempHome(t)
	c, err := Open(context.Background(), Options{Home: dir, Logger: quiet, ShimPath: shim})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	defer func() { cancel(); <-served; c.Close() }()
	events, unsub := c.SubscribeClients()
	defer unsub()
	for c.clients.Load() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	<-c.clients.Load().w.Ready()
	if on, _ := c.AutoWrap(ctx); on {
		t.Fatal("auto-wrap is on by default")
	}
	if err := c.SetAutoWrap(ctx, true); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(h, ".cursor", "mcp.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	next := func(what string) watch.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(5 * time.Second):
			t.Fatalf("no event for %s", what)
		}
		return watch.Event{}
	}
	wrappedIn := func(name string) bool {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		servers, err := clients.Parse(data, clients.AdapterMCPServers)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range servers {
			if s.Name == name {
				return s.Wrapped && s.Command == shim
			}
		}
		t.Fatalf("no server %s in %s", name, data)
		return false
	}

	if err := os.WriteFile(path, []byte(`{"mcpServers":{"gh":{"command":"gh-mcp","args":["stdio"]}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ev := next("the added server")
	if len(ev.Servers) != 1 || ev.Servers[0].Name != "gh" || ev.Servers[0].Unprotected {
		t.Fatalf("event = %+v, want gh added and protected", ev)
	}
	if !wrappedIn("gh") {
		t.Fatal("gh was not wrapped in the file")
	}
	select {
	case own := <-events:
		t.Fatalf("the auto-wrap's own write was reported: %+v", own)
	case <-time.After(700 * time.Millisecond):
	}

	if err := c.SetAutoWrap(ctx, false); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	data = []byte(string(data[:len(data)-2]) + `,"fs":{"command":"fs-mcp"}}}`)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ev = next("the second server")
	if len(ev.Servers) != 1 || ev.Servers[0].Name != "fs" || !ev.Servers[0].Unprotected {
		t.Fatalf("event = %+v, want fs added and unprotected", ev)
	}
	if wrappedIn("fs") {
		t.Fatal("fs was wrapped with auto-wrap off")
	}
}
