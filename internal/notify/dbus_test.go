package notify

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// bus starts a real, private dbus-daemon and returns its address.
func bus(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon (Debian package dbus): %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read the bus address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// sent is one Notify call the server received.
type sent struct {
	replaces      uint32
	icon          string
	summary, body string
	actions       []string
	hints         map[string]dbus.Variant
	expire        int32
}

// server is a notification server exported on a real bus: it records what
// it is sent, as a notification daemon would display it.
type server struct {
	conn   *dbus.Conn
	mu     sync.Mutex
	sent   []sent
	closed []uint32
	next   uint32
}

func (s *server) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, sent{replaces, icon, summary, body, actions, hints, expire})
	if replaces != 0 {
		return replaces, nil
	}
	s.next++
	return s.next, nil
}

func (s *server) CloseNotification(id uint32) *dbus.Error {
	s.mu.Lock()
	s.closed = append(s.closed, id)
	s.mu.Unlock()
	if err := s.conn.Emit(objPath, iface+".NotificationClosed", id, uint32(3)); err != nil {
		return dbus.MakeFailedError(err)
	}
	return nil
}

func serve(t *testing.T, addr string) *server {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &server{conn: conn}
	if err := conn.Export(s, objPath, iface); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName(busName, dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request %s: %v, %v", busName, r, err)
	}
	return s
}

func TestNoServiceIsUnavailable(t *testing.T) {
	_, err := ConnectAddress(bus(t), nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ConnectAddress with no notification server: err = %v, want ErrUnavailable", err)
	}
	_, err = ConnectAddress("unix:path=/nonexistent/bus", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ConnectAddress with no bus: err = %v, want ErrUnavailable", err)
	}
}

func TestNotifyReplaceWithdrawAndClick(t *testing.T) {
	addr := bus(t)
	srv := serve(t, addr)
	clicked := make(chan string, 2)
	d, err := ConnectAddress(addr, func(key, action string) { clicked <- key + " " + action })
	if err != nil {
		t.Fatalf("ConnectAddress: %v", err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	ctx := context.Background()

	steps := []struct {
		name         string
		key          string
		n            Notification
		wantReplaces uint32
		wantBody     string
		wantExpire   int32
	}{
		{name: "first call", key: "c1", n: Notification{Summary: "Tool call waiting: write_file on fs", Body: "claude-code <x> & y", Expire: 55 * time.Second},
			wantBody: "claude-code &lt;x&gt; &amp; y", wantExpire: 55000},
		{name: "second call gets its own", key: "c2", n: Notification{Summary: "Tool call waiting: run on shell"}, wantBody: "", wantExpire: -1},
		{name: "same key replaces", key: "c1", n: Notification{Summary: "again", Body: "b"}, wantReplaces: 1, wantBody: "b", wantExpire: -1},
		{name: "with buttons", key: "s1", n: Notification{Summary: "Cursor added server gh", Actions: []Action{{"wrap", "Wrap"}, {"ignore", "Ignore"}}},
			wantExpire: -1},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := d.Notify(ctx, st.key, st.n); err != nil {
				t.Fatalf("Notify: %v", err)
			}
			srv.mu.Lock()
			got := srv.sent[i]
			srv.mu.Unlock()
			if got.summary != st.n.Summary || got.body != st.wantBody || got.replaces != st.wantReplaces || got.expire != st.wantExpire {
				t.Fatalf("server got %+v, want summary %q body %q replaces %d expire %d", got, st.n.Summary, st.wantBody, st.wantReplaces, st.wantExpire)
			}
			if got.hints["desktop-entry"].Value() != "countersign" || got.actions[0] != "default" {
				t.Fatalf("hints %v actions %v: want desktop-entry countersign and a default action", got.hints, got.actions)
			}
		})
	}

	srv.mu.Lock()
	if got := srv.sent[3].actions; !slices.Equal(got, []string{"default", "Open Countersign", "wrap", "Wrap", "ignore", "Ignore"}) {
		t.Errorf("actions sent %q", got)
	}
	srv.mu.Unlock()

	// The person clicks the notification of c2, then presses Wrap on s1.
	for _, tc := range []struct {
		id     uint32
		action string
		want   string
	}{{2, "default", "c2 default"}, {3, "wrap", "s1 wrap"}} {
		if err := srv.conn.Emit(objPath, iface+".ActionInvoked", tc.id, tc.action); err != nil {
			t.Fatal(err)
		}
		select {
		case k := <-clicked:
			if k != tc.want {
				t.Fatalf("reported %q, want %q", k, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("action %s was not reported", tc.action)
		}
	}

	if err := d.Withdraw(ctx, "c1"); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if err := d.Withdraw(ctx, "c1"); err != nil {
		t.Fatalf("Withdraw twice: %v", err)
	}
	srv.mu.Lock()
	closed := srv.closed
	srv.mu.Unlock()
	if len(closed) != 1 || closed[0] != 1 {
		t.Fatalf("server closed %v, want only notification 1", closed)
	}
}

func TestNotifyAfterTheServerLeft(t *testing.T) {
	addr := bus(t)
	srv := serve(t, addr)
	d, err := ConnectAddress(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	srv.conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err = d.Notify(context.Background(), "k", Notification{Summary: "s"})
		if errors.Is(err, ErrUnavailable) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Notify after the server left: err = %v, want ErrUnavailable", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
