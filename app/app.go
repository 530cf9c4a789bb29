package app

import (
	"context"
	"log/slog"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/policy"
)

// Core is what the window needs from the Countersign core; *core.Core
// implements it.
type Core interface {
	Pending() []broker.Pending
	Decide(id string, d broker.Decision) error
	Subscribe() (events <-chan broker.Event, cancel func())
	Rules(ctx context.Context) ([]policy.Rule, error)
	AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error)
	RemoveRule(ctx context.Context, id string) error
}

// App wires the bound services to the window's lifecycle. Pass Startup and
// Shutdown to wails.Run as OnStartup and OnShutdown, and Bindings as Bind.
type App struct {
	log       *slog.Logger
	approvals *Approvals
	rules     *Rules

	mu   sync.Mutex
	stop func() // stops the event forwarder and waits for it; nil when not running
}

// New returns the app for core c. During the binding-generation run of
// `wails build` (see GeneratingBindings) c may be nil: no method is called then.
func New(c Core, log *slog.Logger) *App {
	e := &emitter{}
	return &App{
		log:       log,
		approvals: &Approvals{core: c},
		rules:     &Rules{core: c, emit: e},
	}
}

// Bindings are the services the frontend calls, as window.go.app.<Type>.<Method>.
func (a *App) Bindings() []any {
	return []any{a.approvals, a.rules}
}

// Startup starts forwarding core events to the window. ctx is the Wails
// context: it carries the window and ends when the app quits.
func (a *App) Startup(ctx context.Context) {
	a.start(ctx, func(name string, data ...any) { runtime.EventsEmit(ctx, name, data...) })
}

// start is Startup with the emitter given, so tests can record events.
func (a *App) start(ctx context.Context, emit func(name string, data ...any)) {
	a.rules.emit.set(emit)
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		forward(fctx, a.approvals.core, emit, a.log)
	}()
	a.mu.Lock()
	a.stop = func() { cancel(); <-done }
	a.mu.Unlock()
}

// Shutdown stops the event forwarder and waits for it to return, so the core
// can be closed after wails.Run returns.
func (a *App) Shutdown(context.Context) {
	a.mu.Lock()
	stop := a.stop
	a.stop = nil
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// emitter holds the Wails event emitter once the window has started; events
// emitted before that are dropped (the frontend reads the state when it loads).
type emitter struct {
	mu sync.Mutex
	fn func(name string, data ...any)
}

func (e *emitter) set(fn func(string, ...any)) {
	e.mu.Lock()
	e.fn = fn
	e.mu.Unlock()
}

func (e *emitter) emit(name string, data ...any) {
	e.mu.Lock()
	fn := e.fn
	e.mu.Unlock()
	if fn != nil {
		fn(name, data...)
	}
}
