package shim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign/internal/oauth"
)

// A remote server is reached over HTTP, as the MCP transport spec of
// 2025-06-18 describes ("Streamable HTTP"), or over the legacy HTTP+SSE
// transport of 2024-11-05 (remote_sse.go). Each client message is POSTed
// with its original bytes; each message the server sends (a JSON body, or
// the data of an event on a stream) reaches the client as one line with
// its bytes kept (line breaks inside a pretty-printed body become spaces).
//
// Credentials (every configured header) go only to the origin of the
// configured URL: a redirect elsewhere is followed without them, and
// plain http:// is refused unless the host is loopback or AllowHTTP is set.
//
// remote owns its goroutines: one per request in flight (its POST and the
// response stream), one for the server's GET stream; stop cancels and
// waits for all of them before it closes output.

// remoteGrace bounds the DELETE that ends a session on stop.
const remoteGrace = 2 * time.Second

// remote is an upstream MCP server over HTTP.
type remote struct {
	name      string
	url       *url.URL
	headers   http.Header
	client    *http.Client
	log       *slog.Logger
	allowHTTP bool
	// signInNeeded reports a needed OAuth sign-in to the core (nil: none).
	signInNeeded func()

	ctx    context.Context // cancelled by stop: ends every request
	cancel context.CancelFunc
	outR   *io.PipeReader
	outW   *io.PipeWriter
	wg     sync.WaitGroup

	mu           sync.Mutex
	mode         string                        // "auto" until initialize settles it, then "http" or "sse"
	session      string                        // Mcp-Session-Id ("" without one)
	protocol     string                        // negotiated protocol version, sent after initialize
	initID       []byte                        // id of the initialize request awaiting its response
	pending      map[string]context.CancelFunc // request id → cancel its exchange
	listenCancel context.CancelFunc            // ends the GET stream of the current session
	endpoint     *url.URL                      // legacy: where messages are POSTed
	code         int
	ended        bool
	stopping     bool // no new goroutine may start
	stopOnce     sync.Once
}

var errRemoteClosed = errors.New("the remote server connection is closed")

// startRemote checks the URL and prepares the connection; nothing is sent
// before the client's first message.
func startRemote(cfg Config) (*remote, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("remote: bad --url: %w", err)
	}
	mode := cfg.Transport
	switch mode {
	case "":
		mode = "auto"
	case "auto", "http", "sse":
	default:
		return nil, fmt.Errorf("remote: unknown transport %q (want auto, http or sse)", mode)
	}
	r := &remote{
		name: cfg.Name, url: u, headers: cfg.Headers.Clone(), log: cfg.Log, signInNeeded: cfg.signInNeeded,
		allowHTTP: cfg.AllowHTTP, mode: mode, pending: map[string]context.CancelFunc{},
	}
	if r.headers == nil {
		r.headers = http.Header{}
	}
	if err := r.checkURL(u); err != nil {
		return nil, err
	}
	if u.User != nil {
		return nil, errors.New("remote: credentials in the --url are not accepted; put them in a --header with a secret: reference")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = 64
	var rt http.RoundTripper = tr
	if cfg.Auth != nil && r.headers.Get("Authorization") == "" {
		rt = &bearerTransport{base: tr, src: cfg.Auth, origin: oauth.OriginOf(u)}
	}
	r.client = &http.Client{Transport: rt, CheckRedirect: r.checkRedirect}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.outR, r.outW = io.Pipe()
	r.watchSignals()
	return r, nil
}

// checkURL refuses anything but https, and http to loopback (or with
// AllowHTTP).
func (r *remote) checkURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
	case "http":
		if !r.allowHTTP && !oauth.IsLoopbackHost(u.Hostname()) {
			return fmt.Errorf("remote: refusing http://%s: credentials and messages would cross the network in clear text; use https, or pass --allow-http if you accept that", u.Host)
		}
	default:
		return fmt.Errorf("remote: unsupported URL scheme %q (want https, or http for loopback)", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("remote: the URL has no host")
	}
	return nil
}

