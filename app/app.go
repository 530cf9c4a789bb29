package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/vault"
)

// Core is what the window and the tray need from the Countersign core;
// *core.Core implements it.
type Core interface {
	Pending() []broker.Pending
	Decide(id string, d broker.Decision) error
	Subscribe() (events <-chan broker.Event, cancel func())
	Rules(ctx context.Context) ([]policy.Rule, error)
	AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error)
	RemoveRule(ctx context.Context, id string) error
	SubscribePolicy() (<-chan *policy.Set, func())
	Pause() policy.Pause
	SetPause(ctx context.Context, p policy.Pause) error
	Timeouts() policy.Timeouts
	ResultSettings(ctx context.Context) (localapi.ResultSettings, error)
	AutoWrap(ctx context.Context) (bool, error)
	TrustReadOnly() []string
	Namespaced() []string
	SetNamespaced(ctx context.Context, client string, on bool) error
	SetTrustReadOnly(ctx context.Context, server string, on bool) error
	SetAutoWrap(ctx context.Context, on bool) error
	SetResultSettings(ctx context.Context, s localapi.ResultSettings) (localapi.ResultSettings, error)
	SetTimeout(ctx context.Context, server string, d time.Duration) error
	Sessions() []core.SessionInfo
	Tools(ctx context.Context, server string) ([]localapi.ToolPin, error)
	TrustTools(ctx context.Context, req localapi.TrustRequest) (localapi.TrustResult, error)
	ToolDiff(ctx context.Context, server, kind, name string) (localapi.ToolDiff, error)
	History(ctx context.Context, q localapi.HistoryQuery) ([]localapi.HistoryCall, error)
	HistoryCall(ctx context.Context, id string) (localapi.HistoryCall, error)
	ExportHistory(ctx context.Context, q localapi.HistoryQuery, send func(localapi.HistoryCall) error) error
	SubscribeCalls() (calls <-chan localapi.HistoryCall, cancel func())
	Secrets(ctx context.Context) ([]localapi.SecretInfo, error)
	PutSecret(ctx context.Context, name string, req localapi.SecretPut) (localapi.SecretPutResult, error)
	RemoveSecret(ctx context.Context, name string) error
}

// Notifier shows and withdraws desktop notifications, keyed by call id;
// *notify.DBus implements it.
type Notifier = notifier

// App wires the bound services, the popup behaviour and the tray to the
// window's lifecycle. Pass Startup and Shutdown to wails.Run as OnStartup and
// OnShutdown, and Bindings as Bind.
type App struct {
	log   *slog.Logger
	core  Core
	popup *popup
	tray  trayView // nil until RunTray, and when there is no tray
	hist  *History
	cl    *Clients
	binds []any

	mu   sync.Mutex
	stop func() // stops the forwarders and waits for them; nil when not running
}

// trayView is the tray as the app drives it (tray.go).
type trayView interface {
	setPending(p []broker.Pending)
	setPause(p policy.Pause)
	setError(err error)
}

// New returns the app for core c. During the binding-generation run of
// `wails build` (see GeneratingBindings) c may be nil: no method is called then.
func New(c Core, log *slog.Logger) *App {
	p := newPopup(nil, log)
	h := &History{core: c}
	cl := newClients(c)
	return &App{
		log: log, core: c, popup: p, hist: h, cl: cl,
		binds: []any{
			&Approvals{core: c}, &Rules{core: c}, &Settings{core: c},
			&Servers{core: c}, &Tools{core: c}, h, &Secrets{core: c, kc: vault.NewOSKeychain()},
			newSignIns(c),
			&Window{popup: p}, cl,
		},
	}
}

// SetNotifier gives the popup a notification service; call it before
// wails.Run. Without one, waiting calls are only shown in the window.
func (a *App) SetNotifier(n Notifier) {
	a.popup.mu.Lock()
	a.popup.notify = n
	a.popup.mu.Unlock()
}

