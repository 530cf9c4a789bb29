package shim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
)

// MaxLine bounds one JSON-RPC message. MCP has no limit of its own; clients
// send whole files and images inline, so the bound is generous.
const MaxLine = 256 << 20

// ErrLineTooLong is returned for a message over MaxLine.
var ErrLineTooLong = fmt.Errorf("message longer than %d MiB", MaxLine>>20)

// lineReader reads newline-delimited messages without copying short ones.
// The slice returned by next is valid until the following call.
type lineReader struct {
	br   *bufio.Reader
	acc  []byte // holds a line longer than the bufio buffer
	huge bool   // the last line was over hugeLine
}

// hugeLine is the size from which a message's buffer is returned to the OS
// as soon as the message is handled.
const hugeLine = 8 << 20

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line including its '\n' (absent only on a last
// line without one). At end of input it returns io.EOF with no line.
func (lr *lineReader) next() ([]byte, error) {
	if cap(lr.acc) > 1<<20 {
		lr.acc = nil // let a huge message's buffer go
	}
	if lr.huge {
		// The last message was huge: hand its memory back before the next
		// one (often its response, as large) is read, so the two never
		// add up. Rare, and cheap next to copying the message.
		lr.huge = false
		debug.FreeOSMemory()
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
	// A long message: collect it in fixed blocks, then copy it once into a
	// buffer of the exact size. Growing one slice by append would copy it
	// several times and leave each outgrown copy for the GC, so a 64 MiB
	// message could briefly cost four times its size.
	blocks := [][]byte{append(make([]byte, 0, blockSize), line...)}
	total := len(line)
	for {
		line, err = lr.br.ReadSlice('\n')
		total += len(line)
		if total > MaxLine {
			lr.discardRest(err)
			return nil, ErrLineTooLong
		}
		for rest := line; len(rest) > 0; {
			last := &blocks[len(blocks)-1]
			if len(*last) == cap(*last) {
				blocks = append(blocks, make([]byte, 0, blockSize))
				last = &blocks[len(blocks)-1]
			}
			n := min(len(rest), cap(*last)-len(*last))
			*last = append(*last, rest[:n]...)
			rest = rest[n:]
		}
		switch {
		case err == nil, errors.Is(err, io.EOF):
			lr.acc = make([]byte, 0, total)
			for i, b := range blocks {
				lr.acc = append(lr.acc, b...)
				blocks[i] = nil
			}
			lr.huge = total > hugeLine
			return lr.acc, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		default:
			return nil, err
		}
	}
}

// blockSize is the unit in which long messages are collected.
const blockSize = 1 << 20

// discardRest skips to the end of an oversized line so the stream can go on.
func (lr *lineReader) discardRest(err error) {
	lr.acc = nil
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = lr.br.ReadSlice('\n')
	}
}
