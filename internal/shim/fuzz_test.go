package shim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// classifySeeds are lines that once mattered (escapes, duplicates, batches,
// strings that look like structure). The files under testdata/fuzz hold the
// same seeds plus anything the fuzzer finds.
var classifySeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"m":"hi"}}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools\/call","params":{"name":"echo"}}`,
	`{"jsonrpc":"2.0","id":1,"method":"tools\u002fcall","params":{"name":"echo"}}`,
	`{"jsonrpc":"2.0","id":1,"m\u0065thod":"tools/call"}`,
	`{"id":1,"method":"ping","method":"tools/call"}`,
	`{"id":null,"method":"tools/call"}`,
	`[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x"}}]`,
	`{"id":1,"x":"a\\","method":"ping"}`,
	`{"id":1,"x":"\",\"method\":\"tools/call","method":"ping"}`,
	`{"id":1,"params":{"a":"}}}]]"},"method":"ping"}`,
	"{\"id\":1,\"method\":\"ping\"}\r\n",
	`{"id":123456789012345678901234567890,"result":{"isError":true}}`,
	`{"method":"notifications/cancelled","params":{"requestId":"7"}}`,
	`{"id":1,"method":"ping"} trailing`,
	"",
	"\n",
}

// FuzzClassify checks the scanner against encoding/json as the oracle: it
// never panics, and on valid JSON it never reads a method other than the
// one encoding/json reads, so a tools/call cannot pass as something else.
func FuzzClassify(f *testing.F) {
	for _, s := range classifySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		m := classify(line)
		if !json.Valid(line) {
			return
		}
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 {
			return // json.Valid rejects empty input; nothing to compare
		}
		if trimmed[0] == '[' {
			if m.kind != kindBatch {
				t.Fatalf("valid array classified as %v: %q", m.kind, line)
			}
			return
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(line, &obj) != nil {
			if m.kind != kindInvalid && !m.ambiguous {
				t.Fatalf("encoding/json reads no object but classify says %v: %q", m.kind, line)
			}
			return
		}
		// Safety: whatever encoding/json takes as the method (duplicates
		// included: it keeps the last), a tools/call is never seen as
		// anything else unless the line is refused.
		var jsonMethod string
		methodIsString := json.Unmarshal(obj["method"], &jsonMethod) == nil && obj["method"] != nil && obj["method"][0] == '"'
		if methodIsString && jsonMethod == "tools/call" && m.method != "tools/call" && !m.ambiguous && m.kind != kindInvalid {
			t.Fatalf("encoding/json reads tools/call, classify reads %q (%v): %q", m.method, m.kind, line)
		}
		if m.ambiguous || m.kind == kindInvalid || !utf8.Valid(line) {
			// encoding/json replaces invalid UTF-8; the scanner keeps raw
			// bytes of unescaped strings. Neither can turn into a name or
			// method the shim acts on, so exact equality is not required.
			return
		}
		if hasDuplicateKeys(line) {
			t.Fatalf("duplicate members of an object not flagged: %q", line)
		}
		switch m.kind {
		case kindRequest, kindNotification:
			if !methodIsString || jsonMethod != m.method {
				t.Fatalf("method: classify %q, encoding/json %q (%s): %q", m.method, jsonMethod, obj["method"], line)
			}
		}
		if id, ok := obj["id"]; ok && !bytes.Equal(id, m.id) {
			t.Fatalf("id: classify %q, encoding/json %q: %q", m.id, id, line)
		}
		if _, ok := obj["id"]; !ok && m.kind == kindRequest {
			t.Fatalf("request without an id for encoding/json: %q", line)
		}
	})
}

// hasDuplicateKeys reports whether the top-level object has a member name
// the shim acts on more than once.
func hasDuplicateKeys(line []byte) bool {
	d := json.NewDecoder(bytes.NewReader(line))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	seen := map[string]bool{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		switch key {
		case "method", "id", "params", "result", "error":
			if seen[key] {
				return true
			}
			seen[key] = true
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// FuzzLineReader checks the framer: whatever the chunking of the reader,
// the lines it returns put back together are the input, and each line but
// the last ends in its only newline.
func FuzzLineReader(f *testing.F) {
	f.Add([]byte("{\"id\":1}\n{\"id\":2}\n"), uint8(0))
	f.Add([]byte("a\r\nb\r\n\n\nlast without newline"), uint8(1))
	f.Add([]byte("\n"), uint8(2))
	f.Add([]byte(""), uint8(0))
	// Lines longer than the 64 KiB buffer are in TestLineReaderLong: seeds
	// that big make the fuzzer's minimisation crawl.
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		checkLines(t, data, chunked(data, mode))
	})
}

// chunked returns a reader over data cut up the way mode says.
func chunked(data []byte, mode uint8) io.Reader {
	var r io.Reader = bytes.NewReader(data)
	switch mode % 4 {
	case 1:
		r = iotest.OneByteReader(r)
	case 2:
		r = iotest.HalfReader(r)
	case 3:
		r = iotest.DataErrReader(r)
	}
	return r
}

// checkLines reads r with a lineReader and checks the lines rebuild data.
func checkLines(t *testing.T, data []byte, r io.Reader) {
	t.Helper()
	lr := newLineReader(r)
	var got []byte
	for n := 0; ; n++ {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			if line != nil {
				t.Fatalf("EOF with a line %q", line)
			}
			break
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if len(line) == 0 {
			t.Fatalf("empty line %d", n)
		}
		if i := bytes.IndexByte(line, '\n'); i >= 0 && i != len(line)-1 {
			t.Fatalf("line %d has a newline inside: %q", n, line)
		}
		got = append(got, line...)
		if line[len(line)-1] != '\n' && len(got) != len(data) {
			t.Fatalf("line %d has no newline but is not the last", n)
		}
		if n > len(data) {
			t.Fatal("more lines than bytes")
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("reassembled %d bytes differ from the %d bytes in", len(got), len(data))
	}
}

func TestLineReaderLong(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 200<<10) // several times the 64 KiB buffer
	tests := map[string][]byte{
		"one long line":             append(append([]byte{}, long...), '\n'),
		"long last line no newline": append([]byte("{}\n"), long...),
		"long between short":        append(append([]byte("a\n"), long...), "\nb\r\n"...),
		"exactly the buffer":        append(bytes.Repeat([]byte("y"), 64<<10-1), "\nz\n"...),
	}
	for name, data := range tests {
		for mode := uint8(0); mode < 4; mode++ {
			t.Run(fmt.Sprintf("%s/mode%d", name, mode), func(t *testing.T) {
				checkLines(t, data, chunked(data, mode))
			})
		}
	}
}
