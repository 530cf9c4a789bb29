package shim

import (
	"strings"
	"testing"
)

func (k kind) String() string {
	switch k {
	case kindInvalid:
		return "invalid"
	case kindRequest:
		return "request"
	case kindNotification:
		return "notification"
	case kindResponse:
		return "response"
	case kindBatch:
		return "batch"
	case kindEmpty:
		return "empty"
	}
	return "kind?"
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		kind      kind
		method    string
		id        string // raw id token, "" when none is expected
		ambiguous bool
	}{
		// The plain shapes.
		{"request", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}` + "\n", kindRequest, "tools/list", "1", false},
		{"request string id", `{"jsonrpc":"2.0","id":"a-1","method":"ping"}`, kindRequest, "ping", `"a-1"`, false},
		{"request big integer id", `{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}`, kindRequest, "ping", "123456789012345678901234567890", false},
		{"request id after params", `{"params":{"id":9,"method":"x"},"method":"tools/call","id":2}`, kindRequest, "tools/call", "2", false},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, kindNotification, "notifications/initialized", "", false},
		{"response result", `{"jsonrpc":"2.0","id":3,"result":{}}`, kindResponse, "", "3", false},
		{"response error", `{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"x"}}`, kindResponse, "", "3", false},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"ping"}]`, kindBatch, "", "", false},
		{"batch after space", "  \t[]", kindBatch, "", "", false},

		// Framing and whitespace.
		{"empty", "", kindEmpty, "", "", false},
		{"newline only", "\n", kindEmpty, "", "", false},
		{"CRLF only", "\r\n", kindEmpty, "", "", false},
		{"spaces", " \t \r\n", kindEmpty, "", "", false},
		{"CRLF line", `{"jsonrpc":"2.0","id":1,"method":"ping"}` + "\r\n", kindRequest, "ping", "1", false},
		{"odd whitespace", " {\t\"jsonrpc\" :\"2.0\" ,\r\"id\"\t:\t7 , \"method\" : \"ping\" } \n", kindRequest, "ping", "7", false},

		// Escapes in the method and in member names are decoded.
		{"escaped slash", `{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{}}`, kindRequest, "tools/call", "1", false},
		{"unicode slash", `{"jsonrpc":"2.0","id":1,"method":"tools\u002fcall","params":{}}`, kindRequest, "tools/call", "1", false},
		{"all escaped", `{"id":1,"method":"\u0074\u006f\u006f\u006c\u0073\u002f\u0063\u0061\u006c\u006c"}`, kindRequest, "tools/call", "1", false},
		{"escaped member name", `{"jsonrpc":"2.0","id":1,"m\u0065thod":"tools/call"}`, kindRequest, "tools/call", "1", false},
		{"escaped id name", `{"jsonrpc":"2.0","\u0069d":4,"method":"tools/call"}`, kindRequest, "tools/call", "4", false},
		{"unicode method", `{"id":1,"method":"outils/appel-été-🚀"}`, kindRequest, "outils/appel-été-🚀", "1", false},
		{"surrogate pair method", `{"id":1,"method":"a\ud83d\ude80"}`, kindRequest, "a🚀", "1", false},

		// Strings that try to end early or open braces.
		{"escaped quote in value", `{"id":1,"x":"a\"b","method":"ping"}`, kindRequest, "ping", "1", false},
		{"escaped backslash before quote", `{"id":1,"x":"a\\","method":"ping"}`, kindRequest, "ping", "1", false},
		{"three backslashes before quote", `{"id":1,"x":"a\\\"\"","method":"ping"}`, kindRequest, "ping", "1", false},
		{"fake method inside string", `{"id":1,"x":"\",\"method\":\"tools/call","method":"ping"}`, kindRequest, "ping", "1", false},
		{"braces inside strings", `{"id":1,"params":{"a":"}}}]]","b":["{[",{"c":"]"}]},"method":"ping"}`, kindRequest, "ping", "1", false},
		{"nested method is not the method", `{"id":1,"params":{"method":"tools/call"},"method":"ping"}`, kindRequest, "ping", "1", false},

		// Duplicates of members the shim acts on are ambiguous: parsers
		// disagree on which one wins.
		{"duplicate method", `{"id":1,"method":"ping","method":"tools/call"}`, kindRequest, "tools/call", "1", true},
		{"duplicate method escaped", `{"id":1,"method":"ping","m\u0065thod":"tools/call"}`, kindRequest, "tools/call", "1", true},
		{"duplicate id", `{"id":1,"id":2,"method":"tools/call"}`, kindRequest, "tools/call", "2", true},
		{"duplicate params", `{"id":1,"method":"tools/call","params":{},"params":{}}`, kindRequest, "tools/call", "1", true},
		{"duplicate result", `{"id":1,"result":{},"result":{}}`, kindResponse, "", "1", true},
		{"null id request", `{"jsonrpc":"2.0","id":null,"method":"tools/call"}`, kindRequest, "tools/call", "null", true},
		{"number method", `{"id":1,"method":42}`, kindRequest, "", "1", true},
		{"null method", `{"id":1,"method":null}`, kindRequest, "", "1", true},
		{"object method", `{"method":{"a":"tools/call"}}`, kindNotification, "", "", true},
		{"invalid escape in method", `{"id":1,"method":"tools\qcall"}`, kindRequest, "", "1", true},

		// Not JSON-RPC the shim can split.
		{"not json", "hello\n", kindInvalid, "", "", false},
		{"truncated", `{"id":1,"method":"ping"`, kindInvalid, "", "", false},
		{"unterminated string", `{"id":1,"method":"ping}`, kindInvalid, "", "", false},
		{"trailing garbage", `{"id":1,"method":"ping"} x`, kindInvalid, "", "", false},
		{"two objects", `{"id":1,"method":"ping"}{"id":2,"method":"tools/call"}`, kindInvalid, "", "", false},
		{"missing colon", `{"id" 1,"method":"ping"}`, kindInvalid, "", "", false},
		{"missing comma", `{"id":1 "method":"ping"}`, kindInvalid, "", "", false},
		{"trailing comma", `{"id":1,"method":"ping",}`, kindInvalid, "", "", false},
		{"unquoted key", `{id:1,"method":"ping"}`, kindInvalid, "", "", false},
		{"invalid escape in key", `{"id":1,"m\x":"ping"}`, kindInvalid, "", "", false},
		{"empty object", `{}`, kindInvalid, "", "", false},
		{"id only", `{"id":1}`, kindInvalid, "", "", false},
		{"string", `"tools/call"`, kindInvalid, "", "", false},
		{"number", `12`, kindInvalid, "", "", false},
		{"unclosed nested", `{"id":1,"method":"ping","params":{"a":[1,2}`, kindInvalid, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := classify([]byte(tt.line))
			if m.kind != tt.kind {
				t.Fatalf("classify(%q).kind = %v, want %v", tt.line, m.kind, tt.kind)
			}
			if m.kind == kindInvalid {
				return // nothing of an invalid line is used
			}
			if m.method != tt.method {
				t.Errorf("method = %q, want %q", m.method, tt.method)
			}
			if string(m.id) != tt.id {
				t.Errorf("id = %q, want %q", m.id, tt.id)
			}
			if m.ambiguous != tt.ambiguous {
				t.Errorf("ambiguous = %v, want %v", m.ambiguous, tt.ambiguous)
			}
		})
	}
}

