package shim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MaxLine bounds one JSON-RPC message. MCP has no limit of its own; clients
// send whole files and images inline, so the bound is generous.
const MaxLine = 256 << 20

// ErrLineTooLong is returned for a message over MaxLine.
var ErrLineTooLong = fmt.Errorf("message longer than %d MiB", MaxLine>>20)

// lineReader reads newline-delimited messages without copying short ones.
// The slice returned by next is valid until the following call.
type lineReader struct {
	br  *bufio.Reader
	acc []byte // holds a line longer than the bufio buffer
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line including its '\n' (absent only on a last
// line without one). At end of input it returns io.EOF with no line.
func (lr *lineReader) next() ([]byte, error) {
	if cap(lr.acc) > 1<<20 {
		lr.acc = nil // let a huge message's buffer go
	}
	line, err := lr.br.ReadSlice('\n')
	if err == nil {
		return line, nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		if len(line) > 0 && errors.Is(err, io.EOF) {
			return line, nil
		}
		return nil, err
	}
	lr.acc = append(lr.acc[:0], line...)
	for {
		line, err = lr.br.ReadSlice('\n')
		if len(lr.acc)+len(line) > MaxLine {
			lr.discardRest(err)
			return nil, ErrLineTooLong
		}
		lr.acc = append(lr.acc, line...)
		switch {
		case err == nil:
			return lr.acc, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return lr.acc, nil
		default:
			return nil, err
		}
	}
}

// discardRest skips to the end of an oversized line so the stream can go on.
func (lr *lineReader) discardRest(err error) {
	lr.acc = nil
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = lr.br.ReadSlice('\n')
	}
}
