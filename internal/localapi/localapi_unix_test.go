//go:build linux || darwin

package localapi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/policy"
)

// backend is a Backend written for these tests: the interface belongs to
// this package, and the real one (the core) imports it.
type backend struct {
	mu       sync.Mutex
	updates  chan SessionUpdate
	sessions chan string // server names of sessions that ended
	events   chan broker.Event
	held     chan CallRequest
	records  [][]CallRecord
	results  ResultSettings
	signIns  []SignInNeeded
}

func newBackend() *backend {
	return &backend{
		updates:  make(chan SessionUpdate, 8),
		sessions: make(chan string, 8),
		events:   make(chan broker.Event, 8),
		held:     make(chan CallRequest, 8),
	}
}

func (b *backend) Status() Status { return Status{Version: "test", PID: os.Getpid()} }

func (b *backend) OpenSession(ctx context.Context, req SessionRequest, send func(SessionUpdate) error) error {
	defer func() { b.sessions <- req.Server }()
	if err := send(SessionUpdate{SessionID: "s1", Policy: &policy.Set{}}); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case u := <-b.updates:
			if err := send(u); err != nil {
				return err
			}
		}
	}
}

func (b *backend) Hold(ctx context.Context, req CallRequest) (CallDecision, error) {
	b.held <- req
	if req.Tool == "wait" {
		<-ctx.Done()
		return CallDecision{}, ctx.Err()
	}
	return CallDecision{Decision: "approved", DecidedBy: "user", Scope: "once"}, nil
}

func (b *backend) Record(ctx context.Context, recs []CallRecord) error {
	b.mu.Lock()
	b.records = append(b.records, recs)
	b.mu.Unlock()
	return nil
}

func (b *backend) Pending() []broker.Pending { return []broker.Pending{} }

func (b *backend) Decide(id string, d broker.Decision) error {
	if id != "known" {
		return fmt.Errorf("%w: %s", broker.ErrNotPending, id)
	}
	return nil
}

func (b *backend) Rules(ctx context.Context) ([]policy.Rule, error) { return nil, nil }

func (b *backend) AddRule(ctx context.Context, r policy.Rule) (policy.Rule, error) {
	if err := r.Validate(); err != nil {
		return policy.Rule{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	r.ID = "r1"
	return r, nil
}

func (b *backend) RemoveRule(ctx context.Context, id string) error {
	return fmt.Errorf("no rule %q: %w", id, ErrNotFound)
}

func (b *backend) Subscribe() (<-chan broker.Event, func()) { return b.events, func() {} }

// shortDir is a temp dir short enough for sun_path.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// serve listens on a fresh socket and serves b until the test ends.
func serve(t *testing.T, b Backend) string {
	t.Helper()
	sock := filepath.Join(shortDir(t), "run", "countersign.sock")
	l, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, NewHandler(b, slog.New(slog.NewTextHandler(io.Discard, nil)))) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		l.Close()
	})
	return sock
}

// rawGET sends one HTTP request over the socket with extra headers.
func rawGET(t *testing.T, sock, path string, hdr map[string]string) *http.Response {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req, _ := http.NewRequest(http.MethodGet, "http://countersign"+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestBrowserRequestsRefused(t *testing.T) {
	sock := serve(t, newBackend())
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"plain", nil, http.StatusOK},
		{"origin", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"origin null", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"referer", map[string]string{"Referer": "http://evil.example/page"}, http.StatusForbidden},
		{"both", map[string]string{"Origin": "http://a", "Referer": "http://a/"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/v1/status", "/v1/pending", "/v1/rules"} {
				resp := rawGET(t, sock, path, tt.hdr)
				resp.Body.Close()
				if resp.StatusCode != tt.want {
					t.Errorf("GET %s with %v: status %d, want %d", path, tt.hdr, resp.StatusCode, tt.want)
				}
			}
		})
	}
}

func TestListenPermissions(t *testing.T) {
	sock := serve(t, newBackend())
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a 0600 socket", fi.Mode())
	}
	di, err := os.Stat(filepath.Dir(sock))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("socket dir mode %v, want 0700", di.Mode().Perm())
	}
}

func TestListenTightensOwnDir(t *testing.T) {
	dir := filepath.Join(shortDir(t), "run")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // past the umask
	l, err := Listen(filepath.Join(dir, "s.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v after Listen, want 0700", fi.Mode().Perm())
	}
}

