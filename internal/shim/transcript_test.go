//go:build !windows

package shim

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/countersign/countersign/internal/broker"
	"github.com/countersign/countersign/internal/core"
	"github.com/countersign/countersign/internal/home"
	"github.com/countersign/countersign/internal/localapi"
	"github.com/countersign/countersign/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the want/* sections of testdata/*.txtar from what the shim did")

// TestTranscripts replays testdata/*.txtar. Each file has a note (the
// archive comment) and these sections:
//
//	config       "timeout DUR" and/or "core off" (no core is started)
//	server       the scripted server's rules (see serverRule)
//	script       what the test does, one step a line (see runStep)
//	want/client  every line the client received, in order
//	want/server  every line the server received, in order
//	want/exit    the code Run returned
//
// A line in a want section that holds a carriage return, invalid UTF-8 or no
// final newline is written as `#q "<Go-quoted line>"`. Rule ids, which are
// random, are written RULE1, RULE2, … in the order the script added them.
// With -update the want sections are rewritten from what happened.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runTranscript(t, file)
		})
	}
}

// transcript is the state of one replay.
type transcript struct {
	t       *testing.T
	ctx     context.Context
	api     *localapi.Client
	stdin   *io.PipeWriter
	out     *lineSink
	record  string
	rules   []string // ids of rules the script added, for RULE<n>
	current string   // id of the pending call the last "pending" step saw
	done    chan runResult
	result  *runResult
}

type runResult struct {
	code int
	err  error
}

const stepDeadline = 10 * time.Second

