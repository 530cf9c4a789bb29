package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A plain handshake for the subtests that are about something else.
const (
	cInitPlain = `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}` + "\n"
	sInitPlain = `{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"recorder","version":"1"}}}` + "\n"
	cInitedPln = `{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n"
)

var plainInitRule = recorderRule{Contains: `"method":"initialize"`, Reply: sInitPlain}

// handshake performs the plain initialize exchange and checks it passed unchanged.
func (rc *rawClient) handshake() {
	rc.t.Helper()
	rc.write(cInitPlain)
	rc.expectLine("initialize result", sInitPlain)
	rc.write(cInitedPln)
	rc.expectRecorded("handshake", []byte(cInitPlain+cInitedPln))
}

// TestPassthroughBytes: a raw JSON-RPC client and a recording server prove that
// the shim forwards original bytes in both directions (unknown fields, string and
// big integer ids, odd whitespace, unicode escapes, CRLF), keeps ids per direction,
// holds tools/call however it is spelled, and carries messages above 20 MiB.
func TestPassthroughBytes(t *testing.T) {
	e := newEnv(t)
	e.startDaemon()
	e.mustCLI("rules", "add", "allow", "--server", "raw", "--tool", "big")

	t.Run("passthrough", func(t *testing.T) {
		e := e.sub(t)
		const (
			// CRLF line end, spaces around tokens, an escaped non-ASCII string id,
			// unknown fields at several levels, number spellings a re-encoder would change.
			cInit   = `{ "jsonrpc" : "2.0" ,"id":"init-\u00e9\u2028-1",  "method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"x-custom":{"a":[1,2.50,-0,1e3]}},"clientInfo":{"name":"raw\ud83d\ude00","version":"1"}},"x_unknown_top":{"keep":"me"}}` + "\r\n"
			sInit   = `{"jsonrpc":"2.0","id":"init-\u00e9\u2028-1","result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{},"x-srv":true},"serverInfo":{"name":"recorder","version":"1"}},"x_server_extra":[null,true,1.0e+2]}` + "\n"
			cInited = `{"jsonrpc":"2.0","method":"notifications/initialized","params":{},"x_note":"\u0041\u00DF"}` + "\n"
			// Server-to-client request with an id beyond float64 precision, and a
			// notification with surrounding spaces, both in one write.
			sSampling = `{"id":98765432109876543210987,"jsonrpc":"2.0","method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"hi \u263a"}}],"maxTokens":5},"x_srv_unknown":1}` + "\n"
			sLog      = `  {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","logger":"rec","data":"tab\there \"q\" \\ \ud83d\ude00"}}   ` + "\n"
			cSampled  = `{"jsonrpc":"2.0","id":98765432109876543210987,"result":{"model":"m","role":"assistant","content":{"type":"text","text":"ok"}},"x_c":{}}` + "\n"
			// Two ids that are equal as float64; their answers come back in reverse order.
			cPing1 = `{"jsonrpc":"2.0","id":12345678901234567890123,"method":"ping"}` + "\n"
			cPing2 = `{"method":"ping","id":12345678901234567890124,"jsonrpc":"2.0","params":{"_meta":{"x":1}}}` + "\n"
			sPong2 = `{"jsonrpc":"2.0","id":12345678901234567890124,"result":{}}` + "\n"
			sPong1 = `{"jsonrpc":"2.0","result":{"x_extra":"\u00e9"},"id":12345678901234567890123}` + "\n"
			// A string id with an escaped quote and backslash.
			cRes = `{"jsonrpc":"2.0","id":"r\"1\\","method":"resources/list","params":{}}` + "\n"
			sRes = `{"jsonrpc":"2.0","id":"r\"1\\","result":{"resources":[],"nextCursor":"\u2028"}}` + "\n"
		)
		rc := e.startRawShim("raw", []recorderRule{
			{Contains: `"method":"initialize"`, Reply: sInit},
			{Contains: `notifications/initialized`, Reply: sSampling + sLog},
			{Contains: `12345678901234567890124,"jsonrpc"`, Reply: sPong2 + sPong1},
			{Contains: `resources/list`, Reply: sRes},
		})
		var sent bytes.Buffer
		send := func(s string) { sent.WriteString(s); rc.write(s) }

		send(cInit)
		rc.expectLine("initialize result", sInit)
		send(cInited)
		rc.expectLine("server request with a big id", sSampling)
		rc.expectLine("notification with odd whitespace", sLog)
		send(cSampled)
		send(cPing1)
		send(cPing2)
		rc.expectLine("second pong", sPong2)
		rc.expectLine("first pong", sPong1)
		send(cRes)
		rc.expectLine("resources/list result", sRes)
		rc.expectRecorded("client to server", sent.Bytes())

		if !strings.Contains(rc.stderr.String(), "recorder: ready") {
			t.Errorf("the server's stderr did not pass through the shim: %q", rc.stderr.String())
		}
	})

	t.Run("held tools/call and per-direction ids", func(t *testing.T) {
		e := e.sub(t)
		const (
			cCall   = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":"seven \u00e9","n":1.50},"x_param_extra":true},"x_top":"call"}` + "\n"
			cNudge  = `{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}` + "\n"
			sRoots  = `{"jsonrpc":"2.0","id":7,"method":"roots/list"}` + "\n"
			cRoots  = `{"jsonrpc":"2.0","id":7,"result":{"roots":[]}}` + "\n"
			sResult = `{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"Echo: seven \u00e9"}],"isError":false,"x_res":1}}` + "\n"
		)
		rc := e.startRawShim("raw", []recorderRule{
			plainInitRule,
			{Contains: `roots/list_changed`, Reply: sRoots},
			{Contains: `"method":"tools/call"`, Reply: sResult},
		})
		rc.handshake()
		base := len(rc.recorded())

		rc.write(cCall)
		p := e.waitPending("for raw/echo", toolIs("raw", "echo"))
		if msg, _ := p.Args["message"].(string); msg != "seven é" {
			t.Errorf("pending args = %v, want the decoded message %q", p.Args, "seven é")
		}
		// While client request 7 is held, the server sends its own request 7 and the
		// client answers it: that answer belongs to the server, not to the held call.
		rc.write(cNudge)
		rc.expectLine("server's roots/list with id 7", sRoots)
		rc.write(cRoots)
		rc.expectRecorded("traffic while a call is held", []byte(string(rc.recorded()[:base])+cNudge+cRoots))
		e.waitPending("still held after the client answered the server's id 7", func(q pendingEntry) bool { return q.ID == p.ID })

		e.mustCLI("approve", p.ID)
		rc.expectRecorded("approved tools/call", []byte(string(rc.recorded()[:base])+cNudge+cRoots+cCall))
		rc.expectLine("tools/call result", sResult)
	})

	t.Run("cancelled held call is never sent", func(t *testing.T) {
		e := e.sub(t)
		const (
			cCall   = `{"jsonrpc":"2.0","id":"cancel-me","method":"tools/call","params":{"name":"echo","arguments":{"message":"cancel-marker-4b1d"}}}` + "\n"
			cCancel = `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"cancel-me","reason":"stop"}}` + "\n"
			cPing   = `{"jsonrpc":"2.0","id":"after-cancel","method":"ping"}` + "\n"
			sPong   = `{"jsonrpc":"2.0","id":"after-cancel","result":{}}` + "\n"
		)
		rc := e.startRawShim("raw", []recorderRule{plainInitRule, {Contains: `"after-cancel"`, Reply: sPong}})
		rc.handshake()
		rc.write(cCall)
		p := e.waitPending("for raw/echo", argIs("raw", "echo", "message", "cancel-marker-4b1d"))
		rc.write(cCancel)
		e.waitGone(p.ID)
		rc.write(cPing)
		// Nothing for "cancel-me" may come back before (or instead of) the pong.
		rc.expectLine("pong after the cancellation", sPong)
		if bytes.Contains(rc.recorded(), []byte("cancel-marker-4b1d")) {
			t.Errorf("the cancelled tools/call reached the server")
		}
	})

	t.Run("escaped method is held", func(t *testing.T) {
		e := e.sub(t)
		const cCall = `{"jsonrpc":"2.0","id":"esc-1","method":"tools\/call","params":{"name":"echo","arguments":{"message":"esc-marker-9c2e"}}}` + "\n"
		rc := e.startRawShim("raw", []recorderRule{plainInitRule})
		rc.handshake()
		rc.write(cCall)
		p := e.waitPending("for the escaped tools\\/call", argIs("raw", "echo", "message", "esc-marker-9c2e"))
		e.mustCLI("deny", p.ID, "--note", "escaped")
		line := rc.next("denial of esc-1")
		requireRawDenial(t, line, `"esc-1"`)
		if bytes.Contains(rc.recorded(), []byte("esc-marker-9c2e")) {
			t.Errorf("the denied tools\\/call reached the server")
		}
	})

	t.Run("tools/call inside a batch is not forwarded unapproved", func(t *testing.T) {
		e := e.sub(t)
		const cBatch = `[{"jsonrpc":"2.0","id":"batch-1","method":"tools/call","params":{"name":"echo","arguments":{"message":"batch-marker-77aa"}}},{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}]` + "\n"
		rc := e.startRawShim("raw", []recorderRule{plainInitRule})
		rc.handshake()
		rc.write(cBatch)
		// Fail closed either way: the call is held for approval (we deny it), or the
		// shim refuses the batch outright. It must never reach the server unapproved.
		answered := make(chan []byte, 1)
		go func() {
			select {
			case l := <-rc.lines:
				answered <- l
			case <-time.After(waitLong):
				answered <- nil
			}
		}()
		var line []byte
		deadline := time.Now().Add(waitLong)
	wait:
		for time.Now().Before(deadline) {
			if bytes.Contains(rc.recorded(), []byte("batch-marker-77aa")) {
				t.Fatalf("a tools/call inside a batch reached the server without approval")
			}
			select {
			case line = <-answered:
				break wait
			default:
			}
			for _, p := range e.pending() {
				if m, _ := p.Args["message"].(string); m == "batch-marker-77aa" {
					e.mustCLI("deny", p.ID)
				}
			}
			time.Sleep(pollEvery)
		}
		if line == nil {
			t.Fatalf("the batch was neither held nor answered within %v", waitLong)
		}
		if !bytes.Contains(line, []byte(`"batch-1"`)) {
			t.Fatalf("answer to the batch does not name batch-1: %s", clip(line))
		}
		if !bytes.Contains(line, []byte(`"isError":true`)) && !bytes.Contains(line, []byte(`"error"`)) {
			t.Errorf("answer to the batch is neither a denial nor an error: %s", clip(line))
		}
		if bytes.Contains(rc.recorded(), []byte("batch-marker-77aa")) {
			t.Errorf("the tools/call inside the batch reached the server")
		}
	})

	t.Run("large", func(t *testing.T) {
		e := e.sub(t)
		// > 20 MiB each way, with escapes and multi-byte UTF-8, under an allow rule.
		chunk := `q\"b\\s\u00e9 é 😀\t` + "x"
		big := strings.Repeat(chunk, 21*1024*1024/len(chunk)+1)
		cBig := `{"jsonrpc":"2.0","id":"big-1","method":"tools/call","params":{"name":"big","arguments":{"data":"` + big + `"}}}` + "\n"
		sBig := `{"jsonrpc":"2.0","id":"big-1","result":{"content":[{"type":"text","text":"` + big + `"}]}}` + "\n"
		if !json.Valid([]byte(cBig)) || !json.Valid([]byte(sBig)) {
			t.Fatal("test bug: large messages are not valid JSON")
		}
		rc := e.startRawShim("raw", []recorderRule{plainInitRule, {Contains: `"id":"big-1","method":"tools/call"`, Reply: sBig}})
		rc.handshake()
		base := rc.recorded()
		rc.write(cBig)
		rc.expectLine("large result", sBig)
		rc.expectRecorded("large request", append(base, cBig...))
		if held := e.pending(); len(held) > 0 {
			t.Errorf("the allow rule did not apply to the large call: %v", held)
		}
	})
}

// requireRawDenial checks a raw response line: a CallToolResult with isError for id.
func requireRawDenial(t *testing.T, line []byte, id string) {
	t.Helper()
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Result *struct {
			IsError bool `json:"isError"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	if err := json.Unmarshal(line, &msg); err != nil {
		t.Fatalf("denial is not one JSON object: %v: %s", err, clip(line))
	}
	if string(msg.ID) != id {
		t.Errorf("denial id = %s, want %s", msg.ID, id)
	}
	if msg.Result == nil || !msg.Result.IsError {
		t.Fatalf("want a CallToolResult with isError: true, got %s", clip(line))
	}
	if len(msg.Result.Content) == 0 || !strings.Contains(strings.ToLower(msg.Result.Content[0].Text), "countersign") {
		t.Errorf("denial text does not mention Countersign: %s", clip(line))
	}
}