func TestPeerUIDSocketpair(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), fmt.Sprintf("pair%d", i))
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		uc, ok := c.(*net.UnixConn)
		if !ok {
			t.Fatalf("FileConn gave %T", c)
		}
		uid, err := peerUID(uc)
		if err != nil {
			t.Fatalf("peerUID: %v", err)
		}
		if uid != os.Getuid() {
			t.Errorf("peerUID = %d, want %d", uid, os.Getuid())
		}
	}
}

func TestCoreNotRunning(t *testing.T) {
	t.Run("no socket", func(t *testing.T) {
		c := NewClient(filepath.Join(shortDir(t), "run", "countersign.sock"))
		defer c.Close()
		_, err := c.Status(context.Background())
		if !errors.Is(err, ErrCoreNotRunning) {
			t.Fatalf("Status = %v, want ErrCoreNotRunning", err)
		}
		if _, err := c.Hold(context.Background(), CallRequest{ID: "x", Tool: "t"}); !errors.Is(err, ErrCoreNotRunning) {
			t.Fatalf("Hold = %v, want ErrCoreNotRunning", err)
		}
		if _, err := c.OpenSession(context.Background(), SessionRequest{Server: "fs"}); !errors.Is(err, ErrCoreNotRunning) {
			t.Fatalf("OpenSession = %v, want ErrCoreNotRunning", err)
		}
	})
	t.Run("stale socket file", func(t *testing.T) {
		dir := filepath.Join(shortDir(t), "run")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(dir, "countersign.sock")
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		l.SetUnlinkOnClose(false)
		l.Close() // the file stays; nothing listens
		c := NewClient(sock)
		defer c.Close()
		if _, err := c.Status(context.Background()); !errors.Is(err, ErrCoreNotRunning) {
			t.Fatalf("Status = %v, want ErrCoreNotRunning", err)
		}
	})
}

func TestClientRefusesForeignSocketDir(t *testing.T) {
	t.Run("dir open to others", func(t *testing.T) {
		sock := serve(t, newBackend())
		if err := os.Chmod(filepath.Dir(sock), 0o755); err != nil {
			t.Fatal(err)
		}
		c := NewClient(sock)
		defer c.Close()
		_, err := c.Status(context.Background())
		if !errors.Is(err, home.ErrNotPrivate) || errors.Is(err, ErrCoreNotRunning) {
			t.Fatalf("Status = %v, want ErrNotPrivate", err)
		}
	})
	t.Run("dir owned by another uid", func(t *testing.T) {
		if os.Getuid() != 0 {
			t.Skip("chown to another uid needs root")
		}
		sock := serve(t, newBackend())
		if err := os.Chown(filepath.Dir(sock), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		c := NewClient(sock)
		defer c.Close()
		if _, err := c.Status(context.Background()); !errors.Is(err, home.ErrNotPrivate) {
			t.Fatalf("Status = %v, want ErrNotPrivate", err)
		}
	})
	// The socket's own owner is checked too (checkOwner), not just its
	// directory's: a socket someone else put in our directory is not ours.
	t.Run("socket owned by another uid", func(t *testing.T) {
		if os.Getuid() != 0 {
			t.Skip("chown to another uid needs root")
		}
		sock := serve(t, newBackend())
		if err := os.Lchown(sock, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		c := NewClient(sock)
		defer c.Close()
		if _, err := c.Status(context.Background()); !errors.Is(err, home.ErrNotPrivate) {
			t.Fatalf("Status = %v, want ErrNotPrivate", err)
		}
	})
}

func TestListenAlreadyRunning(t *testing.T) {
	sock := filepath.Join(shortDir(t), "run", "countersign.sock")
	l1, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(sock); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Listen = %v, want ErrAlreadyRunning", err)
	}
	// The first listener still answers after the refused second one.
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial after the refused Listen: %v", err)
	}
	c.Close()
	l1.Close()
	l2, err := Listen(sock)
	if err != nil {
		t.Fatalf("Listen after the first closed: %v", err)
	}
	l2.Close()
}

func TestListenPathTooLong(t *testing.T) {
	sock := filepath.Join(shortDir(t), strings.Repeat("d", 100), "countersign.sock")
	if _, err := Listen(sock); err == nil || !strings.Contains(err.Error(), "longer than the OS allows") {
		t.Fatalf("Listen = %v, want a path-length error", err)
	}
}

