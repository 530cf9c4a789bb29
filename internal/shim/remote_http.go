package shim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// The Streamable HTTP side of remote (MCP 2025-06-18, "Transports").

// initialize sends the client's initialize: it starts a session (the
// server's Mcp-Session-Id, the negotiated protocol version) and settles
// the transport. With "auto", a 4xx other than 401/403 means a server of
// the legacy HTTP+SSE transport, as the spec's backwards-compatibility
// section says: the shim opens its event stream and sends initialize
// there. It runs before Write returns, so nothing overtakes it.
func (r *remote) initialize(line, id []byte) {
	ctx := r.track(id)
	r.mu.Lock()
	r.initID = id
	mode := r.mode
	r.session, r.protocol = "", ""
	if r.listenCancel != nil {
		r.listenCancel()
		r.listenCancel = nil
	}
	r.mu.Unlock()

	var err error
	if mode != "sse" {
		err = r.exchange(ctx, line, id, true)
		var se *statusError
		switch {
		case mode == "auto" && errors.As(err, &se) && se.code >= 400 && se.code < 500 &&
			se.code != http.StatusUnauthorized && se.code != http.StatusForbidden:
			r.log.Info("remote server does not speak Streamable HTTP; trying the legacy HTTP+SSE transport", "status", se.code)
			mode = "sse"
			if err = r.legacyPost(ctx, line); err != nil {
				err = fmt.Errorf("neither Streamable HTTP (HTTP %d) nor legacy HTTP+SSE worked: %w", se.code, err)
			}
		case err == nil || errors.Is(err, errNoAnswer):
			mode = "http"
		}
	} else {
		err = r.legacyPost(ctx, line)
	}
	r.mu.Lock()
	if mode != "auto" {
		r.mode = mode
	}
	session := r.session
	r.mu.Unlock()
	if err != nil {
		r.fail(ctx, id, err)
		return
	}
	if mode == "http" {
		r.startListening(session)
	}
}

// request sends one request and relays its answer.
func (r *remote) request(ctx context.Context, line, id []byte) {
	if err := r.exchange(ctx, line, id, false); err != nil {
		r.fail(ctx, id, err)
	}
}

// send posts a message that expects no answer of its own (a notification,
// a response to the server, or a batch, whose answers are relayed).
func (r *remote) send(ctx context.Context, line []byte) {
	if err := r.exchange(ctx, line, nil, false); err != nil && ctx.Err() == nil {
		r.log.Warn("remote server refused a message", "err", redactURLError(err))
	}
}

// exchange POSTs one message and relays what comes back: a JSON body as
// one message, an event stream event by event. For a request (id set) it
// returns errNoAnswer when the server's answer never came, after trying
// to resume a cut stream with Last-Event-ID.
func (r *remote) exchange(ctx context.Context, body, id []byte, init bool) error {
	req, err := r.newRequest(ctx, http.MethodPost, r.url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	r.mu.Lock()
	session, proto := r.session, r.protocol
	r.mu.Unlock()
	if !init {
		r.sessionHeaders(req, session, proto)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound && session != "" && !init:
		r.expire(session)
		return errSessionExpired
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return newStatusError(resp)
	}
	if init {
		if sid := resp.Header.Get("Mcp-Session-Id"); validSessionID(sid) {
			r.mu.Lock()
			r.session = sid
			r.mu.Unlock()
		} else if sid != "" {
			return errors.New("the server sent a session id with characters the spec does not allow")
		}
	}
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	answered := func() bool { return id != nil && !r.awaited(id) }
	if mediaType(resp) == "text/event-stream" {
		lastID, _, err := r.relay(resp.Body, "", answered)
		if id == nil || answered() {
			return nil
		}
		if lastID != "" && !init {
			return r.resume(ctx, id, lastID)
		}
		if err != nil {
			return fmt.Errorf("%w (%v)", errStreamCut, redactURLError(err))
		}
		return errNoAnswer
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxLine+1))
	if err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if len(b) > MaxLine {
		return ErrLineTooLong
	}
	if err := r.emit(b); err != nil {
		return err
	}
	if id != nil && !answered() {
		return errNoAnswer
	}
	return nil
}

