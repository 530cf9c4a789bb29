package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/countersign/countersign/internal/clients"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/vault"
	"github.com/countersign/countersign/internal/watch"
)

// EventClientsChanged carries the watch.Event of a client config changed
// outside Countersign: the window re-reads Clients.List.
const EventClientsChanged = "clients:changed"

// clientsCore is what Clients needs from the core beyond Core;
// *core.Core implements it. Without it (tests, binding generation) writes
// are not announced to a watcher and no change events are forwarded.
type clientsCore interface {
	ClientsWrote(path string, data []byte)
	SubscribeClients() (<-chan watch.Event, func())
}

// Clients is bound to the window: the AI clients on this machine, their
// config files and MCP servers, and wrapping them through internal/clients
// (the same rewrite, backups and journal as `countersign wrap`). No method
// returns a secret value: arguments that hold one are masked and plaintext
// secrets are listed by field name only.
type Clients struct {
	watcher clientsCore             // nil: no watcher to tell about own writes
	secrets localapi.SecretRecorder // nil: migrated secrets get no metadata
	kc      vault.Keychain
	env     func() (clients.Env, error)
	home    func() (string, error)
	shim    func() (string, error)
}

func newClients(c Core) *Clients {
	cl := &Clients{
		kc:   vault.NewOSKeychain(),
		env:  func() (clients.Env, error) { return clients.EnvFromOS() },
		home: home.Dir,
		shim: siblingShim,
	}
	cl.watcher, _ = c.(clientsCore)
	if c != nil {
		cl.secrets = c
	}
	return cl
}

// List returns every supported client found on this machine with its
// config files and servers. A file that cannot be read is listed with its
// error and never hides the others.
func (c *Clients) List() ([]clients.ClientView, error) {
	env, err := c.env()
	if err != nil {
		return nil, fmt.Errorf("find client configs: %w", err)
	}
	return clients.View(clients.Discover(env)), nil
}

// Preview computes what Wrap (or Unwrap, when unwrap is set) would do to
// the given servers (names or locators; none: every server) of client, with
// a unified diff per file, secrets redacted. Nothing is written.
func (c *Clients) Preview(t Target, unwrap bool) (clients.ApplyResult, error) {
	return c.apply(t, unwrap, true, false)
}

// Wrap puts the shim in front of the given servers of client (none: every
// server). A file that fails is reported in the result; nothing else stops.
func (c *Clients) Wrap(t Target) (clients.ApplyResult, error) {
	return c.apply(t, false, false, false)
}

// Unwrap restores the given wrapped servers of client (none: every one).
func (c *Clients) Unwrap(t Target) (clients.ApplyResult, error) {
	return c.apply(t, true, false, false)
}

// PreviewMigrate shows what MigrateSecrets would change, as a redacted
// diff. Nothing is written, and nothing is stored in the keychain.
func (c *Clients) PreviewMigrate(t Target) (clients.ApplyResult, error) {
	if len(t.Servers) != 1 {
		return clients.ApplyResult{}, errors.New("move the secrets of one server at a time")
	}
	return c.apply(t, false, true, true)
}

// MigrateSecrets wraps one server (name or locator) and moves the plaintext
// secret values of its env into the keychain, leaving secret:NAME references
// in the config and --env KEY=secret:NAME on the shim; backups are scrubbed
// of the values. Each moved secret is then recorded in the core with a note
// saying where it came from, as `countersign wrap --migrate-secrets` does.
func (c *Clients) MigrateSecrets(t Target) (clients.ApplyResult, error) {
	if len(t.Servers) != 1 {
		return clients.ApplyResult{}, errors.New("move the secrets of one server at a time")
	}
	res, err := c.apply(t, false, false, true)
	if err != nil || c.secrets == nil {
		return res, err
	}
	return res, localapi.RecordMigrated(context.Background(), c.secrets, res)
}

// apply runs clients.Apply for one client.
// Target names what a change applies to: a client, optionally one of its
// config files, and servers (names or locators; none: every server).
type Target struct {
	Client  string   `json:"client"`
	Path    string   `json:"path,omitempty"`
	Servers []string `json:"servers"`
}