// TestClassifyCaseFolding covers member names that differ from the ones the
// shim acts on only by letter case. Go's encoding/json, used by MCP servers
// that decode into structs (mark3labs/mcp-go among them), matches member
// names case-insensitively and lets the last one win, so such a server reads
// {"method":"ping","Method":"tools/call"} as a tools/call. The shim must not
// forward it as a ping.
func TestClassifyCaseFolding(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"Method after method", `{"jsonrpc":"2.0","id":1,"method":"ping","Method":"tools/call","params":{"name":"x"}}`},
		{"METHOD after method", `{"jsonrpc":"2.0","id":1,"method":"ping","METHOD":"tools/call","params":{"name":"x"}}`},
		{"Id as the only id", `{"jsonrpc":"2.0","Id":1,"method":"tools/call","params":{"name":"x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := classify([]byte(tt.line))
			safe := m.kind == kindInvalid || m.ambiguous || m.method == "tools/call"
			if !safe {
				t.Errorf("classify(%s) = kind %v method %q ambiguous %v: a server decoding with encoding/json into a struct runs tools/call, so the line must be treated as a call or refused",
					tt.line, m.kind, m.method, m.ambiguous)
			}
		})
	}
}

func TestParseCallParams(t *testing.T) {
	tests := []struct {
		name     string
		params   string
		wantErr  string // substring; "" means no error
		tool     string
		args     string
		progress string
	}{
		{"plain", `{"name":"echo","arguments":{"message":"hi"}}`, "", "echo", `{"message":"hi"}`, ""},
		{"no arguments", `{"name":"echo"}`, "", "echo", "", ""},
		{"escaped name", `{"name":"rea\u0064_file","arguments":{}}`, "", "read_file", `{}`, ""},
		{"escaped member names", `{"n\u0061me":"echo","\u0061rguments":{"a":1}}`, "", "echo", `{"a":1}`, ""},
		{"space around", " {\t\"name\" : \"echo\" ,\"arguments\" : [ ] } ", "", "echo", `[ ]`, ""},
		{"progress token number", `{"name":"echo","_meta":{"progressToken":17},"arguments":{}}`, "", "echo", `{}`, "17"},
		{"progress token string", `{"_meta":{"other":1,"progressToken":"tok-\"1\""},"name":"echo"}`, "", "echo", "", `"tok-\"1\""`},
		{"nested _meta is not the call's", `{"name":"echo","arguments":{"_meta":{"progressToken":1}}}`, "", "echo", `{"_meta":{"progressToken":1}}`, ""},
		{"duplicate name", `{"name":"read_file","name":"delete_file"}`, "unambiguously", "", "", ""},
		{"duplicate name escaped", `{"name":"read_file","n\u0061me":"delete_file"}`, "unambiguously", "", "", ""},
		{"duplicate arguments", `{"name":"echo","arguments":{"path":"/ok"},"arguments":{"path":"/etc"}}`, "unambiguously", "", "", ""},
		{"number name", `{"name":1}`, "unambiguously", "", "", ""},
		{"null name", `{"name":null}`, "unambiguously", "", "", ""},
		{"missing name", `{"arguments":{}}`, "without a tool name", "", "", ""},
		{"empty params", ``, "without params", "", "", ""},
		{"params not an object", `["echo"]`, "unambiguously", "", "", ""},
		{"malformed", `{"name":"echo",}`, "unambiguously", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp, err := parseCallParams([]byte(tt.params))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseCallParams(%s) error = %v, want one containing %q", tt.params, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseCallParams(%s): %v", tt.params, err)
			}
			if cp.name != tt.tool || string(cp.args) != tt.args || string(cp.progressToken) != tt.progress {
				t.Errorf("got name %q args %q progress %q, want %q %q %q", cp.name, cp.args, cp.progressToken, tt.tool, tt.args, tt.progress)
			}
		})
	}
}

// TestParseCallParamsCaseFolding: a server that decodes params with
// encoding/json into a struct reads "Name" as the tool name when it comes
// last, so a rule allowing read_* would let delete_file run.
func TestParseCallParamsCaseFolding(t *testing.T) {
	for _, params := range []string{
		`{"name":"read_file","Name":"delete_file","arguments":{}}`,
		`{"name":"read_file","arguments":{"path":"/home/me/ok"},"Arguments":{"path":"/etc/shadow"}}`,
	} {
		cp, err := parseCallParams([]byte(params))
		if err == nil {
			t.Errorf("parseCallParams(%s) = name %q args %s, want an error: encoding/json (case-insensitive, last wins) reads a different call", params, cp.name, cp.args)
		}
	}
}

func TestCancelledRequestID(t *testing.T) {
	tests := []struct{ params, want string }{
		{`{"requestId":5,"reason":"user"}`, "5"},
		{`{"reason":"x","requestId":"abc"}`, `"abc"`},
		{` { "requestId" : 123456789012345678901234567890 } `, "123456789012345678901234567890"},
		{`{"reason":"none"}`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := cancelledRequestID([]byte(tt.params)); string(got) != tt.want {
			t.Errorf("cancelledRequestID(%s) = %q, want %q", tt.params, got, tt.want)
		}
	}
}

func TestResultIsError(t *testing.T) {
	tests := []struct {
		result string
		want   bool
	}{
		{`{"content":[],"isError":true}`, true},
		{`{"content":[],"isError":false}`, false},
		{`{"content":[{"type":"text","text":"\"isError\":true"}]}`, false},
		{`{"content":[]}`, false},
	}
	for _, tt := range tests {
		if got := resultIsError([]byte(tt.result)); got != tt.want {
			t.Errorf("resultIsError(%s) = %v, want %v", tt.result, got, tt.want)
		}
	}
}
