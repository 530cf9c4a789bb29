package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
)

// conn is a raw JSON-RPC client over a child's stdio: it writes lines and
// matches responses by id, decoding only the id.
type conn struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	wmu  sync.Mutex
	mu   sync.Mutex
	next int
	wait map[string]chan []byte
	done chan struct{}
}

func start(argv []string, env []string) (*conn, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &conn{cmd: cmd, in: in, wait: map[string]chan []byte{}, done: make(chan struct{})}
	go c.read(out)
	return c, nil
}

func (c *conn) read(r io.Reader) {
	defer close(c.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return
		}
		var m struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(line, &m) != nil || m.Method != "" || m.ID == nil {
			continue
		}
		c.mu.Lock()
		ch := c.wait[string(m.ID)]
		delete(c.wait, string(m.ID))
		c.mu.Unlock()
		if ch != nil {
			ch <- line
		}
	}
}

// call sends a request and waits for its response line.
func (c *conn) call(method string, params any) ([]byte, error) {
	p, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	return c.callRaw(method, p)
}

func (c *conn) callRaw(method string, params []byte) ([]byte, error) {
	ch := make(chan []byte, 1)
	c.mu.Lock()
	c.next++
	id := strconv.Itoa(c.next)
	c.wait[id] = ch
	c.mu.Unlock()
	msg := make([]byte, 0, len(params)+80)
	msg = fmt.Appendf(msg, `{"jsonrpc":"2.0","id":%s,"method":%q,"params":`, id, method)
	msg = append(msg, params...)
	msg = append(msg, '}', '\n')
	c.wmu.Lock()
	_, err := c.in.Write(msg)
	c.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case line := <-ch:
		return line, nil
	case <-c.done:
		return nil, fmt.Errorf("%s: connection closed", method)
	}
}

func (c *conn) notify(method string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := fmt.Fprintf(c.in, `{"jsonrpc":"2.0","method":%q}`+"\n", method)
	return err
}

func (c *conn) initialize() error {
	_, err := c.call("initialize", map[string]any{
		"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "mcpbench", "version": "1"},
	})
	if err != nil {
		return err
	}
	return c.notify("notifications/initialized")
}

func (c *conn) close() {
	c.in.Close()
	c.cmd.Wait()
}