func (c *Clients) apply(t Target, unwrap, dryRun, migrate bool) (clients.ApplyResult, error) {
	client := t.Client
	if client == "" {
		return clients.ApplyResult{}, errors.New("name the client whose servers to change")
	}
	if _, ok := clients.SpecByID(client); !ok {
		return clients.ApplyResult{}, fmt.Errorf("unknown client %q", client)
	}
	env, err := c.env()
	if err != nil {
		return clients.ApplyResult{}, fmt.Errorf("find client configs: %w", err)
	}
	dir, err := c.home()
	if err != nil {
		return clients.ApplyResult{}, err
	}
	req := clients.ApplyRequest{Unwrap: unwrap, DryRun: dryRun, Client: client, Path: t.Path, Names: t.Servers, Home: dir, MigrateSecrets: migrate}
	if migrate {
		req.Keychain = c.kc
	}
	if !unwrap {
		if req.ShimPath, err = c.shim(); err != nil {
			return clients.ApplyResult{}, err
		}
	}
	if !dryRun {
		if err := home.EnsurePrivate(dir); err != nil {
			return clients.ApplyResult{}, err
		}
		if c.watcher != nil {
			req.Wrote = c.watcher.ClientsWrote
		}
	}
	res, err := clients.Apply(context.Background(), env, req)
	if err != nil {
		return clients.ApplyResult{}, fmt.Errorf("%s %s: %w", verbName(unwrap), client, err)
	}
	return res, nil
}

func verbName(unwrap bool) string {
	if unwrap {
		return "unwrap"
	}
	return "wrap"
}

// Backups lists the copies Countersign kept of client's config files before
// changing them (every client's when client is ""), newest first.
func (c *Clients) Backups(client string) ([]clients.Backup, error) {
	dir, err := c.home()
	if err != nil {
		return nil, err
	}
	bs, err := clients.ListBackups(clients.BackupDir(dir), client)
	if err != nil {
		return nil, err
	}
	if bs == nil {
		bs = []clients.Backup{}
	}
	return bs, nil
}

// RestoreResult says what Restore did.
type RestoreResult struct {
	Path    string `json:"path"`
	Changed bool   `json:"changed"`
	// Backup holds the bytes the file had until now, when it changed.
	Backup string `json:"backup,omitempty"`
}

// Restore puts a backup (a file listed by Backups, nothing else) back over
// its config file; the current bytes are backed up first.
func (c *Clients) Restore(backupFile string) (RestoreResult, error) {
	dir, err := c.home()
	if err != nil {
		return RestoreResult{}, err
	}
	bdir := clients.BackupDir(dir)
	bs, err := clients.ListBackups(bdir, "")
	if err != nil {
		return RestoreResult{}, err
	}
	for _, b := range bs {
		if b.File != backupFile {
			continue
		}
		data, err := os.ReadFile(b.File)
		if err != nil {
			return RestoreResult{}, fmt.Errorf("read backup: %w", err)
		}
		if c.watcher != nil {
			c.watcher.ClientsWrote(b.Path, data) // before the rename: no window for an event
		}
		res, err := clients.RestoreBackup(b, clients.WriteOptions{BackupDir: bdir, ClientID: b.ClientID})
		if err != nil {
			return RestoreResult{}, fmt.Errorf("restore %s: %w", b.Path, err)
		}
		return RestoreResult{Path: b.Path, Changed: res.Changed, Backup: res.Backup}, nil
	}
	return RestoreResult{}, fmt.Errorf("no backup %s: restore only a backup from the list", backupFile)
}

// ClientsEvent is the part of a watch.Event the window gets: which file
// changed and which servers, never their launch lines (they may hold
// secrets; the window re-reads the masked list).
type ClientsEvent struct {
	ClientID   string         `json:"client_id"`
	ClientName string         `json:"client_name"`
	Path       string         `json:"path"`
	File       string         `json:"file"`
	Servers    []ClientsDelta `json:"servers"`
}

// ClientsDelta is one server added, removed or changed outside Countersign.
type ClientsDelta struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	Locator string `json:"locator"`
	Scope   string `json:"scope,omitempty"`
	// Unprotected: not wrapped now, and just added or just lost its wrapping.
	Unprotected bool `json:"unprotected"`
}

func clientsEvent(ev watch.Event) ClientsEvent {
	out := ClientsEvent{ClientID: ev.ClientID, ClientName: ev.ClientName, Path: ev.Path, File: string(ev.File), Servers: []ClientsDelta{}}
	for _, s := range ev.Servers {
		out.Servers = append(out.Servers, ClientsDelta{Kind: string(s.Kind), Name: s.Name, Locator: s.Locator, Scope: s.Scope, Unprotected: s.Unprotected})
	}
	return out
}

// forwardClients emits EventClientsChanged for each config change the core's
// watcher reports, and announces each new unprotected server by a
// notification, until ctx ends.
func (a *App) forwardClients(ctx context.Context, c clientsCore, emit func(string, ...any)) {
	events, cancel := c.SubscribeClients()
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			ce := clientsEvent(ev)
			emit(EventClientsChanged, ce)
			a.announceUnprotected(ce)
		}
	}
}

// clientsKeyPrefix marks the notification keys of unprotected servers
// (a call id never starts with it).
const clientsKeyPrefix = "clients:"

// EventClientsFocus carries a ClientsDelta-shaped {client_id, locator}: the
// person clicked the notification of a new unprotected server, so the window
// shows the Clients page with that server's Wrap / Ignore choice.
const EventClientsFocus = "clients:focus"

