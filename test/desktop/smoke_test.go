//go:build desktop

package desktop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// root is the repository root (this package is test/desktop).
var root = filepath.Join("..", "..")

func abs(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing (run `make build` first, and npm ci in test/e2e): %v", rel, err)
	}
	return p
}

// logFile collects a process's output; its text goes into the test log.
type logFile struct{ bytes.Buffer }

func (l *logFile) Write(p []byte) (int, error) { return l.Buffer.Write(p) }

func TestHeldCallOpensTheWindow(t *testing.T) {
	for _, env := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		if os.Getenv(env) == "" {
			t.Fatalf("%s is not set: run under xvfb-run and dbus-run-session (make test-desktop)", env)
		}
	}
	cs := abs(t, "build/bin/countersign")
	desktopBin := abs(t, "build/bin/countersign-desktop")
	everything := abs(t, "test/e2e/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
	artifacts := filepath.Join(root, "test", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	home, err := os.MkdirTemp("", "csd") // short: the socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	// Xvfb has no GL: WebKit's accelerated compositing paints nothing there.
	env := append(os.Environ(), "WEBKIT_DISABLE_COMPOSITING_MODE=1", "COUNTERSIGN_HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_RUNTIME_DIR=")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The desktop app.
	appLog := &logFile{}
	app := exec.Command(desktopBin)
	app.Env = env
	app.Stdout, app.Stderr = appLog, appLog
	started := time.Now()
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	appDone := make(chan error, 1)
	go func() { appDone <- app.Wait() }()
	t.Cleanup(func() {
		app.Process.Signal(syscall.SIGTERM)
		select {
		case <-appDone:
		case <-time.After(10 * time.Second):
			app.Process.Kill()
			<-appDone
		}
		t.Logf("countersign-desktop output:\n%s", appLog.String())
	})
	run := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, cs, args...)
		cmd.Env = env
		out, err := cmd.Output()
		return string(out), err
	}
	waitFor(t, "the core answers `countersign status`", 30*time.Second, func() bool {
		_, err := run("status", "--json")
		return err == nil
	})
	t.Logf("core up %v after start", time.Since(started).Round(time.Millisecond))

	// A shim in front of server-everything, driven by raw JSON-RPC lines.
	shim := exec.CommandContext(ctx, cs, "shim", "--name", "everything", "--client", "smoke-test", "--", "node", everything, "stdio")
	shim.Env = env
	shimLog := &logFile{}
	shim.Stderr = shimLog
	in, err := shim.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := shim.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := shim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		shim.Wait()
		t.Logf("shim stderr:\n%s", shimLog.String())
	})
	replies := make(chan map[string]json.RawMessage, 16)
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var m map[string]json.RawMessage
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["id"] != nil {
				replies <- m
			}
		}
		close(replies)
	}()
	send := func(line string) {
		if _, err := io.WriteString(in, line+"\n"); err != nil {
			t.Fatalf("write to the shim: %v", err)
		}
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke-test","version":"1"}}}`)
	reply(t, replies, "1")
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello from the desktop smoke test"}}}`)

	var id string
	waitFor(t, "the call waits in `countersign pending`", 30*time.Second, func() bool {
		s, err := run("pending", "--json")
		var p []struct {
			ID   string `json:"id"`
			Tool string `json:"tool"`
		}
		if err != nil || json.Unmarshal([]byte(s), &p) != nil || len(p) != 1 {
			return false
		}
		id = p[0].ID
		return p[0].Tool == "echo"
	})
	waitFor(t, "a window named Countersign is mapped", 20*time.Second, func() bool {
		o, err := exec.Command("xwininfo", "-root", "-tree").Output()
		return err == nil && strings.Contains(string(o), `"Countersign"`)
	})
	// Photograph the screen and the window until the window shows more than
	// one flat colour (WebKit paints a moment after the window maps, later
	// on a loaded machine), or give up: a page that never renders fails.
	shot := filepath.Join(artifacts, "desktop-held-call.png")
	winShot := filepath.Join(artifacts, "desktop-held-call-window.png")
	var sd float64
	var geo []byte
	deadline := time.Now().Add(30 * time.Second)
	for {
		if o, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, o)
		}
		info, err := exec.Command("xwininfo", "-name", "Countersign").Output()
		if err != nil {
			t.Fatalf("xwininfo -name Countersign: %v", err)
		}
		var winID string
		for _, f := range strings.Fields(string(info)) {
			if strings.HasPrefix(f, "0x") {
				winID = f
				break
			}
		}
		if o, err := exec.Command("import", "-window", winID, winShot).CombinedOutput(); err != nil {
			t.Fatalf("window screenshot: %v\n%s", err, o)
		}
		geo, _ = exec.Command("identify", "-format", "%wx%h", winShot).Output()
		painted := sd >= 0.02
		sd = stddev(t, winShot)
		if painted && sd >= 0.02 || time.Now().After(deadline) {
			break
		}
		// Once it has painted, one more picture a moment later: the first
		// paint can precede the page's first read of the pending calls.
		wait := 500 * time.Millisecond
		if sd >= 0.02 {
			wait = 1500 * time.Millisecond
		}
		time.Sleep(wait)
	}
	t.Logf("screenshots %s and %s: window %s, standard deviation %.4f", shot, winShot, geo, sd)
	if sd < 0.02 {
		t.Fatalf("the window is blank (standard deviation %.4f) after 30 s: the popup did not render", sd)
	}

	if o, err := run("approve", id); err != nil {
		t.Fatalf("countersign approve %s: %v\n%s", id, err, o)
	}
	r := reply(t, replies, "2")
	if !strings.Contains(string(r["result"]), "hello from the desktop smoke test") {
		t.Fatalf("the client got %s, want the echo result", r["result"])
	}

	// Under Xvfb there is no StatusNotifier host: the app must say so once.
	log := appLog.String()
	if !strings.Contains(log, "no StatusNotifier host") && !strings.Contains(log, "no D-Bus session bus") {
		t.Errorf("the app did not report the missing tray host; output:\n%s", log)
	}
	if strings.Contains(log, "no StatusNotifier host") {
		t.Log("tray: no StatusNotifier host under Xvfb; the app logged it and went on")
	}
}

// reply waits for the response with id want.
func reply(t *testing.T, replies <-chan map[string]json.RawMessage, want string) map[string]json.RawMessage {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-replies:
			if !ok {
				t.Fatalf("the shim closed its output before replying to %s", want)
			}
			if string(m["id"]) == want {
				return m
			}
		case <-timeout:
			t.Fatalf("no reply to request %s within 30 s", want)
		}
	}
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stddev is ImageMagick's standard deviation of the image, 0 (one colour) to ~0.5.
func stddev(t *testing.T, png string) float64 {
	t.Helper()
	o, err := exec.Command("identify", "-format", "%[fx:standard_deviation]", png).Output()
	if err != nil {
		t.Fatalf("identify: %v", err)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(o)), 64)
	if err != nil {
		t.Fatalf("identify printed %q: %v", o, err)
	}
	return v
}
