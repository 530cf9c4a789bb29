//go:build !bindings

package app

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/policy"
)

// TrayIcons are the tray's PNG icons, one per state (build/tray/*.png).
type TrayIcons struct {
	Idle, Pending, Paused, Error []byte
}

// trayCalls is how many waiting calls the tray menu lists.
const trayCalls = 8

// tray is the status-bar icon and its menu. fyne.io/systray speaks the
// StatusNotifierItem protocol over D-Bus on Linux; a desktop shows it when a
// StatusNotifier host (org.kde.StatusNotifierWatcher) runs.
type tray struct {
	app   *App
	icons TrayIcons

	mu     sync.Mutex
	built  bool // the menu items exist (set by build, under mu)
	calls  [trayCalls]*systray.MenuItem
	ids    [trayCalls]string
	more   *systray.MenuItem
	deny   *systray.MenuItem
	ask    *systray.MenuItem
	resume *systray.MenuItem

	pending []broker.Pending
	pause   policy.Pause
	err     error

	// unprot is the newest unprotected server the config watcher saw; a
	// click opens the Clients page on it (FocusCall with its key).
	unprot      *systray.MenuItem
	unprotTitle string
	unprotKey   string
}

// RunTray starts the tray; call it on the main goroutine before wails.Run and
// call the returned stop after it. Without a session bus there is no tray
// (one log line); without a StatusNotifier host the item is exported anyway
// (a host started later picks it up) and one log line says nothing shows it.
func (a *App) RunTray(icons TrayIcons) (stop func()) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		a.log.Warn("tray: no D-Bus session bus, so no tray icon; the window and the CLI still work", "err", err)
		return func() {}
	}
	var host bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&host)
	conn.Close()
	if err != nil || !host {
		a.log.Warn("tray: no StatusNotifier host on the session bus (org.kde.StatusNotifierWatcher), so no tray icon is shown; the window, notifications and the CLI still work")
	}
	t := &tray{app: a, icons: icons, pause: a.core.Pause()}
	start, end := systray.RunWithExternalLoop(t.build, nil)
	start()
	a.mu.Lock()
	a.tray = t
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		a.tray = nil
		a.mu.Unlock()
		end()
	}
}

// build makes the menu; systray runs it once its loop started.
func (t *tray) build() {
	systray.SetTitle("Countersign")
	for i := range t.calls {
		item := systray.AddMenuItem("", "Show this call")
		item.Hide()
		t.calls[i] = item
		go t.clicks(item.ClickedCh, func() {
			t.mu.Lock()
			id := t.ids[i]
			t.mu.Unlock()
			t.app.FocusCall(id)
		})
	}
	t.more = systray.AddMenuItem("", "")
	t.more.Disable()
	t.more.Hide()
	t.unprot = systray.AddMenuItem("", "Open the Clients page to wrap it or ignore it")
	t.unprot.Hide()
	go t.clicks(t.unprot.ClickedCh, func() {
		t.mu.Lock()
		key := t.unprotKey
		t.unprotKey, t.unprotTitle = "", ""
		t.mu.Unlock()
		t.render()
		if key != "" {
			t.app.FocusCall(key)
		}
	})
	systray.AddSeparator()
	open := systray.AddMenuItem("Open Countersign", "Show the main window")
	go t.clicks(open.ClickedCh, func() { t.app.FocusCall("") })
	pause := systray.AddMenuItem("Pause", "Stop asking until resumed")
	t.deny = pause.AddSubMenuItemCheckbox("Deny everything", "Deny every tool call until resumed", false)
	t.ask = pause.AddSubMenuItemCheckbox("Ask for everything", "Ask for every tool call, rules ignored, until resumed", false)
	t.resume = pause.AddSubMenuItem("Resume", "Apply the rules again")
	go t.clicks(t.deny.ClickedCh, func() { t.app.setPause(policy.PauseDeny) })
	go t.clicks(t.ask.ClickedCh, func() { t.app.setPause(policy.PauseAsk) })
	go t.clicks(t.resume.ClickedCh, func() { t.app.setPause(policy.NotPaused) })
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "Quit Countersign: wrapped servers deny calls until it runs again")
	go t.clicks(quit.ClickedCh, t.app.quit)
	t.mu.Lock()
	t.built = true
	t.mu.Unlock()
	t.render() // what changed before the menu existed
}

