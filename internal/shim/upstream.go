package shim

import (
	"io"
	"time"
)

// upstream is the MCP server the shim relays to: a child process on stdio
// (child.go) or a remote server over HTTP (remote.go). The shim writes the
// client's messages to it and reads the server's from output; everything it
// intercepts works the same for both.
type upstream interface {
	// Write takes exactly one message (one line, newline included) per
	// call; the shim serialises calls. It may keep no reference to p after
	// it returns. An error means the server can take no more messages.
	Write(p []byte) (int, error)
	// output is the server's messages, one a line; it ends when the server
	// is gone.
	output() io.Reader
	// stop ends the server, waiting at most about grace per step; it is
	// safe to call more than once.
	stop(grace time.Duration)
	// exitCode is the code the shim exits with once output has ended and
	// stop returned.
	exitCode() int
}

var (
	_ upstream = (*child)(nil)
	_ upstream = (*remote)(nil)
)

// startUpstream starts the server the config names: a remote one when URL
// is set, else the command as a child process.
func startUpstream(cfg Config) (upstream, error) {
	if cfg.URL != "" {
		return startRemote(cfg)
	}
	c, err := startChild(cfg.Command, cfg.Env)
	if err != nil {
		return nil, err
	}
	c.forwardSignals()
	return c, nil
}
