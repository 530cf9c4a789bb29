package localapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/policy"
)

// Client talks to the core over the LocalAPI socket. It is safe for
// concurrent use and keeps connections alive between requests.
type Client struct {
	hc *http.Client
}

// NewClient returns a client for the socket (or pipe) at addr. Nothing is
// dialled until the first request.
func NewClient(addr string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dial(addr)
		},
		MaxIdleConnsPerHost: 8,
		DisableCompression:  true,
	}
	return &Client{hc: &http.Client{Transport: tr}}
}

// Close drops idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Status asks the core for its status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.do(ctx, http.MethodGet, "/v1/status", nil, &s)
}

// Hold sends a call for decision and waits for it. Cancelling ctx withdraws
// the call.
func (c *Client) Hold(ctx context.Context, req CallRequest) (CallDecision, error) {
	var d CallDecision
	return d, c.do(ctx, http.MethodPost, "/v1/calls", req, &d)
}

// Record reports calls after the fact; it returns once they are committed.
func (c *Client) Record(ctx context.Context, recs []CallRecord) error {
	return c.do(ctx, http.MethodPost, "/v1/records", recs, nil)
}

// Pending lists the calls waiting for a person.
func (c *Client) Pending(ctx context.Context) ([]broker.Pending, error) {
	var p []broker.Pending
	return p, c.do(ctx, http.MethodGet, "/v1/pending", nil, &p)
}

// Decide applies a decision to a pending call.
func (c *Client) Decide(ctx context.Context, id string, d broker.Decision) error {
	return c.do(ctx, http.MethodPost, "/v1/pending/"+url.PathEscape(id), d, nil)
}

// Rules lists the rules in force.
func (c *Client) Rules(ctx context.Context) ([]policy.Rule, error) {
	var r []policy.Rule
	return r, c.do(ctx, http.MethodGet, "/v1/rules", nil, &r)
}

// AddRule adds a rule and returns it with its id.
func (c *Client) AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error) {
	var out policy.Rule
	return out, c.do(ctx, http.MethodPost, "/v1/rules", r, &out)
}

// RemoveRule deletes a rule.
func (c *Client) RemoveRule(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/rules/"+url.PathEscape(id), nil, nil)
}

// Stream is an open NDJSON response.
type Stream[T any] struct {
	body io.ReadCloser
	dec  *json.Decoder
}

// Next blocks for the next value; it returns io.EOF when the core ends the
// stream and ErrCoreNotRunning-wrapped errors when the connection drops.
func (s *Stream[T]) Next() (T, error) {
	var v T
	if err := s.dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return v, io.EOF
		}
		return v, fmt.Errorf("%w: stream broken: %v", ErrCoreNotRunning, err)
	}
	return v, nil
}

// Close ends the stream.
func (s *Stream[T]) Close() error { return s.body.Close() }

// OpenSession registers a shim session. The first update carries the
// session id and the policy; the session lasts until ctx ends or the stream
// is closed.
func (c *Client) OpenSession(ctx context.Context, req SessionRequest) (*Stream[SessionUpdate], error) {
	return openStream[SessionUpdate](ctx, c, http.MethodPost, "/v1/sessions", req)
}

// Events streams broker events until ctx ends.
func (c *Client) Events(ctx context.Context) (*Stream[broker.Event], error) {
	return openStream[broker.Event](ctx, c, http.MethodGet, "/v1/events", nil)
}

func openStream[T any](ctx context.Context, c *Client, method, path string, in any) (*Stream[T], error) {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return nil, err
	}
	return &Stream[T]{body: resp.Body, dec: json.NewDecoder(bufio.NewReader(resp.Body))}, nil
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("localapi: %s %s: decode: %w", method, path, err)
	}
	return nil
}

func (c *Client) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("localapi: encode: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://countersign"+path, body)
	if err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var down *coreDown
		if errors.As(err, &down) {
			return nil, down // the dial error says it all
		}
		return nil, fmt.Errorf("localapi: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var eb errorBody
		json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&eb)
		if eb.Error == "" {
			eb.Error = resp.Status
		}
		switch resp.StatusCode {
		case http.StatusNotFound:
			return nil, fmt.Errorf("%s: %w", eb.Error, ErrNotFound)
		case http.StatusBadRequest:
			return nil, fmt.Errorf("%s: %w", eb.Error, ErrInvalid)
		}
		return nil, errors.New(eb.Error)
	}
	return resp, nil
}
