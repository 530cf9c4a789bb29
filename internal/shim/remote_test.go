package shim

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the remote upstream against real HTTP servers on
// loopback (httptest), checking the bytes and headers that cross the wire.

// seen is one request a test server received.
type seen struct {
	method, path string
	header       http.Header
	body         string
}

// recServer records every request, then lets the test's handler answer.
type recServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body string)) *recServer {
	t.Helper()
	s := &recServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{r.Method, r.URL.RequestURI(), r.Header.Clone(), string(b)})
		s.mu.Unlock()
		h(w, r, string(b))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *recServer) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// startTestRemote starts a remote upstream and collects its output lines.
func startTestRemote(t *testing.T, cfg Config) (*remote, <-chan string) {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "r"
	}
	cfg.Log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, err := startRemote(cfg)
	if err != nil {
		t.Fatalf("startRemote: %v", err)
	}
	lines := make(chan string, 100)
	go func() {
		br := bufio.NewReader(r.output())
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- l
		}
	}()
	t.Cleanup(func() { r.stop(time.Second) })
	return r, lines
}

func send(t *testing.T, r *remote, line string) {
	t.Helper()
	if _, err := r.Write([]byte(line + "\n")); err != nil {
		t.Fatalf("Write %s: %v", line, err)
	}
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("output ended")
		}
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no line from the remote within 10s (a hang)")
	}
	return ""
}

func noLine(t *testing.T, lines <-chan string, d time.Duration) {
	t.Helper()
	select {
	case l := <-lines:
		t.Fatalf("unexpected line %q", l)
	case <-time.After(d):
	}
}

func sse(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, e := range events {
		io.WriteString(w, e)
	}
	w.(http.Flusher).Flush()
}

const initReq = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// A Streamable HTTP session: JSON and event-stream answers reach the
// client byte for byte (one line each), the session id and protocol
// version go on every later request, notifications get 202, credentials
// are sent, and stop ends the session with DELETE.
func TestRemoteStreamableSession(t *testing.T) {
	initResp := "{\"jsonrpc\":\"2.0\",\"id\":0,\n  \"result\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"},\"x\":\"\\u00e9 é\"}}\n"
	srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		switch {
		case r.Method == http.MethodPost && strings.Contains(body, `"initialize"`):
			w.Header().Set("Mcp-Session-Id", "sess-1")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, initResp)
		case r.Method == http.MethodPost && strings.Contains(body, `"tools/list"`):
			sse(w, ": keep-alive\n\n",
				"event: message\nid: 7\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":1,\"progress\":1}}\n\n",
				"data: {\"jsonrpc\":\"2.0\",\"id\":1,\r\ndata: \"result\":{\"tools\":[]}}\r\n\r\n")
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusAccepted)
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusOK)
		}
	})
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer tok-123")
	r, lines := startTestRemote(t, Config{URL: srv.URL + "/mcp", Headers: hdr, Transport: "http"})

	send(t, r, initReq)
	if got, want := nextLine(t, lines), "{\"jsonrpc\":\"2.0\",\"id\":0,   \"result\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"s\",\"version\":\"1\"},\"x\":\"\\u00e9 é\"}}\n"; got != want {
		t.Errorf("initialize answer\n got %q\nwant %q", got, want)
	}
	send(t, r, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(t, r, `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"progressToken":1}}}`)
	if got, want := nextLine(t, lines), `{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}`+"\n"; got != want {
		t.Errorf("progress\n got %q\nwant %q", got, want)
	}
	if got, want := nextLine(t, lines), `{"jsonrpc":"2.0","id":1, "result":{"tools":[]}}`+"\n"; got != want {
		t.Errorf("tools/list answer\n got %q\nwant %q", got, want)
	}
	r.stop(time.Second)

	reqs := srv.requests()
	var posts []seen
	deleted := false
	for _, q := range reqs {
		if q.header.Get("Authorization") != "Bearer tok-123" {
			t.Errorf("%s %s without the configured Authorization header", q.method, q.path)
		}
		switch q.method {
		case http.MethodPost:
			posts = append(posts, q)
		case http.MethodDelete:
			deleted = q.header.Get("Mcp-Session-Id") == "sess-1"
		}
	}
	if len(posts) != 3 {
		t.Fatalf("got %d POSTs, want 3: %+v", len(posts), posts)
	}
	if posts[0].body != initReq+"\n" {
		t.Errorf("initialize body changed: %q", posts[0].body)
	}
	for i, p := range posts {
		if ct, acc := p.header.Get("Content-Type"), p.header.Get("Accept"); ct != "application/json" || acc != "application/json, text/event-stream" {
			t.Errorf("POST %d: Content-Type %q Accept %q", i, ct, acc)
		}
		sid, pv := p.header.Get("Mcp-Session-Id"), p.header.Get("Mcp-Protocol-Version")
		if i == 0 && (sid != "" || pv != "") {
			t.Errorf("initialize carried session %q / version %q", sid, pv)
		}
		if i > 0 && (sid != "sess-1" || pv != "2025-06-18") {
			t.Errorf("POST %d: session %q version %q, want sess-1 and 2025-06-18", i, sid, pv)
		}
	}
	if !deleted {
		t.Errorf("no DELETE with the session id on stop: %+v", reqs)
	}
}

