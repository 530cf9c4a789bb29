// Command relay is the floor the shim is measured against: one more process
// between client and server that copies whole lines both ways and decodes
// nothing. It is deliberately minimal; it is not part of the product.
package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
)

func pump(r io.Reader, w io.Writer) {
	br := bufio.NewReaderSize(r, 64<<10)
	var acc []byte
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			acc = append(acc, line...)
			continue
		}
		if acc != nil {
			line = append(acc, line...)
			acc = nil
		}
		if len(line) > 0 {
			if _, werr := w.Write(line); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		os.Exit(1)
	}
	go func() { pump(os.Stdin, in); in.Close() }()
	pump(out, os.Stdout)
	cmd.Wait()
}