// Bindings are the services the frontend calls, as window.go.app.<Type>.<Method>.
func (a *App) Bindings() []any { return a.binds }

// NotificationAction handles what the person chose on a notification:
// DefaultAction (a click) shows the window on it; Wrap and Ignore on a new
// unprotected server act at once.
func (a *App) NotificationAction(key, action string) {
	if action != notify.DefaultAction && a.clientsAction(key, action) {
		return
	}
	a.FocusCall(key)
}

// FocusCall shows the window on the waiting call id ("" for the main view).
// A key from an unprotected-server notification opens the Clients page.
func (a *App) FocusCall(id string) {
	if !a.focusClients(id) && !a.focusSignIn(id) {
		a.popup.focusCall(id)
	}
}

// CoreFailed tells the person that the core stopped serving (the tray turns
// to its error state and the window gets EventCoreError).
func (a *App) CoreFailed(err error) {
	if t := a.trayOf(); t != nil {
		t.setError(err)
	}
	a.popup.mu.Lock()
	emit := a.popup.emit
	a.popup.mu.Unlock()
	if emit != nil {
		emit(EventCoreError, err.Error())
	}
}

// Startup starts forwarding core events to the window. ctx is the Wails
// context: it carries the window and ends when the app quits.
func (a *App) Startup(ctx context.Context) {
	emit := func(name string, data ...any) { runtime.EventsEmit(ctx, name, data...) }
	a.hist.attach(wailsSaveDialog(ctx))
	a.start(ctx, wailsWindow{ctx}, emit)
}

// start is Startup with the window and emitter given, so tests can record.
func (a *App) start(ctx context.Context, w window, emit func(name string, data ...any)) {
	a.popup.attach(w, emit)
	fctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		forward(fctx, a.core, a.dispatch(emit), a.log)
	}()
	go func() {
		defer wg.Done()
		forwardPolicy(fctx, a.core, a.dispatch(emit))
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		forwardCalls(fctx, a.core, emit, a.log)
	}()
	if cc, ok := a.core.(clientsCore); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.forwardClients(fctx, cc, emit)
		}()
	}
	if sc, ok := a.core.(signInsCore); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.forwardSignIns(fctx, sc, emit)
		}()
	}
	a.mu.Lock()
	a.stop = func() { cancel(); wg.Wait() }
	a.mu.Unlock()
}

// dispatch returns an emitter that also drives the popup and the tray.
func (a *App) dispatch(emit func(string, ...any)) func(string, ...any) {
	return func(name string, data ...any) {
		emit(name, data...)
		switch name {
		case EventApprovalAdded:
			a.popup.added(data[0].(broker.Event).Pending)
			a.showPending()
		case EventApprovalRemoved:
			pending := a.showPending()
			a.popup.removed(data[0].(broker.Event).Pending.ID, len(pending))
		case EventApprovalsResync:
			a.popup.sync(a.showPending())
		case EventPauseChanged:
			if t := a.trayOf(); t != nil {
				t.setPause(policy.Pause(data[0].(string)))
			}
		}
	}
}

// showPending hands the tray the waiting calls and returns them.
func (a *App) showPending() []broker.Pending {
	p := a.core.Pending()
	if t := a.trayOf(); t != nil {
		t.setPending(p)
	}
	return p
}

func (a *App) trayOf() trayView {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tray
}

// Shutdown stops the event forwarders and waits for them to return, so the
// core can be closed after wails.Run returns.
func (a *App) Shutdown(context.Context) {
	a.mu.Lock()
	stop := a.stop
	a.stop = nil
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// setPause is the tray's Pause menu; the change comes back as an event.
func (a *App) setPause(p policy.Pause) {
	if err := a.core.SetPause(context.Background(), p); err != nil {
		a.log.Error("tray: set pause", "pause", string(p), "err", err)
	}
}

// quit is the tray's Quit.
func (a *App) quit() {
	a.popup.mu.Lock()
	w := a.popup.win
	a.popup.mu.Unlock()
	if w != nil {
		w.Quit()
	}
}