// relay passes the messages of an event stream to the client until it
// ends or done says to stop. It returns the last event id and the retry
// delay the server asked for.
func (r *remote) relay(body io.Reader, lastID string, done func() bool) (string, time.Duration, error) {
	sr := newSSEReader(body)
	sr.lastID = lastID
	for !done() {
		ev, err := sr.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return sr.lastID, sr.retry, err
		}
		if ev.event != "" && ev.event != "message" {
			continue
		}
		if err := r.emit(ev.data); err != nil {
			return sr.lastID, sr.retry, err
		}
	}
	return sr.lastID, sr.retry, nil
}

// resumeAttempts bounds the GETs that try to resume a cut response stream.
const resumeAttempts = 3

// resume asks the server to replay a response stream cut before its
// answer (GET with Last-Event-ID), as the spec allows.
func (r *remote) resume(ctx context.Context, id []byte, lastID string) error {
	answered := func() bool { return !r.awaited(id) }
	for range resumeAttempts {
		resp, err := r.get(ctx, lastID)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || mediaType(resp) != "text/event-stream" {
			err := newStatusError(resp)
			resp.Body.Close()
			return err
		}
		lastID, _, err = r.relay(resp.Body, lastID, answered)
		resp.Body.Close()
		if answered() || ctx.Err() != nil {
			return nil
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return nil
		}
	}
	return errNoAnswer
}

// get opens the server's event stream of the current session.
func (r *remote) get(ctx context.Context, lastID string) (*http.Response, error) {
	req, err := r.newRequest(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	r.mu.Lock()
	r.sessionHeaders(req, r.session, r.protocol)
	r.mu.Unlock()
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	return r.client.Do(req)
}

func (r *remote) sessionHeaders(req *http.Request, session, proto string) {
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	if proto != "" {
		req.Header.Set("MCP-Protocol-Version", proto)
	}
}

// startListening opens the GET stream of a new session on its own
// goroutine.
func (r *remote) startListening(session string) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.mu.Lock()
	if r.listenCancel != nil {
		r.listenCancel()
	}
	r.listenCancel = cancel
	r.mu.Unlock()
	if !r.spawn(func() { r.listen(ctx, session) }) {
		cancel()
	}
}

// listen keeps the GET stream open for messages the server starts
// (requests such as sampling, notifications), reconnecting with
// Last-Event-ID when it drops, until the session ends. A server without
// such a stream answers 405 and is left alone.
func (r *remote) listen(ctx context.Context, session string) {
	const maxDelay = 10 * time.Second
	lastID := ""
	delay := 200 * time.Millisecond
	for ctx.Err() == nil {
		resp, err := r.get(ctx, lastID)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				r.log.Debug("remote event stream", "err", redactURLError(err))
			}
		case resp.StatusCode == http.StatusMethodNotAllowed:
			resp.Body.Close()
			r.log.Debug("remote server offers no event stream of its own")
			return
		case resp.StatusCode == http.StatusNotFound:
			resp.Body.Close()
			r.expire(session)
			return
		case resp.StatusCode == http.StatusOK && mediaType(resp) == "text/event-stream":
			var retry time.Duration
			lastID, retry, _ = r.relay(resp.Body, lastID, func() bool { return ctx.Err() != nil })
			resp.Body.Close()
			delay = 200 * time.Millisecond
			if retry > 0 {
				delay = retry
			}
			r.log.Debug("remote event stream dropped; reconnecting", "last_event_id", lastID != "")
		default:
			r.log.Debug("remote event stream refused", "status", resp.StatusCode)
			resp.Body.Close()
		}
		if sleepCtx(ctx, delay) != nil {
			return
		}
		delay = min(delay*2, maxDelay)
	}
}

// expire forgets a session the server no longer knows: later requests go
// without it, and the client's next initialize starts a new one.
func (r *remote) expire(session string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.session != session {
		return
	}
	r.log.Warn("the remote server ended the session")
	r.session, r.protocol = "", ""
	if r.listenCancel != nil {
		r.listenCancel()
		r.listenCancel = nil
	}
}

// validSessionID: visible ASCII only (0x21–0x7E), as the spec requires.
func validSessionID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