// announceUnprotected shows "Cursor added server X — not protected" for each
// server of ce that was added (or lost its wrapping) and is not protected,
// as a notification and as a tray menu line (the newest one). Clicking
// either opens the Clients page, where Wrap and Ignore are offered.
func (a *App) announceUnprotected(ce ClientsEvent) {
	a.popup.mu.Lock()
	n := a.popup.notify
	a.popup.mu.Unlock()
	t, _ := a.trayOf().(unprotectedView)
	for _, s := range ce.Servers {
		if !s.Unprotected {
			continue
		}
		summary := fmt.Sprintf("%s added server %s — not protected", or(ce.ClientName, ce.ClientID), s.Name)
		if s.Kind != string(watch.ServerAdded) {
			summary = fmt.Sprintf("%s server %s is no longer protected", or(ce.ClientName, ce.ClientID), s.Name)
		}
		key := clientsKeyPrefix + ce.ClientID + "\n" + ce.Path + "\n" + s.Locator
		if t != nil {
			t.setUnprotected(summary, key)
		}
		if n == nil {
			continue
		}
		err := n.Notify(context.Background(), key, notify.Notification{
			Summary: summary,
			Body:    fmt.Sprintf("Its tool calls do not go through Countersign. Wrap it to have them wait for you, or ignore it. (%s)", ce.Path),
			Actions: []notify.Action{{ID: actionWrap, Label: "Wrap"}, {ID: actionIgnore, Label: "Ignore"}},
		})
		if err != nil {
			a.log.Warn("app: cannot announce an unprotected server; the Clients page shows it", "server", s.Name, "err", err)
		}
	}
}

// unprotectedView is the tray's line for a new unprotected server; the
// tray (tray.go) implements it.
type unprotectedView interface {
	setUnprotected(title, key string)
}

// focusClients handles a click on an unprotected-server notification: it
// shows the window on the Clients page. It reports whether key was one.
func (a *App) focusClients(key string) bool {
	rest, ok := strings.CutPrefix(key, clientsKeyPrefix)
	if !ok {
		return false
	}
	client, rest, _ := strings.Cut(rest, "\n")
	_, locator, _ := strings.Cut(rest, "\n")
	a.popup.focusCall("")
	a.popup.mu.Lock()
	emit := a.popup.emit
	a.popup.mu.Unlock()
	if emit != nil {
		emit(EventClientsFocus, map[string]string{"client_id": client, "locator": locator})
	}
	return true
}

// siblingShim is the GUI-free countersign beside the running desktop app
// (build/bin/countersign next to build/bin/countersign-desktop): the binary
// written into client configs, since every shim start must not pay for
// linking WebKit.
func siblingShim() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the countersign binary: %w", err)
	}
	return clients.ShimBinary(exe)
}

// The buttons of a new-unprotected-server notification.
const (
	actionWrap   = "wrap"
	actionIgnore = "ignore"
)

// clientsAction runs Wrap or Ignore from a new-unprotected-server
// notification; it reports whether key and action were one. Wrap changes
// only that entry of that file (with the usual backup and journal) and
// says how it went in a new notification; Ignore withdraws it.
func (a *App) clientsAction(key, action string) bool {
	rest, ok := strings.CutPrefix(key, clientsKeyPrefix)
	if !ok || (action != actionWrap && action != actionIgnore) {
		return false
	}
	client, rest, _ := strings.Cut(rest, "\n")
	path, locator, _ := strings.Cut(rest, "\n")
	a.popup.mu.Lock()
	n, emit := a.popup.notify, a.popup.emit
	a.popup.mu.Unlock()
	if action == actionIgnore {
		if n != nil {
			_ = n.Withdraw(context.Background(), key)
		}
		return true
	}
	res, err := a.cl.Wrap(Target{Client: client, Path: path, Servers: []string{locator}})
	summary, body := "", ""
	switch {
	case err != nil:
		summary, body = "Countersign could not wrap that server", err.Error()
	case res.Failed() || len(res.Files) == 0:
		summary, body = "Countersign could not wrap that server", "Open the Clients page to see why."
		for _, f := range res.Files {
			if f.Error != "" {
				body = f.Error
			}
		}
	default:
		f := res.Files[0]
		summary = "Wrapped"
		for _, s := range f.Servers {
			summary, body = s.Server+": "+s.Status, "Restart the client, or reload its MCP servers, to apply. ("+f.Path+")"
		}
	}
	if n != nil {
		if err := n.Notify(context.Background(), key, notify.Notification{Summary: summary, Body: body}); err != nil {
			a.log.Warn("app: cannot say how the wrap went", "err", err)
		}
	}
	if emit != nil {
		emit(EventClientsChanged, ClientsEvent{ClientID: client, Path: path, File: "changed", Servers: []ClientsDelta{}})
	}
	return true
}
