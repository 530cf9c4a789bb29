package app

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/notify"
	"github.com/countersign/countersign/internal/policy"
)

// fakeWindow records what the app does to the window.
type fakeWindow struct {
	mu     sync.Mutex
	ops    []string
	w, h   int
	onTop  bool
	hidden bool
}

func (f *fakeWindow) do(op string) { f.mu.Lock(); f.ops = append(f.ops, op); f.mu.Unlock() }
func (f *fakeWindow) Show()        { f.do("show"); f.mu.Lock(); f.hidden = false; f.mu.Unlock() }
func (f *fakeWindow) Unminimise()  { f.do("unminimise") }
func (f *fakeWindow) Hide()        { f.do("hide"); f.mu.Lock(); f.hidden = true; f.mu.Unlock() }
func (f *fakeWindow) Quit()        { f.do("quit") }
func (f *fakeWindow) SetAlwaysOnTop(on bool) {
	f.mu.Lock()
	f.onTop = on
	f.mu.Unlock()
}
func (f *fakeWindow) Size() (int, int) { f.mu.Lock(); defer f.mu.Unlock(); return f.w, f.h }
func (f *fakeWindow) SetSize(w, h int) { f.mu.Lock(); f.w, f.h = w, h; f.mu.Unlock() }

func (f *fakeWindow) state() (ops []string, w, h int, onTop, hidden bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ops), f.w, f.h, f.onTop, f.hidden
}

// fakeNotifier records notifications (internal/notify is tested against a
// real bus; here only the app's decisions matter).
type fakeNotifier struct {
	mu        sync.Mutex
	shown     map[string]notify.Notification
	withdrawn []string
}

func (n *fakeNotifier) Notify(_ context.Context, key string, x notify.Notification) error {
	n.mu.Lock()
	n.shown[key] = x
	n.mu.Unlock()
	return nil
}

func (n *fakeNotifier) Withdraw(_ context.Context, key string) error {
	n.mu.Lock()
	n.withdrawn = append(n.withdrawn, key)
	n.mu.Unlock()
	return nil
}

func (n *fakeNotifier) get(key string) (notify.Notification, bool, []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	x, ok := n.shown[key]
	return x, ok, slices.Clone(n.withdrawn)
}

// eventually polls cond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 5 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPopupComesForwardAndNotifies(t *testing.T) {
	tests := []struct {
		name       string
		visible    bool // what the frontend reported before the call
		focusAfter bool // the window reports focus once shown
		wantNotify bool
		wantHide   bool
	}{
		{name: "hidden window that does not get the focus", visible: false, wantNotify: true, wantHide: true},
		{name: "hidden window that gets the focus", visible: false, focusAfter: true, wantHide: true},
		{name: "visible window left open after", visible: true, focusAfter: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openCore(t)
			a := New(c, quiet)
			n := &fakeNotifier{shown: map[string]notify.Notification{}}
			a.SetNotifier(n)
			win := &fakeWindow{w: 1100, h: 760}
			rec := newRecorder()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a.start(ctx, win, rec.emit)
			defer a.Shutdown(ctx)
			rec.wait(t, EventApprovalsResync)
			win.Hide()
			(&Window{popup: a.popup}).Report(tt.visible, false)

			start := time.Now()
			decided := hold(t, ctx, c, "call-1")
			rec.wait(t, EventApprovalAdded)
			eventually(t, "the window is shown and on top", func() bool {
				_, _, _, onTop, hidden := win.state()
				return onTop && !hidden
			})
			if d := time.Since(start); d > 100*time.Millisecond {
				t.Errorf("window shown %v after the call was held; want ≤ 100 ms", d)
			}
			ops, w, h, _, _ := win.state()
			if w != popupWidth || h != popupHeight || !slices.Contains(ops, "unminimise") {
				t.Fatalf("window %dx%d ops %v: want compact %dx%d, unminimised", w, h, ops, popupWidth, popupHeight)
			}
			if tt.focusAfter {
				(&Window{popup: a.popup}).Report(true, true)
			}
			time.Sleep(notifyAfter + 150*time.Millisecond)
			got, shown, _ := n.get("call-1")
			if shown != tt.wantNotify {
				t.Fatalf("notification shown = %v, want %v", shown, tt.wantNotify)
			}
			if shown && (got.Summary != "Tool call waiting: write_file on fs" || !strings.HasPrefix(got.Body, "test-client: {\"path\":\"/tmp/x\"}")) {
				t.Fatalf("notification = %+v", got)
			}

			if err := c.Decide("call-1", broker.Decision{Action: "approve", Scope: "once"}); err != nil {
				t.Fatal(err)
			}
			<-decided
			rec.wait(t, EventApprovalRemoved)
			eventually(t, "the window gets its size back and leaves the top", func() bool {
				_, w, h, onTop, _ := win.state()
				return !onTop && w == 1100 && h == 760
			})
			_, _, _, _, hidden := win.state()
			if hidden != tt.wantHide {
				t.Fatalf("window hidden after the queue emptied = %v, want %v", hidden, tt.wantHide)
			}
			eventually(t, "the notification is withdrawn", func() bool {
				_, _, w := n.get("call-1")
				return slices.Contains(w, "call-1")
			})
		})
	}
}

