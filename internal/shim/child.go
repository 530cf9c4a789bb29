package shim

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"time"
)

// child is the wrapped MCP server. Only the shim starts, signals and reaps
// it; its stderr goes straight to the shim's stderr.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	exited chan struct{} // closed once Wait returned
	err    error         // Wait's error, valid after exited
}

func startChild(argv, env []string) (*child, error) {
	if len(argv) == 0 {
		return nil, errors.New("no server command given after --")
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	setProcAttr(cmd)
	// Plain pipes, not StdinPipe/StdoutPipe: Wait closes those as soon as
	// the process exits, which would lose the last messages the server wrote.
	stdin, toChild, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromChild, stdout, err := os.Pipe()
	if err != nil {
		stdin.Close()
		toChild.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = stdin, stdout
	err = cmd.Start()
	stdin.Close() // the child has its own copies now
	stdout.Close()
	if err != nil {
		toChild.Close()
		fromChild.Close()
		return nil, fmt.Errorf("cannot start %q: %w", argv[0], err)
	}
	c := &child{cmd: cmd, stdin: toChild, stdout: fromChild, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// forwardSignals relays the signals a client sends the shim to the server
// until the server exits.
func (c *child) forwardSignals() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, forwardedSignals...)
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case s := <-sigs:
				c.signal(s)
			case <-c.exited:
				return
			}
		}
	}()
}

// stop ends the server the polite way first: its stdin is closed (the MCP
// stdio shutdown), then it is asked to terminate, then killed.
func (c *child) stop(grace time.Duration) {
	c.stdin.Close()
	select {
	case <-c.exited:
		return
	case <-time.After(grace):
	}
	c.terminate()
	select {
	case <-c.exited:
		return
	case <-time.After(grace):
	}
	c.kill()
	<-c.exited
}

func (c *child) Write(p []byte) (int, error) { return c.stdin.Write(p) }

func (c *child) output() io.Reader { return c.stdout }

// exitCode is the server's exit status as a shell would report it.
func (c *child) exitCode() int {
	<-c.exited
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		if code := signalExitCode(ee); code > 0 {
			return code
		}
		return ee.ExitCode()
	}
	if c.err != nil {
		return 1
	}
	return 0
}
