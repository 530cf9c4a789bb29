package shim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/toolguard"
)

// DefaultTimeout is how long a call waits for a person: just under the
// common 60 s client request timeout, so the model sees a denial rather
// than a transport error.
const DefaultTimeout = 55 * time.Second

// Config describes one shim.
type Config struct {
	Name    string        // server name as the user knows it
	Client  string        // client id (from --client); the initialize clientInfo fills it when empty
	Timeout time.Duration // how long a call waits for a person; 0: the Settings value, else DefaultTimeout
	Command []string      // the server command line (empty with URL)
	Env     []string      // the server's full environment (KEY=VALUE)

	// URL, when set, names a remote server reached over HTTP instead of
	// a command (see remote.go).
	URL       string
	Headers   http.Header // sent with every request to URL's origin only (credentials)
	Transport string      // "auto" (default), "http" (Streamable HTTP) or "sse" (legacy HTTP+SSE)
	AllowHTTP bool        // allow http:// to a host that is not loopback
	Home      string      // state directory (for the spool)
	Socket    string      // LocalAPI address

	// Auth gives OAuth access tokens for URL's origin (nil: none; see remote_auth.go).
	Auth BearerSource

	// Redact masks secrets in excerpts before they leave the shim. Nil
	// leaves excerpts as they are.
	Redact func([]byte) []byte
	// SecretIn names the secret a call's arguments carry ("" when none).
	SecretIn func(args []byte) string

	Stdin  io.Reader
	Stdout io.Writer
	Log    *slog.Logger

	// signInNeeded tells the core the remote server needs an OAuth
	// sign-in (set by Run).
	signInNeeded func()
}

// Run launches the server and relays messages until either side ends. It
// returns the server's exit code.
func Run(ctx context.Context, cfg Config) (int, error) {
	if cfg.Redact == nil {
		cfg.Redact = func(b []byte) []byte { return b }
	}
	if cfg.SecretIn == nil {
		cfg.SecretIn = func([]byte) string { return "" }
	}
	ignoreSIGPIPE()

	api := localapi.NewClient(cfg.Socket)
	defer api.Close()
	cfg.signInNeeded = signInReporter(api, cfg)
	c, err := startUpstream(cfg)
	if err != nil {
		return 1, err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := newShim(ctx, cfg, api, c)

	var wg sync.WaitGroup
	wg.Go(func() { s.link.run(ctx) })
	recDone := make(chan struct{})
	go func() { s.rec.run(); close(recDone) }()

	serverDone := make(chan struct{})
	go func() {
		s.fromServer(c.output())
		close(serverDone)
	}()
	clientDone := make(chan struct{})
	go func() {
		s.fromClient(cfg.Stdin)
		close(clientDone)
	}()

	select {
	case <-clientDone:
		// The client is gone: withdraw what waits, then let the server go.
		s.withdrawAll()
		c.stop(5 * time.Second)
		<-serverDone
	case <-serverDone:
		// The server is gone; the client sees its stdout end when we exit.
		s.withdrawAll()
		c.stop(time.Second)
	}
	s.endInflight("server_exited")
	s.waitHolds()
	cancel()
	wg.Wait()
	s.rec.close()
	<-recDone
	code := c.exitCode()
	if code != 0 {
		cfg.Log.Info("server exited", "code", code)
	}
	return code, nil
}

// newShim builds the state of a shim whose server is reached through
// toServer. Nothing runs until Run starts the readers, the core link and the
// recorder.
func newShim(ctx context.Context, cfg Config, api *localapi.Client, toServer io.Writer) *shim {
	s := &shim{
		cfg:      cfg,
		ctx:      ctx,
		api:      api,
		toClient: &lockedWriter{w: cfg.Stdout},
		toServer: &lockedWriter{w: toServer},
		held:     map[string]context.CancelFunc{},
		inflight: map[string]*inflight{},
		lists:    map[string]listReq{},
		grants:   map[string]bool{},
		tools:    map[string]toolInfo{},
		client:   cfg.Client,

		quarantine: map[toolguard.ItemKind]map[string]bool{},
		guardFlags: map[string][]string{},
		unreviewed: map[toolguard.ItemKind]unreviewedList{},
	}
	s.link = newCoreLink(api, localapi.SessionRequest{
		Server: cfg.Name, Client: cfg.Client, Command: cfg.Command, URL: cfg.URL, PID: os.Getpid(),
	}, cfg.Log)
	s.link.onTools = s.toolsUpdate
	s.link.onPolicy = s.policyChanged
	s.link.onSession = s.reviewUnreviewed
	s.rec = newRecorder(api, filepath.Join(cfg.Home, "spool"), cfg.Log)
	return s
}

// shim is the state of one running shim.
type shim struct {
	cfg      Config
	ctx      context.Context
	api      *localapi.Client
	link     *coreLink
	rec      *recorder
	toClient *lockedWriter
	toServer *lockedWriter

	mu       sync.Mutex
	held     map[string]context.CancelFunc // client request id → withdraw
	inflight map[string]*inflight          // forwarded tools/call awaiting its response
	lists    map[string]listReq            // list requests awaiting their response
	grants   map[string]bool               // tools approved for this session
	tools    map[string]toolInfo           // from the last tools/list
	client   string
	tracked  atomic.Int32 // len(inflight)+len(lists): zero means responses need no look
	holds    sync.WaitGroup

	quarantine map[toolguard.ItemKind]map[string]bool // what the core holds, by kind
	guardFlags map[string][]string                    // tool → the core's risk flags (findings, collisions)
	unreviewed map[toolguard.ItemKind]unreviewedList  // list results forwarded while the core was down
}

// lockedWriter writes whole messages from several goroutines.
type lockedWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (lw *lockedWriter) write(b []byte) error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.err != nil {
		return lw.err
	}
	_, lw.err = lw.w.Write(b)
	return lw.err
}

