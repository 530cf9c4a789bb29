package core

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
	"github.com/countersign/countersign/internal/store"
	"github.com/countersign/countersign/internal/vault"
	"github.com/countersign/countersign/internal/watch"
)

// Version is set at build time (-ldflags -X).
var Version = "dev"

// ErrAlreadyRunning is returned by Open when another core owns the socket.
var ErrAlreadyRunning = localapi.ErrAlreadyRunning

// Options configures Open.
type Options struct {
	Home   string // state directory; "" means home.Dir()
	Logger *slog.Logger
	// ShimPath is the countersign binary auto-wrap writes into client
	// configs; "" finds it from the running program (clients.ShimBinary).
	ShimPath string
}

// Core is a running core. Its methods are safe for concurrent use.
type Core struct {
	home     string
	shimPath string // for auto-wrap; "" when there is none
	socket   string
	log      *slog.Logger
	store    *store.Store
	broker   *broker.Broker
	ln       net.Listener
	started  time.Time
	calls    callFeed // recorded calls, for SubscribeCalls

	mu         sync.Mutex
	signIns    signInBoard // remote servers waiting for an OAuth sign-in (signins.go)
	timeoutsMu sync.Mutex  // serialises the read-modify-writes of policy settings (timeouts, read-only trust)
	set        *policy.Set // rules in force; replaced, never mutated
	sessions   map[string]*session
	// policySubs receive the policy after each change (SubscribePolicy).
	policySubs map[chan *policy.Set]struct{}
	clients    atomic.Pointer[clientWatch]   // the config watcher while Serve runs
	clientSubs map[chan watch.Event]struct{} // SubscribeClients; guarded by mu
}

// Open prepares a core: it takes the socket (failing with ErrAlreadyRunning
// when another core has it), opens the history and loads the rules.
// Nothing is served until Serve.
func Open(ctx context.Context, opts Options) (*Core, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	dir := opts.Home
	if dir == "" {
		d, err := home.Dir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := home.EnsurePrivate(dir); err != nil {
		return nil, fmt.Errorf("core: %w", err)
	}
	socket := home.Socket(dir)
	ln, err := localapi.Listen(socket)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(filepath.Join(dir, "countersign.db"))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("core: %w", err)
	}
	// Every row is redacted before it is written, whoever the writer is:
	// even records ingested from the spool below.
	st.SetRedactor((*vault.Redactor)(nil).Redact)
	c := &Core{
		home: dir, shimPath: opts.ShimPath, socket: socket, log: log, store: st, broker: broker.New(), ln: ln,
		started: time.Now(), sessions: map[string]*session{},
	}
	if c.shimPath == "" {
		c.shimPath = defaultShimPath()
	}
	if err := c.loadRules(ctx); err != nil {
		c.Close()
		return nil, err
	}
	c.ingestSpool(ctx)
	return c, nil
}

// Serve answers the LocalAPI until ctx ends.
func (c *Core) Serve(ctx context.Context) error {
	c.log.Info("countersign core ready", "socket", c.socket, "home", c.home)
	go c.watchClients(ctx)
	go c.retentionLoop(ctx)
	return localapi.Serve(ctx, c.ln, localapi.NewHandler(c, c.log))
}

// Close releases the socket and closes the history after flushing it.
func (c *Core) Close() error {
	c.ln.Close()
	return c.store.Close()
}

// Socket is the LocalAPI address the core listens on.
func (c *Core) Socket() string { return c.socket }

// Status reports the core's state.
func (c *Core) Status() localapi.Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return localapi.Status{
		Version: Version, PID: os.Getpid(), Socket: c.socket, Home: c.home, StartedAt: c.started,
		Pending: len(c.broker.Pending()), Sessions: len(c.sessions), Rules: len(c.set.Rules), Paused: string(c.set.Pause),
	}
}

// Pending lists the calls waiting for a person.
func (c *Core) Pending() []broker.Pending { return c.broker.Pending() }

// Decide applies a person's decision to a waiting call.
func (c *Core) Decide(id string, d broker.Decision) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("%w: %v", localapi.ErrInvalid, err)
	}
	return c.broker.Decide(id, d)
}

// Subscribe streams "added" and "removed" events for waiting calls.
func (c *Core) Subscribe() (<-chan broker.Event, func()) { return c.broker.Subscribe() }