func TestErrorsMapped(t *testing.T) {
	sock := serve(t, newBackend())
	c := NewClient(sock)
	defer c.Close()
	ctx := context.Background()
	if err := c.Decide(ctx, "unknown", broker.Decision{Action: "approve"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Decide unknown = %v, want ErrNotFound", err)
	}
	if err := c.Decide(ctx, "known", broker.Decision{Action: "approve"}); err != nil {
		t.Errorf("Decide known = %v", err)
	}
	if _, err := c.AddRule(ctx, policy.Rule{Action: "permit", Server: "fs"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddRule invalid = %v, want ErrInvalid", err)
	}
	if r, err := c.AddRule(ctx, policy.Rule{Action: policy.Allow, Server: "fs"}); err != nil || r.ID != "r1" {
		t.Errorf("AddRule = %+v, %v", r, err)
	}
	if err := c.RemoveRule(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RemoveRule = %v, want ErrNotFound", err)
	}
	s, err := c.Status(ctx)
	if err != nil || s.Version != "test" {
		t.Errorf("Status = %+v, %v", s, err)
	}
}

func TestHoldAndWithdraw(t *testing.T) {
	b := newBackend()
	c := NewClient(serve(t, b))
	defer c.Close()
	d, err := c.Hold(context.Background(), CallRequest{ID: "1", Tool: "echo", Args: []byte(`{"a":1}`)})
	if err != nil || !d.Approved() {
		t.Fatalf("Hold = %+v, %v", d, err)
	}
	if req := <-b.held; string(req.Args) != `{"a":1}` {
		t.Errorf("backend got arguments %s", req.Args)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := c.Hold(ctx, CallRequest{ID: "2", Tool: "wait"}); errc <- err }()
	<-b.held
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("withdrawn Hold = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the context did not end Hold")
	}
}

func TestSessionStream(t *testing.T) {
	b := newBackend()
	c := NewClient(serve(t, b))
	defer c.Close()
	s, err := c.OpenSession(context.Background(), SessionRequest{Server: "fs", PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Next()
	if err != nil || first.SessionID != "s1" || first.Policy == nil {
		t.Fatalf("first update = %+v, %v", first, err)
	}
	for i := range 3 {
		b.updates <- SessionUpdate{Policy: &policy.Set{Rules: []policy.Rule{{ID: fmt.Sprint(i), Action: policy.Allow, Server: "fs"}}}}
		u, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		if u.Policy == nil || len(u.Policy.Rules) != 1 || u.Policy.Rules[0].ID != fmt.Sprint(i) {
			t.Fatalf("update %d = %+v", i, u)
		}
	}
	s.Close()
	select {
	case server := <-b.sessions:
		if server != "fs" {
			t.Errorf("ended session for %q", server)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("closing the stream did not end the session in the backend")
	}
}

func TestEventStream(t *testing.T) {
	b := newBackend()
	c := NewClient(serve(t, b))
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := []broker.Event{
		{Kind: "added", Pending: broker.Pending{ID: "a", Tool: "echo", Args: []byte(`{"x":"\u00e9"}`)}},
		{Kind: "removed", Pending: broker.Pending{ID: "a"}, Outcome: &broker.Outcome{Decision: "approved", DecidedBy: "user"}},
	}
	for _, e := range want {
		b.events <- e
	}
	for i, w := range want {
		got, err := s.Next()
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if got.Kind != w.Kind || got.Pending.ID != w.Pending.ID || (w.Outcome != nil) != (got.Outcome != nil) {
			t.Errorf("event %d = %+v, want %+v", i, got, w)
		}
	}
	close(b.events) // the backend ends the stream
	if _, err := s.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the end: %v, want io.EOF", err)
	}
}

func TestRecord(t *testing.T) {
	b := newBackend()
	c := NewClient(serve(t, b))
	defer c.Close()
	recs := []CallRecord{{ID: "1", Tool: "echo", Decision: "approved"}, {ID: "2", ResultStatus: "ok"}}
	if err := c.Record(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.records) != 1 || len(b.records[0]) != 2 || b.records[0][1].ResultStatus != "ok" {
		t.Errorf("backend got %+v", b.records)
	}
}