func runTranscript(t *testing.T, file string) {
	ar, err := parseTxtarFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]byte{}
	for _, f := range ar.Files {
		sections[f.Name] = f.Data
	}
	timeout := 30 * time.Second
	coreOn := true
	for _, l := range lines(sections["config"]) {
		switch f := strings.Fields(l); {
		case len(f) == 2 && f[0] == "timeout":
			if timeout, err = time.ParseDuration(f[1]); err != nil {
				t.Fatal(err)
			}
		case l == "core off":
			coreOn = false
		default:
			t.Fatalf("config: cannot read %q", l)
		}
	}

	// A short temp dir: the socket path must fit in sun_path.
	dir, err := os.MkdirTemp("", "cs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if coreOn {
		startCore(t, ctx, dir)
	}
	api := localapi.NewClient(home.Socket(dir))
	t.Cleanup(api.Close)

	script := filepath.Join(dir, "server.script")
	if err := os.WriteFile(script, sections["server"], 0o600); err != nil {
		t.Fatal(err)
	}
	tr := &transcript{
		t: t, ctx: ctx, api: api, out: &lineSink{}, record: filepath.Join(dir, "server.record"),
		done: make(chan runResult, 1),
	}
	stdinR, stdinW := io.Pipe()
	tr.stdin = stdinW
	t.Cleanup(func() { stdinW.Close() })
	cfg := Config{
		Name:    "fs",
		Client:  "transcript",
		Timeout: timeout,
		Command: []string{os.Args[0]},
		Env: append(os.Environ(), serverEnv+"=1", serverScriptEnv+"="+script,
			serverRecordEnv+"="+tr.record),
		Home:   dir,
		Socket: home.Socket(dir),
		Stdin:  stdinR,
		Stdout: tr.out,
		Log:    slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	go func() {
		code, err := Run(ctx, cfg)
		tr.done <- runResult{code, err}
	}()

	for n, step := range lines(sections["script"]) {
		if err := tr.runStep(step); err != nil {
			t.Fatalf("script line %d %q: %v\nclient got so far:\n%s", n+1, step, err, tr.out.bytes())
		}
	}
	stdinW.Close()
	res := tr.wait()
	if res.err != nil {
		t.Errorf("Run: %v", res.err)
	}
	tr.checkServerGone()

	got := map[string][]byte{
		"want/client": tr.golden(tr.out.bytes()),
		"want/server": tr.golden(readFile(tr.record)),
		"want/exit":   fmt.Appendf(nil, "%d\n", res.code),
	}
	if *update {
		for i, f := range ar.Files {
			if g, ok := got[f.Name]; ok {
				ar.Files[i].Data = g
				delete(got, f.Name)
			}
		}
		for _, name := range []string{"want/client", "want/server", "want/exit"} {
			if g, ok := got[name]; ok {
				ar.Files = append(ar.Files, txtarFile{Name: name, Data: g})
			}
		}
		if err := os.WriteFile(file, formatTxtar(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, name := range []string{"want/client", "want/server", "want/exit"} {
		want, ok := sections[name]
		if !ok {
			t.Errorf("%s: section missing (run with -update)", name)
			continue
		}
		if !bytes.Equal(got[name], want) {
			t.Errorf("%s differs\n--- got\n%s--- want\n%s", name, got[name], want)
		}
	}
}

// runStep does one script line:
//
//	send LINE               write LINE and a newline to the shim's stdin
//	sendq "GO-QUOTED"       write exactly these bytes (no newline added)
//	await client N          wait until the client got N lines in all
//	await server N          wait until the server got N lines in all
//	pending TOOL            wait until a call to TOOL waits for a person
//	nopending               wait until no call waits
//	decide ACTION SCOPE [NOTE...]   decide the call "pending" saw
//	rule ACTION SERVER TOOL add a rule through the LocalAPI
//	trust SERVER [NAME...]  accept held tools, prompts and templates (countersign tools trust)
//	state KIND:NAME STATE   wait until the core has the pin of server fs in STATE
//	flag TOOL TEXT...       wait until a pending call to TOOL carries a flag containing TEXT
//	close                   close the shim's stdin
//	exit                    wait for Run to return
func (tr *transcript) runStep(step string) error {
	verb, rest, _ := strings.Cut(step, " ")
	switch verb {
	case "send":
		_, err := tr.stdin.Write([]byte(rest + "\n"))
		return err
	case "sendq":
		b, err := strconv.Unquote(rest)
		if err != nil {
			return err
		}
		_, err = tr.stdin.Write([]byte(b))
		return err
	case "await":
		who, n, _ := strings.Cut(rest, " ")
		want, err := strconv.Atoi(n)
		if err != nil {
			return err
		}
		return poll(func() (bool, string) {
			var got int
			switch who {
			case "client":
				got = bytes.Count(tr.out.bytes(), []byte("\n"))
			case "server":
				got = bytes.Count(readFile(tr.record), []byte("\n"))
			}
			return got >= want, fmt.Sprintf("%s has %d lines, want %d", who, got, want)
		})
	case "pending":
		return poll(func() (bool, string) {
			ps, err := tr.api.Pending(tr.ctx)
			if err != nil {
				return false, err.Error()
			}
			for _, p := range ps {
				if p.Tool == rest {
					tr.current = p.ID
					return true, ""
				}
			}
			return false, fmt.Sprintf("pending: %+v", ps)
		})
	case "nopending":
		return poll(func() (bool, string) {
			ps, err := tr.api.Pending(tr.ctx)
			return err == nil && len(ps) == 0, fmt.Sprintf("pending: %+v (%v)", ps, err)
		})
	case "decide":
		f := strings.SplitN(rest, " ", 3)
		d := broker.Decision{Action: f[0]}
		if len(f) > 1 {
			d.Scope = f[1]
		}
		if len(f) > 2 {
			d.Note = f[2]
		}
		return tr.api.Decide(tr.ctx, tr.current, d)
	case "rule":
		f := strings.Fields(rest)
		if len(f) != 3 {
			return errors.New("want: rule ACTION SERVER TOOL")
		}
		r, err := tr.api.AddRule(tr.ctx, policy.Rule{Action: policy.Action(f[0]), Server: f[1], Tool: f[2]})
		if err != nil {
			return err
		}
		tr.rules = append(tr.rules, r.ID)
		return nil
	case "trust":
		f := strings.Fields(rest)
		if len(f) == 0 {
			return errors.New("want: trust SERVER [NAME...]")
		}
		_, err := tr.api.TrustTools(tr.ctx, localapi.TrustRequest{Server: f[0], Names: f[1:]})
		return err
	case "state":
		key, want, ok := strings.Cut(rest, " ")
		if !ok {
			return errors.New("want: state KIND:NAME STATE")
		}
		return poll(func() (bool, string) {
			pins, err := tr.api.Tools(tr.ctx, "fs")
			if err != nil {
				return false, err.Error()
			}
			for _, p := range pins {
				if p.Kind+":"+p.Name == key {
					return p.State == want, fmt.Sprintf("%s is %s (%s), want %s", key, p.State, p.Reason, want)
				}
			}
			return false, fmt.Sprintf("no pin %s in %+v", key, pins)
		})
	case "flag":
		tool, text, _ := strings.Cut(rest, " ")
		return poll(func() (bool, string) {
			ps, err := tr.api.Pending(tr.ctx)
			if err != nil {
				return false, err.Error()
			}
			for _, p := range ps {
				if p.Tool != tool {
					continue
				}
				tr.current = p.ID
				for _, f := range p.Flags {
					if strings.Contains(f, text) {
						return true, ""
					}
				}
				return false, fmt.Sprintf("flags of %s: %q", tool, p.Flags)
			}
			return false, fmt.Sprintf("pending: %+v", ps)
		})
	case "close":
		return tr.stdin.Close()
	case "exit":
		tr.wait()
		return nil
	}
	return fmt.Errorf("unknown step %q", verb)
}

// wait returns what Run returned; Run not returning is a hang.
func (tr *transcript) wait() runResult {
	if tr.result != nil {
		return *tr.result
	}
	select {
	case r := <-tr.done:
		tr.result = &r
		return r
	case <-time.After(20 * time.Second):
		tr.t.Fatalf("Run did not return within 20s (a hang)\nclient got:\n%s", tr.out.bytes())
	}
	return runResult{}
}

// checkServerGone: once Run returned, the server it started was reaped.
func (tr *transcript) checkServerGone() {
	b, err := os.ReadFile(tr.record + ".pid")
	if err != nil {
		tr.t.Errorf("the server never started: %v", err)
		return
	}
	pid, _ := strconv.Atoi(string(b))
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		tr.t.Errorf("server pid %d still exists after Run returned (kill 0: %v)", pid, err)
	}
}

// golden renders lines for a want section.
func (tr *transcript) golden(b []byte) []byte {
	for i, id := range tr.rules {
		b = bytes.ReplaceAll(b, []byte(id), fmt.Appendf(nil, "RULE%d", i+1))
	}
	var out []byte
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		b = b[len(line):]
		body, hasNL := bytes.CutSuffix(line, []byte("\n"))
		if !hasNL || bytes.ContainsAny(body, "\r") || !utf8.Valid(body) || bytes.HasPrefix(body, []byte("#q ")) {
			out = append(out, "#q "+strconv.Quote(string(line))+"\n"...)
			continue
		}
		out = append(out, line...)
	}
	return out
}

func startCore(t *testing.T, ctx context.Context, dir string) {
	t.Helper()
	c, err := core.Open(ctx, core.Options{Home: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("core.Open: %v", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- c.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		c.Close()
	})
}

// poll retries ok until it holds or stepDeadline passes.
func poll(ok func() (bool, string)) error {
	deadline := time.Now().Add(stepDeadline)
	for {
		done, why := ok()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s: %s", stepDeadline, why)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func readFile(name string) []byte {
	b, _ := os.ReadFile(name)
	return b
}

// lineSink is the client's end of the shim's stdout.
type lineSink struct {
	mu  sync.Mutex
	buf []byte
}

func (s *lineSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	s.buf = append(s.buf, p...)
	s.mu.Unlock()
	return len(p), nil
}

func (s *lineSink) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.buf...)
}

// testWriter sends the shim's log to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
