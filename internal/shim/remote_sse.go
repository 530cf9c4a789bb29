package shim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/countersign/countersign/internal/oauth"
)

// The legacy HTTP+SSE side of remote (MCP 2024-11-05): a GET opens the
// server's event stream, whose first event ("endpoint") names the URL the
// client POSTs its messages to; every message from the server arrives on
// that stream. The endpoint must be on the origin of the configured URL:
// the configured headers (credentials) go nowhere else.

// endpointTimeout bounds the wait for the endpoint event.
const endpointTimeout = 30 * time.Second

// legacyPost sends one message to the legacy endpoint, opening the event
// stream first if needed. The server answers on the stream.
func (r *remote) legacyPost(ctx context.Context, line []byte) error {
	r.mu.Lock()
	ep := r.endpoint
	r.mu.Unlock()
	if ep == nil {
		if err := r.legacyConnect(); err != nil {
			return err
		}
		r.mu.Lock()
		ep = r.endpoint
		r.mu.Unlock()
	}
	req, err := r.newRequest(ctx, http.MethodPost, ep, line)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newStatusError(resp)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return nil
}

// legacyConnect opens the event stream and waits for the endpoint; the
// stream is then read on its own goroutine until it ends, which ends the
// shim as a server exit would (the legacy transport cannot resume).
func (r *remote) legacyConnect() error {
	req, err := r.newRequest(r.ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := r.client.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		err := newStatusError(resp)
		resp.Body.Close()
		return err
	}
	if mediaType(resp) != "text/event-stream" {
		resp.Body.Close()
		return fmt.Errorf("the server answered the event stream request with %q, not text/event-stream", mediaType(resp))
	}
	timer := time.AfterFunc(endpointTimeout, func() { resp.Body.Close() })
	sr := newSSEReader(resp.Body)
	var ev sseEvent
	for {
		ev, err = sr.next()
		if err != nil {
			timer.Stop()
			resp.Body.Close()
			if errors.Is(err, io.EOF) {
				return errNoEndpoint
			}
			return fmt.Errorf("waiting for the message endpoint: %w", err)
		}
		if ev.event == "endpoint" {
			break
		}
	}
	timer.Stop()
	ep, err := r.url.Parse(strings.TrimSpace(string(ev.data)))
	if err != nil {
		resp.Body.Close()
		return fmt.Errorf("the server named an unreadable message endpoint: %w", err)
	}
	if oauth.OriginOf(ep) != oauth.OriginOf(r.url) {
		resp.Body.Close()
		return fmt.Errorf("the server named a message endpoint on another origin (%s); Countersign sends messages and credentials only to %s", oauth.OriginOf(ep), oauth.OriginOf(r.url))
	}
	r.mu.Lock()
	r.endpoint = ep
	r.mu.Unlock()
	if !r.spawn(func() { r.legacyRead(sr, resp.Body) }) {
		resp.Body.Close()
		return errRemoteClosed
	}
	return nil
}

// legacyRead relays the event stream until it ends.
func (r *remote) legacyRead(sr *sseReader, body io.ReadCloser) {
	defer body.Close()
	for {
		ev, err := sr.next()
		if err != nil {
			break
		}
		if ev.event != "" && ev.event != "message" {
			continue
		}
		if r.emit(ev.data) != nil {
			break
		}
	}
	if r.ctx.Err() != nil {
		return
	}
	r.log.Warn("the remote server closed its event stream")
	r.mu.Lock()
	var ids []string
	for id := range r.pending {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	for _, id := range ids {
		if r.untrack([]byte(id)) {
			r.outW.Write(rpcError([]byte(id), -32603, fmt.Sprintf("Countersign: the remote MCP server %s closed its event stream before answering this request", r.name)))
		}
	}
	r.end(1)
}