// The GET stream carries server-initiated messages; when it drops it is
// reopened with Last-Event-ID and the server resumes after that event.
func TestRemoteGetStreamResumes(t *testing.T) {
	var mu sync.Mutex
	gets := 0
	var lastIDs []string
	srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		switch r.Method {
		case http.MethodPost:
			if strings.Contains(body, `"initialize"`) {
				w.Header().Set("Mcp-Session-Id", "s")
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}`)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		case http.MethodGet:
			mu.Lock()
			gets++
			n := gets
			lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
			mu.Unlock()
			if n == 1 {
				// One event, then the stream drops.
				sse(w, "id: ev-1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"n\":1}}\n\n")
				return
			}
			if r.Header.Get("Last-Event-ID") != "ev-1" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			sse(w, "id: ev-2\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"method\":\"sampling/createMessage\",\"params\":{}}\n\n")
			<-r.Context().Done()
		}
	})
	r, lines := startTestRemote(t, Config{URL: srv.URL, Transport: "http"})
	send(t, r, initReq)
	nextLine(t, lines)
	if got := nextLine(t, lines); !strings.Contains(got, `"n":1`) {
		t.Fatalf("first stream event: %q", got)
	}
	if got := nextLine(t, lines); got != `{"jsonrpc":"2.0","id":"srv-1","method":"sampling/createMessage","params":{}}`+"\n" {
		t.Fatalf("resumed stream event: %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) < 2 || lastIDs[0] != "" || lastIDs[1] != "ev-1" {
		t.Errorf("Last-Event-ID per GET = %q, want \"\" then ev-1", lastIDs)
	}
}

// A request the server cannot answer gets a JSON-RPC error for its id,
// never a hang; a request the client cancels aborts its POST.
func TestRemoteFailures(t *testing.T) {
	cancelled := make(chan struct{})
	srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		switch {
		case strings.Contains(body, `"initialize"`):
			w.Header().Set("Mcp-Session-Id", "s")
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}`)
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusMethodNotAllowed)
		case strings.Contains(body, `"boom"`):
			http.Error(w, "database on fire", http.StatusInternalServerError)
		case strings.Contains(body, `"cut"`):
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case strings.Contains(body, `"cut-stream"`):
			sse(w, ": hello\n\n")
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case strings.Contains(body, `"slow"`):
			select {
			case <-r.Context().Done():
				close(cancelled)
			case <-time.After(30 * time.Second):
			}
		case strings.Contains(body, `"gone"`):
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	})
	r, lines := startTestRemote(t, Config{URL: srv.URL, Transport: "http"})
	send(t, r, initReq)
	nextLine(t, lines)

	for _, tc := range []struct{ method, want string }{
		{"boom", "answered HTTP 500 Internal Server Error: database on fire"},
		{"cut", "cannot reach the remote MCP server r"},
		{"cut-stream", "broke before it answered this request"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			send(t, r, `{"jsonrpc":"2.0","id":"`+tc.method+`","method":"`+tc.method+`"}`)
			got := nextLine(t, lines)
			if !strings.Contains(got, `"id":"`+tc.method+`","error":{"code":-32603`) || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want an error for id %s containing %q", got, tc.method, tc.want)
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		send(t, r, `{"jsonrpc":"2.0","id":9,"method":"slow"}`)
		time.Sleep(100 * time.Millisecond)
		send(t, r, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}}`)
		select {
		case <-cancelled:
		case <-time.After(5 * time.Second):
			t.Fatal("the server never saw the POST of a cancelled request end")
		}
		noLine(t, lines, 300*time.Millisecond)
	})
	t.Run("session expired", func(t *testing.T) {
		send(t, r, `{"jsonrpc":"2.0","id":10,"method":"gone"}`)
		got := nextLine(t, lines)
		if !strings.Contains(got, `"id":10,"error"`) || !strings.Contains(got, "ended the session") {
			t.Errorf("got %q", got)
		}
		send(t, r, `{"jsonrpc":"2.0","id":11,"method":"boom"}`)
		nextLine(t, lines)
		reqs := srv.requests()
		if sid := reqs[len(reqs)-1].header.Get("Mcp-Session-Id"); sid != "" {
			t.Errorf("request after expiry still carried session %q", sid)
		}
	})
}

// A redirect to another origin (another port on loopback) is followed
// without the credentials; a redirect within the origin keeps them.
func TestRemoteRedirectDropsCredentials(t *testing.T) {
	other := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18"}}`)
	})
	first := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		switch r.URL.Path {
		case "/mcp":
			http.Redirect(w, r, "/moved", http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, r, other.URL+"/mcp", http.StatusPermanentRedirect)
		}
	})
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer secret-token")
	hdr.Set("X-Api-Key", "k-456")
	r, lines := startTestRemote(t, Config{URL: first.URL + "/mcp", Headers: hdr, Transport: "http"})
	send(t, r, initReq)
	if got := nextLine(t, lines); !strings.Contains(got, `"result"`) {
		t.Fatalf("initialize through the redirect: %q", got)
	}
	for _, q := range first.requests() {
		if q.header.Get("Authorization") == "" || q.header.Get("X-Api-Key") == "" {
			t.Errorf("same-origin %s %s lost the credentials", q.method, q.path)
		}
	}
	reqs := other.requests()
	if len(reqs) == 0 {
		t.Fatal("the redirect was not followed")
	}
	for _, q := range reqs {
		for _, h := range []string{"Authorization", "X-Api-Key", "Referer", "Mcp-Session-Id"} {
			if v := q.header.Get(h); v != "" {
				t.Errorf("other origin received %s: %q", h, v)
			}
		}
		if q.body != initReq+"\n" {
			t.Errorf("body through the 308: %q", q.body)
		}
	}
}

