//go:build !windows

package shim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
)

// End to end: the real @modelcontextprotocol/server-everything (pinned in
// test/e2e) in streamableHttp and sse modes on 127.0.0.1, the shim run
// in-process against a real core, and a raw JSON-RPC client on its stdio.
// The direct connection it is compared with is the TypeScript SDK's own
// client transport, reading raw messages (no schema parsing).

// nodeModules finds test/e2e/node_modules; without it (or node) the test
// is skipped locally and fails in CI, where `make test` installs it.
func nodeModules(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../test/e2e/node_modules")
	if err != nil {
		t.Fatal(err)
	}
	_, statErr := os.Stat(filepath.Join(dir, "@modelcontextprotocol/server-everything/dist/index.js"))
	_, nodeErr := exec.LookPath("node")
	if statErr != nil || nodeErr != nil {
		msg := fmt.Sprintf("needs node and test/e2e/node_modules (run npm ci in test/e2e): %v %v", statErr, nodeErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startEverything runs server-everything in mode on a free port and waits
// until it accepts connections.
func startEverything(t *testing.T, nm, mode string) int {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command("node", filepath.Join(nm, "@modelcontextprotocol/server-everything/dist/index.js"), mode)
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = testWriter{t}, testWriter{t}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("server-everything %s did not listen on %d", mode, port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// directToolsList lists tools over the SDK's own HTTP client transport and
// returns the raw result.
func directToolsList(t *testing.T, nm, url, transport string) json.RawMessage {
	t.Helper()
	sdk := filepath.Join(nm, "@modelcontextprotocol/sdk/dist/esm/client")
	mod, class := "streamableHttp.js", "StreamableHTTPClientTransport"
	if transport == "sse" {
		mod, class = "sse.js", "SSEClientTransport"
	}
	script := fmt.Sprintf(`
import { %[2]s as T } from %[1]q;
const t = new T(new URL(%[3]q));
const waiting = new Map();
t.onmessage = (m) => { const w = waiting.get(m.id); if (w) { waiting.delete(m.id); w(m); } };
const req = (id, method, params) => new Promise((res) => { waiting.set(id, res); t.send({ jsonrpc: "2.0", id, method, params }); });
await t.start();
const init = await req(0, "initialize", { protocolVersion: "2025-06-18", capabilities: { sampling: {} }, clientInfo: { name: "direct", version: "1" } });
if (init.result?.protocolVersion && t.setProtocolVersion) t.setProtocolVersion(init.result.protocolVersion);
await t.send({ jsonrpc: "2.0", method: "notifications/initialized" });
await new Promise((r) => setTimeout(r, 300));
const list = await req(1, "tools/list", {});
process.stdout.write(JSON.stringify(list.result));
await t.close();
process.exit(0);
`, "file://"+filepath.Join(sdk, mod), class, url)
	f := filepath.Join(t.TempDir(), "direct.mjs")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "node", f).Output()
	if err != nil {
		t.Fatalf("direct tools/list: %v %s", err, out)
	}
	return out
}

// rawClient is a JSON-RPC client on the shim's stdio.
type rawClient struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan []byte
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	if _, err := c.in.Write([]byte(s + "\n")); err != nil {
		c.t.Fatal(err)
	}
}

// await returns the response with this id, answering sampling requests
// from the server on the way and collecting notifications.
func (c *rawClient) await(id string) map[string]json.RawMessage {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("the shim's stdout ended while waiting for %s", id)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(l, &m); err != nil {
				c.t.Fatalf("the shim wrote a line that is not JSON: %q", l)
			}
			if string(m["method"]) == `"sampling/createMessage"` {
				c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":{"role":"assistant","content":{"type":"text","text":"sampled by the test"},"model":"test","stopReason":"endTurn"}}`, m["id"]))
				continue
			}
			if string(m["id"]) == id && m["method"] == nil {
				return m
			}
		case <-timeout:
			c.t.Fatalf("no response %s within 30s", id)
		}
	}
}

func TestRemoteEverythingE2E(t *testing.T) {
	nm := nodeModules(t)
	for _, tc := range []struct{ mode, path, transport string }{
		{"streamableHttp", "/mcp", "http"},
		{"sse", "/sse", "sse"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			port := startEverything(t, nm, tc.mode)
			url := fmt.Sprintf("http://127.0.0.1:%d%s", port, tc.path)
			direct := directToolsList(t, nm, url, tc.transport)

			dir, err := os.MkdirTemp("", "cs")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			startCore(t, ctx, dir)
			api := localapi.NewClient(home.Socket(dir))
			t.Cleanup(api.Close)

			stdinR, stdinW := io.Pipe()
			stdoutR, stdoutW := io.Pipe()
			c := &rawClient{t: t, in: stdinW, lines: make(chan []byte, 100)}
			go func() {
				br := bufio.NewReaderSize(stdoutR, 1<<20)
				for {
					l, err := br.ReadBytes('\n')
					if err != nil {
						close(c.lines)
						return
					}
					c.lines <- l
				}
			}()
			done := make(chan runResult, 1)
			go func() {
				code, err := Run(ctx, Config{
					Name: "everything", Client: "e2e", Timeout: 30 * time.Second, URL: url, Transport: "auto",
					Home: dir, Socket: home.Socket(dir), Stdin: stdinR, Stdout: stdoutW,
					Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
				})
				stdoutW.Close()
				done <- runResult{code, err}
			}()

			c.send(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"sampling":{}},"clientInfo":{"name":"e2e","version":"1"}}}`)
			if init := c.await("0"); init["result"] == nil {
				t.Fatalf("initialize: %s", init["error"])
			}
			c.send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
			time.Sleep(300 * time.Millisecond)
			c.send(`{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`)
			list := c.await("1")
			var got, want any
			json.Unmarshal(list["result"], &got)
			json.Unmarshal(direct, &want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("tools/list through the shim differs from the direct connection\n shim %s\ndirect %s", list["result"], direct)
			}
			if !strings.Contains(string(list["result"]), `"trigger-sampling-request"`) {
				t.Errorf("tools/list lacks the sampling tool: %s", list["result"])
			}

			// A held call, approved by a person through the LocalAPI.
			c.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"over http"}}}`)
			decide(t, api, "echo", broker.Decision{Action: "approve", Scope: "once"})
			if r := c.await("2"); !strings.Contains(string(r["result"]), "Echo: over http") {
				t.Errorf("approved echo: %s %s", r["result"], r["error"])
			}
			// A denial with a note: the server never sees the call.
			c.send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"no"}}}`)
			decide(t, api, "echo", broker.Decision{Action: "deny", Note: "not today"})
			if r := c.await("3"); !strings.Contains(string(r["result"]), `"isError":true`) || !strings.Contains(string(r["result"]), "not today") {
				t.Errorf("denied echo: %s", r["result"])
			}
			// Sampling: the server asks the client mid-call, over the same
			// connection; the client's answer goes back through the shim.
			c.send(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"trigger-sampling-request","arguments":{"prompt":"hi","maxTokens":5}}}`)
			decide(t, api, "trigger-sampling-request", broker.Decision{Action: "approve", Scope: "once"})
			if r := c.await("4"); !strings.Contains(string(r["result"]), "sampled by the test") {
				t.Errorf("sampling call: %s %s", r["result"], r["error"])
			}

			if err := poll(func() (bool, string) {
				hist, err := api.History(ctx, localapi.HistoryQuery{Server: "everything"})
				return err == nil && len(hist) >= 3, fmt.Sprintf("history: %d records, %v", len(hist), err)
			}); err != nil {
				t.Error(err)
			}
			stdinW.Close()
			select {
			case r := <-done:
				if r.err != nil || r.code != 0 {
					t.Errorf("Run = %d, %v", r.code, r.err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not return after the client closed (a hang)")
			}
		})
	}
}

// decide waits for a pending call to tool and decides it.
func decide(t *testing.T, api *localapi.Client, tool string, d broker.Decision) {
	t.Helper()
	var id string
	if err := poll(func() (bool, string) {
		ps, err := api.Pending(context.Background())
		if err != nil {
			return false, err.Error()
		}
		for _, p := range ps {
			if p.Tool == tool {
				id = p.ID
				return true, ""
			}
		}
		return false, fmt.Sprintf("pending: %+v", ps)
	}); err != nil {
		t.Fatal(err)
	}
	if err := api.Decide(context.Background(), id, d); err != nil {
		t.Fatal(err)
	}
}