// fromClient reads the client's messages until its stdin ends.
func (s *shim) fromClient(r io.Reader) {
	lr := newLineReader(r)
	for {
		line, err := lr.next()
		if errors.Is(err, ErrLineTooLong) {
			s.cfg.Log.Error("dropped a message from the client", "err", err)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.cfg.Log.Error("reading from the client", "err", err)
			}
			return
		}
		if err := s.clientMessage(line); err != nil {
			s.cfg.Log.Error("the server's stdin is closed", "err", err)
			return
		}
	}
}

// fromServer reads the server's messages until its stdout ends.
func (s *shim) fromServer(r io.Reader) {
	lr := newLineReader(r)
	for {
		line, err := lr.next()
		if errors.Is(err, ErrLineTooLong) {
			s.cfg.Log.Error("dropped a message from the server", "err", err)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.cfg.Log.Error("reading from the server", "err", err)
			}
			return
		}
		out := line
		if s.tracked.Load() > 0 {
			switch m := classify(line); {
			case m.kind == kindResponse && !m.ambiguous:
				out = s.serverResponse(m, line)
			case m.kind == kindBatch:
				out = s.serverBatch(line)
			}
		}
		if out == nil {
			continue
		}
		if err := s.toClient.write(out); err != nil {
			// The client is gone. Keep draining so the server never blocks.
			continue
		}
	}
}

// clientMessage routes one message from the client.
func (s *shim) clientMessage(line []byte) error {
	m := classify(line)
	switch m.kind {
	case kindEmpty, kindResponse:
		return s.toServer.write(line)
	case kindInvalid:
		s.cfg.Log.Warn("blocked a message from the client that is not valid JSON-RPC")
		return s.toClient.write(rpcError(nil, -32700, "Parse error: Countersign could not read this message, so it was not forwarded"))
	case kindBatch:
		return s.batch(line)
	}
	if m.ambiguous {
		s.cfg.Log.Warn("blocked an ambiguous message from the client (duplicate or malformed members)", "method", m.method)
		if m.kind == kindRequest && !isNull(m.id) {
			return s.toClient.write(rpcError(m.id, -32600, "Invalid Request: Countersign could not read this message unambiguously, so it was not forwarded"))
		}
		return nil
	}
	switch m.method {
	case "tools/call":
		if m.kind == kindNotification {
			// A tools/call without an id would run without an answer: refuse it.
			s.cfg.Log.Warn("blocked a tools/call sent as a notification")
			return nil
		}
		return s.call(line, m)
	case "tools/list", "prompts/list", "resources/templates/list":
		if m.kind == kindRequest {
			s.trackList(m, listMethods[m.method])
		}
	case "prompts/get":
		if m.kind == kindRequest {
			if done, err := s.heldPrompt(m); done {
				return err
			}
		}
	case "initialize":
		s.noteClient(m.params)
	case "notifications/cancelled":
		if s.withdraw(cancelledRequestID(m.params)) {
			return nil // the server never saw the request
		}
	}
	return s.toServer.write(line)
}

// withdraw cancels a held call; it reports whether there was one.
func (s *shim) withdraw(id []byte) bool {
	s.mu.Lock()
	cancel, ok := s.held[string(id)]
	s.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}

func (s *shim) withdrawAll() {
	s.mu.Lock()
	for _, cancel := range s.held {
		cancel()
	}
	s.mu.Unlock()
}

func (s *shim) waitHolds() { s.holds.Wait() }

// noteClient learns the client's name from initialize when --client was not
// given.
func (s *shim) noteClient(params []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != "" {
		return
	}
	eachMember(params, skipSpace(params, 0), func(k string, v []byte) error {
		if k == "clientInfo" {
			eachMember(v, 0, func(k string, v []byte) error {
				if name, ok := stringValue(v); ok && k == "name" {
					s.client = name
				}
				return nil
			})
		}
		return nil
	})
}

func (s *shim) clientName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client
}

// rpcError builds a JSON-RPC error response line.
func rpcError(id []byte, code int, msg string) []byte {
	if id == nil {
		id = []byte("null")
	}
	return fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":%s}}`+"\n", id, code, jsonString(msg))
}