// Plain http:// goes only to loopback unless AllowHTTP; a redirect cannot
// downgrade to it either.
func TestRemoteURLChecks(t *testing.T) {
	for _, tc := range []struct {
		url   string
		allow bool
		ok    bool
	}{
		{"https://mcp.example.com/mcp", false, true},
		{"http://mcp.example.com/mcp", false, false},
		{"http://mcp.example.com/mcp", true, true},
		{"http://127.0.0.1:8080/mcp", false, true},
		{"http://127.9.9.9/mcp", false, true},
		{"http://[::1]:8080/mcp", false, true},
		{"http://localhost:8080/mcp", false, true},
		{"http://localhost.example.com/mcp", false, false},
		{"http://10.0.0.1/mcp", false, false},
		{"ftp://mcp.example.com/", false, false},
		{"https:///mcp", false, false},
		{"https://user:pw@mcp.example.com/mcp", false, false},
	} {
		t.Run(tc.url, func(t *testing.T) {
			r, err := startRemote(Config{Name: "r", URL: tc.url, AllowHTTP: tc.allow, Log: slog.New(slog.DiscardHandler)})
			if r != nil {
				r.stop(time.Second)
			}
			if (err == nil) != tc.ok {
				t.Errorf("startRemote(%q, allow=%v) error = %v, want ok=%v", tc.url, tc.allow, err, tc.ok)
			}
		})
	}
	t.Run("redirect to plain http", func(t *testing.T) {
		srv := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
			http.Redirect(w, r, "http://mcp.example.invalid/mcp", http.StatusTemporaryRedirect)
		})
		r, lines := startTestRemote(t, Config{URL: srv.URL, Transport: "http"})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, `"error"`) || !strings.Contains(got, "refusing http://mcp.example.invalid") {
			t.Errorf("got %q", got)
		}
	})
}

