package shim

import (
	"bytes"
	"os"
	"strings"
)

// The txtar format (golang.org/x/tools/txtar), read and written here so the
// tests need no module beyond go.mod: a comment, then files, each after a
// "-- name --" line.

type txtarFile struct {
	Name string
	Data []byte
}

type txtarArchive struct {
	Comment []byte
	Files   []txtarFile
}

func parseTxtarFile(name string) (*txtarArchive, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parseTxtar(b), nil
}

func parseTxtar(b []byte) *txtarArchive {
	a := &txtarArchive{}
	cur := &a.Comment
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		b = b[len(line):]
		if name, ok := txtarMarker(line); ok {
			a.Files = append(a.Files, txtarFile{Name: name})
			cur = &a.Files[len(a.Files)-1].Data
			continue
		}
		*cur = append(*cur, line...)
	}
	return a
}

func txtarMarker(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r\n")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

func formatTxtar(a *txtarArchive) []byte {
	var out []byte
	out = append(out, withNewline(a.Comment)...)
	for _, f := range a.Files {
		out = append(out, "-- "+f.Name+" --\n"...)
		out = append(out, withNewline(f.Data)...)
	}
	return out
}

func withNewline(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b, '\n')
	}
	return b
}
