package shim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The transcript tests run the wrapped server as this test binary again:
// TestMain sees serverEnv and runs scriptedServer instead of the tests.
const (
	serverEnv       = "COUNTERSIGN_SHIM_TEST_SERVER"
	serverScriptEnv = "COUNTERSIGN_SHIM_TEST_SCRIPT"
	serverRecordEnv = "COUNTERSIGN_SHIM_TEST_RECORD"
)

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		os.Exit(scriptedServer(os.Getenv(serverScriptEnv), os.Getenv(serverRecordEnv)))
	}
	// home.Socket(dir) must be dir/run for the temp homes of these tests,
	// never the runtime dir a real core may be using.
	os.Unsetenv("XDG_RUNTIME_DIR")
	os.Exit(m.Run())
}

// serverRule is one line of a server script:
//
//	reply METHOD RESULT   answer a request for METHOD with {"result":RESULT}
//	once METHOD RESULT    like reply, for the first such request only, and
//	                      instead of the other rules (a server that changes)
//	raw METHOD LINE       on METHOD, write LINE to stdout exactly
//	exit METHOD CODE      on METHOD, exit with CODE without answering
//	ignore-eof            keep running after stdin ends (until signalled)
//
// Rules for one method apply in script order. A request no rule answers
// gets a -32601 error. Every line received is appended, byte for byte, to
// the record file; the server's pid goes to record+".pid".
type serverRule struct {
	verb, method, arg string
	used              bool // a once rule that has answered
}

func scriptedServer(scriptPath, recordPath string) int {
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scripted server:", err)
		return 90
	}
	var rules []serverRule
	ignoreEOF := false
	for _, l := range strings.Split(string(script), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if l == "ignore-eof" {
			ignoreEOF = true
			continue
		}
		f := strings.SplitN(l, " ", 3)
		if len(f) != 3 {
			fmt.Fprintln(os.Stderr, "scripted server: bad rule:", l)
			return 91
		}
		rules = append(rules, serverRule{verb: f[0], method: f[1], arg: f[2]})
	}
	if err := os.WriteFile(recordPath+".pid", []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return 92
	}
	rec, err := os.OpenFile(recordPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return 93
	}
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			rec.Write(line) // one write per line: the test polls this file
			if code, exit := serverAnswer(out, rules, line); exit {
				out.Flush()
				return code
			}
			out.Flush()
		}
		if err != nil {
			if ignoreEOF {
				select {} // until the shim terminates us
			}
			return 0
		}
	}
}

// serverAnswer writes the script's answer to one line; it reports whether
// the server must exit, and with what code.
func serverAnswer(out *bufio.Writer, rules []serverRule, line []byte) (int, bool) {
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return 0, false
	}
	if trimmed[0] == '[' {
		var elems []json.RawMessage
		if json.Unmarshal(trimmed, &elems) != nil {
			return 0, false
		}
		var replies [][]byte
		for _, e := range elems {
			rs, code, exit := serverReplies(out, rules, e)
			if exit {
				return code, true
			}
			replies = append(replies, rs...)
		}
		if len(replies) > 0 {
			out.WriteString("[" + string(bytes.Join(replies, []byte(","))) + "]\n")
		}
		return 0, false
	}
	replies, code, exit := serverReplies(out, rules, trimmed)
	if exit {
		return code, true
	}
	for _, r := range replies {
		out.Write(append(r, '\n'))
	}
	return 0, false
}

// serverReplies returns the responses to one message; raw lines are
// written directly.
func serverReplies(out *bufio.Writer, rules []serverRule, msg []byte) ([][]byte, int, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(msg, &m) != nil {
		return nil, 0, false
	}
	var method string
	if json.Unmarshal(m["method"], &method) != nil || method == "" {
		return nil, 0, false // a response or something odd: only recorded
	}
	id, isRequest := m["id"]
	var replies [][]byte
	answered := false
	for i, r := range rules {
		if r.method != method {
			continue
		}
		if r.verb == "once" {
			if r.used || !isRequest {
				continue
			}
			rules[i].used = true
			return [][]byte{fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":%s}`, id, r.arg)}, 0, false
		}
		switch r.verb {
		case "exit":
			code, _ := strconv.Atoi(r.arg)
			return nil, code, true
		case "raw":
			out.WriteString(r.arg + "\n")
		case "reply":
			if isRequest {
				replies = append(replies, fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":%s}`, id, r.arg))
				answered = true
			}
		}
	}
	if isRequest && !answered {
		replies = append(replies, fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":%q}}`, id, "no script for "+method))
	}
	return replies, 0, false
}
