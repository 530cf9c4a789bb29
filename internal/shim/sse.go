package shim

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"time"
)

// sseEvent is one dispatched server-sent event (the WHATWG "event stream"
// format that MCP's HTTP transports use).
type sseEvent struct {
	event string // the event type; "" means "message"
	data  []byte // data lines joined with '\n'
}

// sseReader parses an event stream. It remembers the last event id and
// the reconnection delay the server asked for, as the format requires.
// Lines may end in "\n" or "\r\n"; a stream that ends lines with a bare
// "\r" only is read as lines split at every "\r" within a "\n" line, so a
// server that never sends "\n" is bounded by MaxLine.
type sseReader struct {
	lr     *lineReader
	lastID string        // the last id field seen ("" before any)
	retry  time.Duration // the last valid retry field (0 before any)

	pending [][]byte // lines of a "\n" line split at bare "\r"
	data    []byte
	event   string
	hasData bool
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{lr: newLineReader(r)}
}

// next returns the next event with data. At the end of the stream it
// returns io.EOF (an event not followed by a blank line is dropped, as the
// format says).
func (sr *sseReader) next() (sseEvent, error) {
	for {
		line, err := sr.line()
		if err != nil {
			return sseEvent{}, err
		}
		if len(line) == 0 {
			if ev, ok := sr.dispatch(); ok {
				return ev, nil
			}
			continue
		}
		sr.field(line)
	}
}

// line returns the next line without its terminator.
func (sr *sseReader) line() ([]byte, error) {
	if len(sr.pending) == 0 {
		raw, err := sr.lr.next()
		if err != nil {
			return nil, err
		}
		raw = bytes.TrimSuffix(raw, []byte("\n"))
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if bytes.IndexByte(raw, '\r') < 0 {
			return raw, nil
		}
		for _, l := range bytes.Split(raw, []byte("\r")) {
			sr.pending = append(sr.pending, bytes.Clone(l))
		}
	}
	l := sr.pending[0]
	sr.pending = sr.pending[1:]
	return l, nil
}

func (sr *sseReader) field(line []byte) {
	if line[0] == ':' {
		return // a comment (keep-alive)
	}
	name, value, found := bytes.Cut(line, []byte(":"))
	if found {
		value = bytes.TrimPrefix(value, []byte(" "))
	}
	switch string(name) {
	case "data":
		sr.data = append(sr.data, value...)
		sr.data = append(sr.data, '\n')
		sr.hasData = true
	case "event":
		sr.event = string(value)
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			sr.lastID = string(value)
		}
	case "retry":
		if ms, err := strconv.ParseUint(string(value), 10, 31); err == nil {
			sr.retry = time.Duration(ms) * time.Millisecond
		}
	}
}

func (sr *sseReader) dispatch() (sseEvent, bool) {
	defer func() { sr.data, sr.event, sr.hasData = nil, "", false }()
	if !sr.hasData {
		return sseEvent{}, false
	}
	return sseEvent{event: sr.event, data: bytes.Clone(sr.data[:len(sr.data)-1])}, true
}

// oneLine turns a JSON message that may span lines (a pretty-printed
// body, or several data lines) into one newline-terminated line. Raw line
// breaks can only be whitespace between tokens in valid JSON, so they
// become spaces; every other byte is kept.
func oneLine(b []byte) []byte {
	b = bytes.TrimRight(b, " \t\r\n")
	out := make([]byte, len(b)+1)
	copy(out, b)
	for i, c := range out[:len(b)] {
		if c == '\n' || c == '\r' {
			out[i] = ' '
		}
	}
	out[len(b)] = '\n'
	return out
}

var errNoEndpoint = errors.New("the event stream ended before the server named its message endpoint")