// checkRedirect follows a redirect within the origin as is; to another
// origin it strips every configured header, cookies, the session id and
// the Referer first (net/http copies headers from the first request to
// each hop), and it never downgrades to http:// the user did not allow.
func (r *remote) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if err := r.checkURL(req.URL); err != nil {
		return err
	}
	req.Header.Del("Referer")
	if oauth.OriginOf(req.URL) != oauth.OriginOf(r.url) {
		for k := range r.headers {
			req.Header.Del(k)
		}
		for _, k := range []string{"Authorization", "Proxy-Authorization", "Cookie", "Mcp-Session-Id"} {
			req.Header.Del(k)
		}
		r.log.Warn("remote server redirected to another origin; credentials were not sent there", "to", oauth.OriginOf(req.URL))
	}
	return nil
}

// watchSignals ends the remote session when the client signals the shim,
// as a child would be signalled.
func (r *remote) watchSignals() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, forwardedSignals...)
	go func() {
		defer signal.Stop(sigs)
		select {
		case s := <-sigs:
			code := 1
			if n, ok := s.(syscall.Signal); ok {
				code = 128 + int(n)
			}
			r.end(code)
		case <-r.ctx.Done():
		}
	}()
}

func (r *remote) output() io.Reader { return r.outR }

func (r *remote) exitCode() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.code
}

// end closes output: the shim sees the server gone. It keeps the first
// code.
func (r *remote) end(code int) {
	r.mu.Lock()
	if !r.ended {
		r.ended, r.code = true, code
	}
	r.mu.Unlock()
	r.outW.Close()
}

// stop cancels every request, waits for their goroutines, ends the
// session with DELETE (Streamable HTTP) and closes output.
func (r *remote) stop(grace time.Duration) {
	r.stopOnce.Do(func() {
		r.mu.Lock()
		r.stopping = true
		r.mu.Unlock()
		r.cancel()
		r.wg.Wait()
		r.mu.Lock()
		session, mode := r.session, r.mode
		r.mu.Unlock()
		if session != "" && mode == "http" {
			ctx, cancel := context.WithTimeout(context.Background(), min(grace, remoteGrace))
			r.deleteSession(ctx, session)
			cancel()
		}
		r.client.CloseIdleConnections()
		r.end(0)
	})
}

func (r *remote) deleteSession(ctx context.Context, session string) {
	req, err := r.newRequest(ctx, http.MethodDelete, r.url, nil)
	if err != nil {
		return
	}
	req.Header.Set("Mcp-Session-Id", session)
	resp, err := r.client.Do(req)
	if err != nil {
		r.log.Debug("ending the remote session", "err", redactURLError(err))
		return
	}
	resp.Body.Close()
}

// Write sends one client message. A request goes out on its own goroutine
// (its answer may take long); initialize, notifications and responses are
// sent before Write returns, which keeps them in order with what follows.
func (r *remote) Write(p []byte) (int, error) {
	if r.ctx.Err() != nil {
		return 0, errRemoteClosed
	}
	line := bytes.Clone(p)
	m := classify(line)
	r.mu.Lock()
	legacy := r.mode == "sse" && r.endpoint != nil
	r.mu.Unlock()
	switch {
	case m.kind == kindRequest && m.method == "initialize" && !m.ambiguous:
		r.initialize(line, m.id)
	case legacy:
		// Legacy servers answer each POST at once (202) and send the
		// response on the event stream: posting in order is cheap.
		var ctx context.Context
		if m.kind == kindRequest && !m.ambiguous {
			ctx = r.track(m.id)
		}
		if err := r.legacyPost(r.ctx, line); err != nil {
			if ctx != nil {
				r.fail(ctx, m.id, err)
			} else {
				r.log.Warn("remote server refused a message", "err", err)
			}
		}
	case m.kind == kindRequest && !m.ambiguous:
		ctx := r.track(m.id)
		if !r.spawn(func() { r.request(ctx, line, m.id) }) {
			return 0, errRemoteClosed
		}
	case m.kind == kindBatch:
		if !r.spawn(func() { r.send(r.ctx, line) }) {
			return 0, errRemoteClosed
		}
	default:
		ctx, cancel := context.WithTimeout(r.ctx, notifyTimeout)
		r.send(ctx, line)
		cancel()
	}
	if m.kind == kindNotification && m.method == "notifications/cancelled" {
		r.cancelRequest(cancelledRequestID(m.params))
	}
	return len(p), nil
}

// notifyTimeout bounds the POST of a notification or response, which the
// server should answer with 202 at once.
const notifyTimeout = 30 * time.Second

// spawn runs fn on a goroutine stop waits for; it reports false once stop
// has begun.
func (r *remote) spawn(fn func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return false
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		fn()
	}()
	return true
}