// clicks runs do for each click until systray closes the channel... which
// it never does: these goroutines end with the process.
func (t *tray) clicks(ch <-chan struct{}, do func()) {
	for range ch {
		do()
	}
}

func (t *tray) setPending(p []broker.Pending) {
	t.mu.Lock()
	t.pending = p
	t.mu.Unlock()
	t.render()
}

func (t *tray) setPause(p policy.Pause) {
	t.mu.Lock()
	t.pause = p
	t.mu.Unlock()
	t.render()
}

// setUnprotected shows one menu line for a new unprotected server (title),
// which opens the Clients page on it (key, see focusClients).
func (t *tray) setUnprotected(title, key string) {
	t.mu.Lock()
	t.unprotTitle, t.unprotKey = title, key
	t.mu.Unlock()
	t.render()
}

func (t *tray) setError(err error) {
	t.mu.Lock()
	t.err = err
	t.mu.Unlock()
	t.render()
}

// render shows the state: error over pending over paused over idle.
// Until build has run (systray may never call it, e.g. without a
// StatusNotifier host) it only keeps the state; build renders it then.
func (t *tray) render() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.built {
		return
	}
	n := len(t.pending)
	icon, title := t.icons.Idle, "Countersign"
	tip := "Countersign: no tool call waiting"
	switch {
	case t.err != nil:
		icon, title, tip = t.icons.Error, "Countersign: error", "Countersign core stopped: "+t.err.Error()
	case n > 0:
		icon, title, tip = t.icons.Pending, fmt.Sprintf("%d waiting", n), fmt.Sprintf("Countersign: %d waiting", n)
	case t.pause == policy.PauseDeny:
		icon, title, tip = t.icons.Paused, "Paused", "Countersign paused: denying every tool call"
	case t.pause == policy.PauseAsk:
		icon, title, tip = t.icons.Paused, "Paused", "Countersign paused: asking for every tool call"
	}
	systray.SetIcon(icon)
	systray.SetTitle(title)
	systray.SetTooltip(tip)
	for i, item := range t.calls {
		if i < n {
			c := t.pending[i]
			t.ids[i] = c.ID
			item.SetTitle(callTitle(c))
			item.Show()
		} else {
			t.ids[i] = ""
			item.Hide()
		}
	}
	if n > trayCalls {
		t.more.SetTitle(fmt.Sprintf("… and %d more", n-trayCalls))
		t.more.Show()
	} else {
		t.more.Hide()
	}
	if t.unprotKey != "" {
		t.unprot.SetTitle("⚠ " + strings.ReplaceAll(t.unprotTitle, "_", "__")) // dbusmenu: a single _ marks a mnemonic
		t.unprot.Show()
		if n == 0 && t.err == nil {
			systray.SetTooltip(tip + "; " + t.unprotTitle)
		}
	} else {
		t.unprot.Hide()
	}
	check(t.deny, t.pause == policy.PauseDeny)
	check(t.ask, t.pause == policy.PauseAsk)
}

func check(item *systray.MenuItem, on bool) {
	if on {
		item.Check()
	} else {
		item.Uncheck()
	}
}

// callTitle is a menu line for a waiting call: "tool on server (client)".
func callTitle(c broker.Pending) string {
	s := c.Tool + " on " + c.Server
	if c.Client != "" {
		s += " (" + c.Client + ")"
	}
	s = shorten(s, 80)
	if runtime.GOOS == "linux" {
		s = strings.ReplaceAll(s, "_", "__") // dbusmenu: a single _ marks a mnemonic
	}
	return s
}