func TestFocusCallFromTrayOrNotification(t *testing.T) {
	c := openCore(t)
	a := New(c, quiet)
	win := &fakeWindow{}
	rec := newRecorder()
	a.start(context.Background(), win, rec.emit)
	defer a.Shutdown(context.Background())
	win.Hide()
	a.FocusCall("abc")
	if ev := rec.wait(t, EventApprovalFocus); ev.data[0] != "abc" {
		t.Fatalf("focus event = %v, want abc", ev.data)
	}
	if _, _, _, _, hidden := win.state(); hidden {
		t.Fatal("FocusCall left the window hidden")
	}
}

// The pause switch set from the window reaches the core and comes back as
// an event; a rule added elsewhere (as the CLI does, through the core) is
// announced too.
func TestSettingsPauseAndRuleEvents(t *testing.T) {
	c := openCore(t)
	a := New(c, quiet)
	rec := newRecorder()
	a.start(context.Background(), &fakeWindow{}, rec.emit)
	defer a.Shutdown(context.Background())
	if ev := rec.wait(t, EventPauseChanged); ev.data[0] != "" {
		t.Fatalf("initial pause event = %v, want not paused", ev.data)
	}
	s := &Settings{core: c}
	for _, p := range []string{"deny", "ask", ""} {
		if err := s.SetPause(p); err != nil {
			t.Fatalf("SetPause(%q): %v", p, err)
		}
		if ev := rec.wait(t, EventPauseChanged); ev.data[0] != p {
			t.Fatalf("pause event = %v, want %q", ev.data, p)
		}
		if got, _ := s.Pause(); got != p {
			t.Fatalf("Pause() = %q, want %q", got, p)
		}
		rec.wait(t, EventRulesChanged)
	}
	if err := s.SetPause("forever"); err == nil {
		t.Fatal("SetPause accepted an unknown state")
	}
	if _, err := c.AddRule(context.Background(), policy.Rule{Action: policy.Deny, Server: "shell"}); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, EventRulesChanged)
}

func TestServersToolsHistoryBindings(t *testing.T) {
	c := openCore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	decided := hold(t, ctx, c, "call-h")
	eventually(t, "the call waits", func() bool { return len(c.Pending()) == 1 })

	sessions, err := (&Servers{core: c}).Sessions()
	if err != nil || len(sessions) != 1 || sessions[0].Server != "fs" || sessions[0].Client != "test-client" {
		t.Fatalf("Sessions() = %+v, %v", sessions, err)
	}
	if err := c.Decide("call-h", broker.Decision{Action: "deny", Scope: "once"}); err != nil {
		t.Fatal(err)
	}
	<-decided
	h := &History{core: c}
	var calls []string
	eventually(t, "the call is in the history", func() bool {
		got, err := h.List(historyQuery("fs"))
		if err != nil {
			t.Fatal(err)
		}
		calls = nil
		for _, x := range got {
			calls = append(calls, x.ID)
		}
		return len(got) == 1
	})
	if one, err := h.Call(calls[0]); err != nil || one.Tool != "write_file" {
		t.Fatalf("Call(%s) = %+v, %v", calls[0], one, err)
	}
	if _, err := h.Call("no-such-call"); err == nil {
		t.Fatal("Call of an unknown id succeeded")
	}
	pins, err := (&Tools{core: c}).List("")
	if err != nil || len(pins) != 0 {
		t.Fatalf("Tools.List = %v, %v; want none (no list was reviewed)", pins, err)
	}
}

func historyQuery(server string) localapi.HistoryQuery { return localapi.HistoryQuery{Server: server} }
