package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorderRoleArg, as os.Args[1] of the test binary, makes it the recording MCP
// server instead of running tests: `e2e.test cs-e2e-recorder RECORD SCRIPT`.
const recorderRoleArg = "cs-e2e-recorder"

// recorderRule: when a received line contains Contains (the first unused rule
// that matches), the recorder writes Reply verbatim to stdout.
type recorderRule struct {
	Contains string `json:"contains"`
	Reply    string `json:"reply"`
	// Exit, when set, makes the recorder exit with this code after replying.
	Exit *int `json:"exit,omitempty"`
}

// runRecorder appends every byte received on stdin to the record file (one write
// per line, newline included, so the file is exactly the received stream) and
// answers from the script. It exits 0 at stdin EOF.
func runRecorder(recordPath, scriptPath string) int {
	raw, err := os.ReadFile(scriptPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recorder: read script:", err)
		return 1
	}
	var rules []recorderRule
	if err := json.Unmarshal(raw, &rules); err != nil {
		fmt.Fprintln(os.Stderr, "recorder: parse script:", err)
		return 1
	}
	used := make([]bool, len(rules))
	rec, err := os.OpenFile(recordPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recorder: open record:", err)
		return 1
	}
	defer rec.Close()
	fmt.Fprintln(os.Stderr, "recorder: ready") // proves stderr passthrough too
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			if _, werr := rec.Write(line); werr != nil {
				fmt.Fprintln(os.Stderr, "recorder: write record:", werr)
				return 1
			}
			for i, r := range rules {
				if !used[i] && bytes.Contains(line, []byte(r.Contains)) {
					used[i] = true
					if _, werr := os.Stdout.WriteString(r.Reply); werr != nil {
						fmt.Fprintln(os.Stderr, "recorder: write reply:", werr)
						return 1
					}
					if r.Exit != nil {
						fmt.Fprintf(os.Stderr, "recorder: exiting with %d as scripted\n", *r.Exit)
						return *r.Exit
					}
					break
				}
			}
		}
		if err != nil {
			return 0
		}
	}
}

// rawClient writes exact bytes to a shim's stdin and reads its stdout line by line.
type rawClient struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *lockedBuffer
	lines  chan []byte
	record string
	exited chan struct{}

	mu   sync.Mutex
	seen [][]byte // every line received, for failure dumps
}

// startRawShim starts `countersign shim --name NAME -- <this test binary as the
// recording server>` with the given script and returns the raw client side.
func (e *env) startRawShim(name string, script []recorderRule, shimFlags ...string) *rawClient {
	e.t.Helper()
	dir, err := os.MkdirTemp("", "csrec")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { os.RemoveAll(dir) })
	scriptPath, recordPath := dir+"/script.json", dir+"/record.bin"
	b, err := json.Marshal(script)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(scriptPath, b, 0o600); err != nil {
		e.t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		e.t.Fatal(err)
	}
	args := shimArgs(name, clientOpts{shimFlags: shimFlags, server: []string{self, recorderRoleArg, recordPath, scriptPath}})
	cmd := exec.Command(csBin, args...)
	cmd.Env = e.environ()
	rc := &rawClient{t: e.t, cmd: cmd, stderr: &lockedBuffer{}, lines: make(chan []byte, 1024), record: recordPath, exited: make(chan struct{})}
	cmd.Stderr = rc.stderr
	rc.stdin, err = cmd.StdinPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("start countersign shim: %v", err)
	}
	go func() {
		r := bufio.NewReaderSize(stdout, 1<<20)
		for {
			line, err := r.ReadBytes('\n')
			if len(line) > 0 {
				rc.mu.Lock()
				rc.seen = append(rc.seen, line)
				rc.mu.Unlock()
				rc.lines <- line
			}
			if err != nil {
				close(rc.lines)
				return
			}
		}
	}()
	go func() { cmd.Wait(); close(rc.exited) }()
	t := e.t
	t.Cleanup(func() {
		rc.stdin.Close()
		select {
		case <-rc.exited:
		case <-time.After(waitLong / 3):
			_ = cmd.Process.Kill()
			<-rc.exited
			t.Errorf("raw shim %q did not exit within %v of its stdin closing; killed it", name, waitLong/3)
		}
		checkNoRace(t, "raw countersign shim "+name, rc.stderr.String())
		if t.Failed() {
			rec, _ := os.ReadFile(recordPath)
			rc.mu.Lock()
			var got strings.Builder
			for _, l := range rc.seen {
				got.WriteString(clip(l))
				got.WriteByte('\n')
			}
			rc.mu.Unlock()
			t.Logf("---- raw shim %q stderr ----\n%s\n---- raw shim %q: bytes the server received ----\n%s\n---- raw shim %q: lines the client received ----\n%s",
				name, rc.stderr.String(), name, clip(rec), name, got.String())
		}
	})
	return rc
}

// clip quotes b for a log, shortening very long data.
func clip(b []byte) string {
	if len(b) > 4000 {
		return fmt.Sprintf("%q…(%d bytes)", b[:4000], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// write sends exact bytes to the shim.
func (rc *rawClient) write(b string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.stdin, b); err != nil {
		rc.t.Fatalf("write to shim stdin: %v", err)
	}
}

// next returns the next line the shim wrote to stdout.
func (rc *rawClient) next(what string) []byte {
	rc.t.Helper()
	select {
	case l, ok := <-rc.lines:
		if !ok {
			rc.t.Fatalf("shim stdout closed while waiting for %s", what)
		}
		return l
	case <-time.After(waitLong):
		rc.t.Fatalf("no line from the shim within %v while waiting for %s", waitLong, what)
	}
	return nil
}

// expectLine requires the next line from the shim to be exactly want.
func (rc *rawClient) expectLine(what, want string) {
	rc.t.Helper()
	got := rc.next(what)
	if !bytes.Equal(got, []byte(want)) {
		rc.t.Fatalf("%s: client received different bytes\n%s", what, diffBytes(got, []byte(want)))
	}
}

// recorded returns everything the server has received so far.
func (rc *rawClient) recorded() []byte {
	b, _ := os.ReadFile(rc.record)
	return b
}

// waitRecorded waits until the server has received at least n bytes.
func (rc *rawClient) waitRecorded(n int) []byte {
	rc.t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		b := rc.recorded()
		if len(b) >= n || time.Now().After(deadline) {
			return b
		}
		time.Sleep(pollEvery)
	}
}

// expectRecorded requires the server to have received exactly want so far.
func (rc *rawClient) expectRecorded(what string, want []byte) {
	rc.t.Helper()
	got := rc.waitRecorded(len(want))
	if !bytes.Equal(got, want) {
		rc.t.Fatalf("%s: server received different bytes\n%s", what, diffBytes(got, want))
	}
}

// diffBytes describes the first difference between got and want.
func diffBytes(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-60)
	hiG, hiW := min(len(got), i+60), min(len(want), i+60)
	return fmt.Sprintf("first difference at byte %d (got %d bytes, want %d)\n got: …%q…\nwant: …%q…",
		i, len(got), len(want), got[lo:hiG], want[lo:hiW])
}
