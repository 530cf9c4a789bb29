package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/watch"
)

const fixtureSecret = "sk-test-REPLACE-ME" // the env value in the claude-desktop fixture

// clientsFixture is a temp HOME holding the Claude Desktop fixture (Linux
// path) and a Cursor config that does not parse, a temp countersign home,
// and a shim path that exists.
type clientsFixture struct {
	home, state, desktop, cursor string
	orig                         []byte
}

func newClientsFixture(t *testing.T) clientsFixture {
	t.Helper()
	f := clientsFixture{home: t.TempDir(), state: t.TempDir()}
	var err error
	f.orig, err = os.ReadFile(filepath.Join("..", "internal", "clients", "testdata", "fixtures", "claude-desktop", "claude_desktop_config.json"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	f.desktop = filepath.Join(f.home, ".config", "Claude", "claude_desktop_config.json")
	f.cursor = filepath.Join(f.home, ".cursor", "mcp.json")
	for p, b := range map[string][]byte{f.desktop: f.orig, f.cursor: []byte(`{"mcpServers": {"x": {"command": "npx",}`)} {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// writes records what Clients told the watcher.
type writes struct {
	mu  sync.Mutex
	got map[string][]byte
}

func (w *writes) ClientsWrote(path string, data []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got[path] = bytes.Clone(data)
}

func (w *writes) SubscribeClients() (<-chan watch.Event, func()) {
	ch := make(chan watch.Event)
	return ch, func() {}
}

func (f clientsFixture) binding(t *testing.T, w clientsCore) *Clients {
	t.Helper()
	shim := filepath.Join(t.TempDir(), "countersign")
	if err := os.WriteFile(shim, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Clients{
		watcher: w,
		env: func() (clients.Env, error) {
			return clients.Env{OS: "linux", Home: f.home, Vars: map[string]string{}}, nil
		},
		home: func() (string, error) { return f.state, nil },
		shim: func() (string, error) { return shim, nil },
	}
}

func TestClientsListMasksSecretsAndIsolatesBrokenFiles(t *testing.T) {
	f := newClientsFixture(t)
	list, err := f.binding(t, nil).List()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(list)
	if bytes.Contains(js, []byte(fixtureSecret)) {
		t.Fatalf("List leaks a secret value: %s", js)
	}
	byID := map[string]clients.ClientView{}
	for _, c := range list {
		byID[c.ID] = c
	}
	cur, ok := byID["cursor"]
	if !ok || len(cur.Configs) != 1 || cur.Configs[0].Error == "" || len(cur.Configs[0].Servers) != 0 {
		t.Errorf("cursor = %+v, want one config with a parse error and no servers", cur)
	}
	cd, ok := byID["claude-desktop"]
	if !ok || len(cd.Configs) != 1 {
		t.Fatalf("claude-desktop = %+v, want one config", cd)
	}
	servers := map[string]clients.ServerView{}
	for _, s := range cd.Configs[0].Servers {
		servers[s.Name] = s
	}
	tests := []struct {
		name      string
		transport string
		wrappable bool
		secrets   []string
	}{
		{"filesystem", "stdio", true, []string{}},
		{"brave-search", "stdio", true, []string{"env.BRAVE_API_KEY"}},
		{"sqlite", "stdio", true, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := servers[tt.name]
			if !ok {
				t.Fatalf("server missing from %v", servers)
			}
			if s.Transport != tt.transport || s.Wrappable != tt.wrappable || s.Wrapped {
				t.Errorf("got transport=%s wrappable=%v wrapped=%v", s.Transport, s.Wrappable, s.Wrapped)
			}
			if strings.Join(s.SecretFields, ",") != strings.Join(tt.secrets, ",") {
				t.Errorf("secret fields = %v, want %v", s.SecretFields, tt.secrets)
			}
		})
	}
}

// Preview writes nothing; Wrap changes only the chosen entry and tells the
// watcher the bytes it wrote; Unwrap gives back the original bytes; the
// backup is listed and restores; a file that is not a listed backup is refused.
func TestClientsWrapUnwrapRestore(t *testing.T) {
	f := newClientsFixture(t)
	w := &writes{got: map[string][]byte{}}
	b := f.binding(t, w)

	pre, err := b.Preview(Target{Client: "claude-desktop", Servers: []string{"/mcpServers/brave-search"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pre.Files) != 1 || !pre.Files[0].Changed || !strings.Contains(pre.Files[0].Diff, "shim") {
		t.Fatalf("preview = %+v, want one changed file with a diff", pre)
	}
	if strings.Contains(pre.Files[0].Diff, fixtureSecret) {
		t.Errorf("the preview diff shows the secret value:\n%s", pre.Files[0].Diff)
	}
	if now, _ := os.ReadFile(f.desktop); !bytes.Equal(now, f.orig) {
		t.Fatal("Preview changed the file")
	}

	res, err := b.Wrap(Target{Client: "claude-desktop", Servers: []string{"/mcpServers/filesystem"}})
	if err != nil || res.Failed() {
		t.Fatalf("Wrap: %+v, %v", res, err)
	}
	wrapped, _ := os.ReadFile(f.desktop)
	if bytes.Equal(wrapped, f.orig) {
		t.Fatal("Wrap did not change the file")
	}
	if got := w.got[f.desktop]; !bytes.Equal(got, wrapped) {
		t.Errorf("watcher was told %q, the file holds %q", got, wrapped)
	}
	list, _ := b.List()
	for _, c := range list {
		if c.ID != "claude-desktop" {
			continue
		}
		for _, s := range c.Configs[0].Servers {
			if (s.Name == "filesystem") != s.Wrapped {
				t.Errorf("%s wrapped = %v after wrapping only filesystem", s.Name, s.Wrapped)
			}
		}
	}
	if i := bytes.Index(wrapped, []byte(`"brave-search"`)); i < 0 || !bytes.Equal(wrapped[i:], f.orig[bytes.Index(f.orig, []byte(`"brave-search"`)):]) {
		t.Error("bytes after the filesystem entry changed")
	}

	un, err := b.Unwrap(Target{Client: "claude-desktop", Servers: []string{"/mcpServers/filesystem"}})
	if err != nil || un.Failed() {
		t.Fatalf("Unwrap: %+v, %v", un, err)
	}
	if now, _ := os.ReadFile(f.desktop); !bytes.Equal(now, f.orig) {
		t.Fatalf("after unwrap the file is not byte-identical:\n%s", now)
	}

	bs, err := b.Backups("claude-desktop")
	if err != nil || len(bs) == 0 {
		t.Fatalf("Backups = %v, %v; want the backup made before the wrap", bs, err)
	}
	if _, err := b.Restore(f.desktop); err == nil {
		t.Error("Restore accepted a file that is not a listed backup")
	}
	// Put the wrapped bytes back by hand, then restore the original.
	if err := os.WriteFile(f.desktop, wrapped, 0o600); err != nil {
		t.Fatal(err)
	}
	var pick clients.Backup
	for _, bk := range bs {
		if data, _ := os.ReadFile(bk.File); bytes.Equal(data, f.orig) {
			pick = bk
		}
	}
	if pick.File == "" {
		t.Fatalf("no backup holds the original bytes: %+v", bs)
	}
	rr, err := b.Restore(pick.File)
	if err != nil || !rr.Changed {
		t.Fatalf("Restore = %+v, %v", rr, err)
	}
	if now, _ := os.ReadFile(f.desktop); !bytes.Equal(now, f.orig) {
		t.Fatal("Restore did not put back the original bytes")
	}
	if !bytes.Equal(w.got[f.desktop], f.orig) {
		t.Error("Restore did not tell the watcher what it wrote")
	}
}

func TestClientsRefusesWhatItCannotDo(t *testing.T) {
	f := newClientsFixture(t)
	b := f.binding(t, nil)
	tests := []struct {
		name   string
		run    func() error
		errHas string
	}{
		{"unknown client", func() error { _, err := b.Wrap(Target{Client: "nope", Servers: nil}); return err }, "unknown client"},
		{"no client", func() error { _, err := b.Unwrap(Target{Client: "", Servers: nil}); return err }, "name the client"},
		{"client without config", func() error { _, err := b.Wrap(Target{Client: "zed", Servers: nil}); return err }, "no config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("err = %v, want one containing %q", err, tt.errHas)
			}
		})
	}
	t.Run("broken file is reported and left alone", func(t *testing.T) {
		orig, _ := os.ReadFile(f.cursor)
		res, err := b.Wrap(Target{Client: "cursor", Servers: nil})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Files) != 1 || res.Files[0].Error == "" || res.Files[0].Changed {
			t.Errorf("result = %+v, want one file with an error, unchanged", res)
		}
		if now, _ := os.ReadFile(f.cursor); !bytes.Equal(now, orig) {
			t.Error("the broken file changed")
		}
	})
}

// With the real core serving, a config written outside Countersign reaches
// the window as EventClientsChanged, and a wrap made here does not.
func TestClientsChangesReachTheWindow(t *testing.T) {
	f := newClientsFixture(t)
	t.Setenv("HOME", f.home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(f.home, ".config"))
	c := openCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	defer func() { cancel(); <-served }()

	a := New(c, quiet)
	n := &fakeNotifier{shown: map[string]notify.Notification{}}
	a.SetNotifier(n)
	tr := &unprotTray{}
	a.mu.Lock()
	a.tray = tr
	a.mu.Unlock()
	rec := newRecorder()
	a.start(ctx, &fakeWindow{}, rec.emit)
	defer a.Shutdown(ctx)
	var b *Clients
	for _, x := range a.Bindings() {
		if cl, ok := x.(*Clients); ok {
			b = cl
		}
	}
	if b == nil || b.watcher == nil {
		t.Fatal("the Clients binding is not registered with the core as its watcher")
	}
	b.home = func() (string, error) { return f.state, nil }
	shim := filepath.Join(t.TempDir(), "countersign")
	os.WriteFile(shim, nil, 0o755)
	b.shim = func() (string, error) { return shim, nil }

	time.Sleep(700 * time.Millisecond) // the watcher reads its baseline after Serve starts
	if res, err := b.Wrap(Target{Client: "claude-desktop", Servers: []string{"filesystem"}}); err != nil || res.Failed() {
		t.Fatalf("Wrap: %+v, %v", res, err)
	}
	time.Sleep(700 * time.Millisecond)
	rec.mu.Lock()
	for _, e := range rec.events {
		if e.name == EventClientsChanged {
			t.Errorf("own wrap reported as a change: %+v", e.data)
		}
	}
	rec.mu.Unlock()

	added := bytes.Replace(f.orig, []byte(`"sqlite": {`), []byte(`"new-one": {"command": "evil"}, "sqlite": {`), 1)
	if err := os.WriteFile(f.desktop+".tmp", added, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(f.desktop+".tmp", f.desktop); err != nil {
		t.Fatal(err)
	}
	ev := rec.wait(t, EventClientsChanged).data[0].(ClientsEvent)
	var names []string
	for _, s := range ev.Servers {
		names = append(names, s.Name)
	}
	if ev.ClientID != "claude-desktop" || !strings.Contains(strings.Join(names, ","), "new-one") {
		t.Errorf("event = %+v, want claude-desktop with new-one", ev)
	}
	if js, _ := json.Marshal(ev); bytes.Contains(js, []byte(fixtureSecret)) || bytes.Contains(js, []byte("evil")) {
		t.Errorf("the event carries launch lines: %s", js)
	}

	// The new unprotected server is announced; clicking it opens the Clients page.
	key := clientsKeyPrefix + "claude-desktop\n" + ev.Path + "\n/mcpServers/new-one"
	eventually(t, "the new server is announced", func() bool { _, ok, _ := n.get(key); return ok })
	x, ok, _ := n.get(key)
	if !ok || x.Summary != "Claude Desktop added server new-one — not protected" {
		t.Fatalf("notification %q = %+v (shown: %v)", key, x, ok)
	}
	tr.mu.Lock()
	if tr.title != x.Summary || tr.key != key {
		t.Errorf("tray line = %q %q, want the notification's summary and key", tr.title, tr.key)
	}
	tr.mu.Unlock()
	a.FocusCall(key)
	focus := rec.wait(t, EventClientsFocus).data[0].(map[string]string)
	if focus["client_id"] != "claude-desktop" || focus["locator"] != "/mcpServers/new-one" {
		t.Errorf("focus = %v", focus)
	}
	rec.mu.Lock()
	for _, e := range rec.events {
		if e.name == EventApprovalFocus {
			t.Errorf("a clients key was sent as a call id: %+v", e.data)
		}
	}
	rec.mu.Unlock()

	// The notification's Wrap button wraps that one entry, and says so.
	a.NotificationAction(key, actionWrap)
	data, _ := os.ReadFile(f.desktop)
	servers, err := clients.Parse(data, clients.AdapterMCPServers)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range servers {
		if s.Name == "new-one" && (!s.Wrapped || s.Command != shim) {
			t.Errorf("Wrap on the notification left new-one as %+v", s)
		}
	}
	if x, _, _ := n.get(key); x.Summary != "new-one: wrapped" {
		t.Errorf("after Wrap the notification says %+v", x)
	}
	a.NotificationAction(key, actionIgnore)
	if _, _, withdrawn := n.get(key); !slices.Contains(withdrawn, key) {
		t.Errorf("Ignore did not withdraw the notification: %v", withdrawn)
	}
}

// Moving a plaintext env value: the preview stores nothing; the move leaves
// the value only in the keychain (not in the config, not in a backup), and
// the core lists the secret with where it came from.
func TestClientsMigrateSecrets(t *testing.T) {
	f := newClientsFixture(t)
	b := f.binding(t, nil)
	kc := &memKeychain{items: map[string]string{}}
	c := openCore(t)
	b.kc, b.secrets = kc, c

	pre, err := b.PreviewMigrate(Target{Client: "claude-desktop", Servers: []string{"brave-search"}})
	if err != nil || len(pre.Files) != 1 || !strings.Contains(pre.Files[0].Diff, "secret:") {
		t.Fatalf("PreviewMigrate = %+v, %v; want a diff with a secret: reference", pre, err)
	}
	if strings.Contains(pre.Files[0].Diff, fixtureSecret) {
		t.Error("the preview shows the value")
	}
	if len(kc.items) != 0 {
		t.Errorf("the preview stored %d keychain items", len(kc.items))
	}
	if now, _ := os.ReadFile(f.desktop); !bytes.Equal(now, f.orig) {
		t.Fatal("the preview changed the file")
	}

	res, err := b.MigrateSecrets(Target{Client: "claude-desktop", Servers: []string{"brave-search"}})
	if err != nil || res.Failed() {
		t.Fatalf("MigrateSecrets = %+v, %v", res, err)
	}
	var moved []string
	for _, s := range res.Files[0].Servers {
		for _, m := range s.Migrated {
			moved = append(moved, m.Key+"="+m.Secret)
			if kc.items[m.Secret] != fixtureSecret {
				t.Errorf("keychain %s holds %q", m.Secret, kc.items[m.Secret])
			}
		}
	}
	if len(moved) != 1 || !strings.HasPrefix(moved[0], "BRAVE_API_KEY=") {
		t.Fatalf("migrated %v, want BRAVE_API_KEY", moved)
	}
	if now, _ := os.ReadFile(f.desktop); bytes.Contains(now, []byte(fixtureSecret)) {
		t.Error("the value is still in the config")
	}
	bs, _ := b.Backups("")
	for _, bk := range bs {
		if data, _ := os.ReadFile(bk.File); bytes.Contains(data, []byte(fixtureSecret)) {
			t.Errorf("backup %s keeps the value", bk.File)
		}
	}
	list, err := c.Secrets(context.Background())
	if err != nil || len(list) != 1 || !strings.Contains(list[0].Note, "brave-search") {
		t.Errorf("core secrets = %+v, %v; want the moved one with a note", list, err)
	}
	after, _ := b.List()
	for _, cl := range after {
		for _, s := range cl.Configs[0].Servers {
			if s.Name == "brave-search" && (!s.Wrapped || len(s.SecretFields) != 0) {
				t.Errorf("brave-search after the move: wrapped=%v secret fields=%v", s.Wrapped, s.SecretFields)
			}
		}
	}
}

// unprotTray records what the app shows in the tray.
type unprotTray struct {
	mu         sync.Mutex
	title, key string
}

func (*unprotTray) setPending([]broker.Pending) {}
func (*unprotTray) setPause(policy.Pause)       {}
func (*unprotTray) setError(error)              {}
func (u *unprotTray) setUnprotected(title, key string) {
	u.mu.Lock()
	u.title, u.key = title, key
	u.mu.Unlock()
}
