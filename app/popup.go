package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/notify"
)

// The one Wails v2 window doubles as the approval popup: compact while calls
// wait, back to the size the person gave it when the queue empties.
const (
	popupWidth  = 560
	popupHeight = 680
	// notifyAfter is how long a shown window has to report focus before the
	// call is also announced by a notification.
	notifyAfter = 250 * time.Millisecond
)

// EventApprovalFocus carries the id of a waiting call the person picked in
// the tray menu or a notification: the window shows that call.
const EventApprovalFocus = "approvals:focus"

// notifier is what the popup needs from the desktop's notification service;
// *notify.DBus implements it.
type notifier interface {
	Notify(ctx context.Context, key string, n notify.Notification) error
	Withdraw(ctx context.Context, key string) error
}

// popup brings the window forward when a call starts waiting, and announces
// the call by a notification when the window did not get the focus.
//
// Focus, per platform (what "shown, on top, focused" can mean):
//   - Linux/X11: gtk_window_present asks the window manager to activate the
//     window, but focus-stealing prevention (Mutter, KWin, Xfwm) may refuse
//     because the request carries no user-input timestamp: the window is
//     then mapped and raised (kept above while calls wait) and the WM marks
//     it as demanding attention, but keystrokes keep going to the app the
//     person is typing in. That is the behaviour we want: a popup must not
//     swallow a keystroke meant for another app, so Enter/Esc act only once
//     the person looks at it. The notification covers the refused case.
//     Wayland compositors apply the same rule (xdg-activation needs a token).
//   - macOS: Wails' WindowShow orders the window front, but the app is not
//     activated ([NSApp activateIgnoringOtherApps] is not called), so the
//     window floats above others (always on top) without taking key focus
//     from the active app until clicked.
//   - Windows: the foreground lock (SetForegroundWindow rules) lets a
//     background process only flash the task-bar button; the window appears
//     topmost (always on top) without keyboard focus.
//
// So on every platform the popup is visible at once and focused when the OS
// allows; it never grabs input, and a notification follows when the frontend
// does not report focus within notifyAfter.
type popup struct {
	log    *slog.Logger
	notify notifier // nil when no notification service exists

	mu         sync.Mutex
	win        window // nil until the window started
	emit       func(string, ...any)
	visible    bool // as reported by the frontend
	focused    bool
	compact    bool
	hideAfter  bool // the window was hidden when the first call came
	savedW     int
	savedH     int
	waiting    map[string]bool
	notifyDown bool // a failed Notify was logged once
}

func newPopup(n notifier, log *slog.Logger) *popup {
	return &popup{notify: n, log: log, visible: true, waiting: map[string]bool{}}
}

// attach gives the popup the started window.
func (p *popup) attach(w window, emit func(string, ...any)) {
	p.mu.Lock()
	p.win, p.emit = w, emit
	p.mu.Unlock()
}

func (p *popup) report(visible, focused bool) {
	p.mu.Lock()
	p.visible, p.focused = visible, focused
	p.mu.Unlock()
}

// added brings the window forward for call c.
func (p *popup) added(c broker.Pending) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.waiting[c.ID] = true
	if p.win == nil {
		return
	}
	if !p.compact {
		p.hideAfter = !p.visible
		p.savedW, p.savedH = p.win.Size()
		p.win.SetSize(popupWidth, popupHeight)
		p.compact = true
	}
	p.win.Show()
	p.win.Unminimise()
	p.win.SetAlwaysOnTop(true)
	if p.notify != nil {
		time.AfterFunc(notifyAfter, func() { p.announce(c) })
	}
}

// announce sends the notification for c unless the window has the focus or
// the call already ended.
func (p *popup) announce(c broker.Pending) {
	p.mu.Lock()
	skip := p.focused || !p.waiting[c.ID]
	n := p.notify
	p.mu.Unlock()
	if skip || n == nil {
		return
	}
	err := n.Notify(context.Background(), c.ID, notify.Notification{
		Summary: fmt.Sprintf("Tool call waiting: %s on %s", c.Tool, c.Server),
		Body:    fmt.Sprintf("%s: %s", or(c.Client, "unknown client"), shorten(string(c.Args), 160)),
		Expire:  time.Until(c.Deadline),
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && !p.notifyDown {
		p.notifyDown = true
		p.log.Warn("app: cannot show a notification for waiting calls; the window still shows them", "err", err)
	}
	if err == nil && !p.waiting[c.ID] { // decided while we were sending
		go n.Withdraw(context.Background(), c.ID)
	}
}

// removed withdraws c's notification and, when nothing waits any more,
// gives the window back its size and its place among other windows.
func (p *popup) removed(id string, left int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.waiting, id)
	if p.notify != nil {
		go func() {
			if err := p.notify.Withdraw(context.Background(), id); err != nil {
				p.log.Debug("app: withdraw notification", "err", err)
			}
		}()
	}
	if left > 0 || p.win == nil || !p.compact {
		return
	}
	p.compact = false
	p.win.SetAlwaysOnTop(false)
	p.win.SetSize(p.savedW, p.savedH)
	if p.hideAfter {
		p.win.Hide()
	}
}

// sync catches up with the pending set after missed events.
func (p *popup) sync(pending []broker.Pending) {
	now := map[string]bool{}
	for _, c := range pending {
		now[c.ID] = true
	}
	p.mu.Lock()
	var gone []string
	for id := range p.waiting {
		if !now[id] {
			gone = append(gone, id)
		}
	}
	var fresh []broker.Pending
	for _, c := range pending {
		if !p.waiting[c.ID] {
			fresh = append(fresh, c)
		}
	}
	p.mu.Unlock()
	for _, c := range fresh {
		p.added(c)
	}
	for _, id := range gone {
		p.removed(id, len(pending))
	}
}

// focusCall shows the window on waiting call id (tray menu, notification).
func (p *popup) focusCall(id string) {
	p.mu.Lock()
	w, emit := p.win, p.emit
	p.mu.Unlock()
	if w == nil {
		return
	}
	w.Show()
	w.Unminimise()
	if id != "" {
		emit(EventApprovalFocus, id)
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