// legacyServer is a 2024-11-05 HTTP+SSE server: GET /sse opens the stream
// and names the endpoint, POSTs to it are answered on the stream.
func legacyServer(t *testing.T, endpoint func(base string) string) *recServer {
	stream := make(chan string, 10)
	var srv *recServer
	srv = newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/sse":
			sse(w, "event: endpoint\ndata: "+endpoint(srv.URL)+"\n\n")
			for {
				select {
				case m := <-stream:
					io.WriteString(w, "event: message\ndata: "+m+"\n\n")
					w.(http.Flusher).Flush()
				case <-r.Context().Done():
					return
				}
			}
		case r.Method == http.MethodPost && r.URL.Path == "/message":
			if r.URL.Query().Get("sessionId") != "abc" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "Accepted")
			if strings.Contains(body, `"id":`) {
				id := body[strings.Index(body, `"id":`)+5:]
				id = id[:strings.IndexAny(id, ",}")]
				stream <- fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2024-11-05","echo":%q}}`, id, strings.TrimSpace(body))
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	})
	return srv
}

// With auto, a 4xx to the POST of initialize makes the shim speak the
// legacy transport; its endpoint must be on the same origin.
func TestRemoteLegacySSE(t *testing.T) {
	t.Run("auto falls back", func(t *testing.T) {
		srv := legacyServer(t, func(string) string { return "/message?sessionId=abc" })
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer legacy")
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/sse", Headers: hdr})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, `"id":0,"result":{"protocolVersion":"2024-11-05"`) {
			t.Fatalf("initialize over legacy SSE: %q", got)
		}
		send(t, r, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		send(t, r, `{"jsonrpc":"2.0","id":"a","method":"tools/list"}`)
		if got := nextLine(t, lines); !strings.Contains(got, `"id":"a"`) {
			t.Fatalf("tools/list over legacy SSE: %q", got)
		}
		var methods []string
		for _, q := range srv.requests() {
			methods = append(methods, q.method+" "+q.path)
			if q.header.Get("Authorization") != "Bearer legacy" {
				t.Errorf("%s %s without credentials", q.method, q.path)
			}
		}
		want := "POST /sse,GET /sse,POST /message?sessionId=abc,POST /message?sessionId=abc,POST /message?sessionId=abc"
		if strings.Join(methods, ",") != want {
			t.Errorf("requests:\n got %s\nwant %s", strings.Join(methods, ","), want)
		}
	})
	t.Run("endpoint on another origin refused", func(t *testing.T) {
		evil := newRecServer(t, func(w http.ResponseWriter, r *http.Request, body string) { w.WriteHeader(http.StatusAccepted) })
		srv := legacyServer(t, func(string) string { return evil.URL + "/message?sessionId=abc" })
		hdr := http.Header{}
		hdr.Set("Authorization", "Bearer legacy")
		r, lines := startTestRemote(t, Config{URL: srv.URL + "/sse", Headers: hdr, Transport: "sse"})
		send(t, r, initReq)
		if got := nextLine(t, lines); !strings.Contains(got, `"id":0,"error"`) || !strings.Contains(got, "another origin") {
			t.Errorf("got %q", got)
		}
		if n := len(evil.requests()); n != 0 {
			t.Errorf("the other origin got %d requests", n)
		}
	})
}