// track registers a request as awaiting its response.
func (r *remote) track(id []byte) context.Context {
	ctx, cancel := context.WithCancel(r.ctx)
	r.mu.Lock()
	if old, ok := r.pending[string(id)]; ok {
		old()
	}
	r.pending[string(id)] = cancel
	r.mu.Unlock()
	return ctx
}

// untrack forgets a request; it reports whether it was still awaited.
func (r *remote) untrack(id []byte) bool {
	r.mu.Lock()
	cancel, ok := r.pending[string(id)]
	delete(r.pending, string(id))
	r.mu.Unlock()
	if ok {
		cancel()
	}
	return ok
}

func (r *remote) awaited(id []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.pending[string(id)]
	return ok
}

// cancelRequest stops waiting for a request the client cancelled; the
// server heard of it through the notification, the client wants no answer.
func (r *remote) cancelRequest(id []byte) {
	if id != nil {
		r.untrack(id)
	}
}

// emit hands one server message to the shim; a response ends the wait for
// its request.
func (r *remote) emit(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	line := oneLine(b)
	if m := classify(line); m.kind == kindResponse {
		r.mu.Lock()
		if r.initID != nil && bytes.Equal(m.id, r.initID) {
			r.protocol = protocolVersion(m.result)
			r.initID = nil
		}
		r.mu.Unlock()
		r.untrack(m.id)
	}
	_, err := r.outW.Write(line)
	return err
}

// fail answers a request the server will not answer, unless it was
// answered or cancelled meanwhile.
func (r *remote) fail(ctx context.Context, id []byte, err error) {
	if ctx.Err() != nil && r.ctx.Err() == nil && !r.awaited(id) {
		return // the client cancelled it
	}
	if r.ctx.Err() != nil {
		return // shutting down: the client is gone
	}
	if !r.untrack(id) {
		return
	}
	r.log.Warn("remote request failed", "err", redactURLError(err))
	if errors.Is(err, oauth.ErrLoginRequired) && r.signInNeeded != nil {
		r.signInNeeded()
	}
	r.outW.Write(rpcError(id, -32603, "Countersign: "+r.describe(err)))
}

// describe words an error for the model and the user, without the URL's
// query (it may hold a token).
func (r *remote) describe(err error) string {
	var se *statusError
	switch {
	case r.describeAuth(err) != "":
		return r.describeAuth(err)
	case errors.As(err, &se):
		msg := fmt.Sprintf("the remote MCP server %s answered HTTP %d %s", r.name, se.code, http.StatusText(se.code))
		if se.body != "" {
			msg += ": " + se.body
		}
		return msg
	case errors.Is(err, errSessionExpired):
		return fmt.Sprintf("the remote MCP server %s ended the session (HTTP 404 for its session id); reconnect to this server in your client to start a new session", r.name)
	case errors.Is(err, errStreamCut):
		return fmt.Sprintf("the connection to the remote MCP server %s %v", r.name, err)
	case errors.Is(err, errNoAnswer):
		return fmt.Sprintf("the remote MCP server %s closed the response stream without answering this request", r.name)
	}
	return fmt.Sprintf("cannot reach the remote MCP server %s (%s): %v", r.name, oauth.OriginOf(r.url), redactURLError(err))
}

// redactURLError drops the URL net/http puts in its errors.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

var (
	errSessionExpired = errors.New("session expired")
	errNoAnswer       = errors.New("no answer")
	errStreamCut      = errors.New("broke before it answered this request")
)

// statusError is an HTTP status the server answered a message with.
type statusError struct {
	code int
	body string // a short, printable excerpt
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

func newStatusError(resp *http.Response) *statusError {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return &statusError{code: resp.StatusCode, body: strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f {
			return ' '
		}
		return c
	}, s)}
}

// protocolVersion reads result.protocolVersion of an initialize response.
func protocolVersion(result []byte) string {
	var v string
	eachMember(result, skipSpace(result, 0), func(k string, val []byte) error {
		if s, ok := stringValue(val); ok && k == "protocolVersion" {
			v = s
		}
		return nil
	})
	return v
}

// newRequest builds a request to u with the configured headers (only ever
// to u, which is the configured origin or the same-origin legacy endpoint).
func (r *remote) newRequest(ctx context.Context, method string, u *url.URL, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, v := range r.headers {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

func mediaType(resp *http.Response) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return strings.ToLower(mt)
}
