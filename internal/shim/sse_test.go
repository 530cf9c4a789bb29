package shim

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func readAllEvents(t testing.TB, in string) ([]sseEvent, *sseReader) {
	sr := newSSEReader(strings.NewReader(in))
	var evs []sseEvent
	for {
		ev, err := sr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("next: %v", err)
			}
			return evs, sr
		}
		evs = append(evs, ev)
	}
}

func TestSSEReader(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // event "|" data
		lastID   string
		retry    time.Duration
	}{
		{"one event", "data: {}\n\n", []string{"|{}"}, "", 0},
		{"crlf and type", "event: endpoint\r\ndata: /m?s=1\r\n\r\n", []string{"endpoint|/m?s=1"}, "", 0},
		{"bare cr inside a line", "data: a\rdata: b\r\r\n", []string{"|a\nb"}, "", 0},
		{"multi-line data", "data: {\"a\":\ndata:1}\n\n", []string{"|{\"a\":\n1}"}, "", 0},
		{"comments and ids", ": ping\nid: 5\nretry: 1500\ndata: x\n\nid: 6\n\n", []string{"|x"}, "6", 1500 * time.Millisecond},
		{"no data no event", "event: message\n\n", nil, "", 0},
		{"unterminated event dropped", "data: a\n\ndata: b\n", []string{"|a"}, "", 0},
		{"id with NUL ignored", "id: 1\n\nid: a\x00b\n\n", nil, "1", 0},
		{"bad retry ignored", "retry: 1s\ndata: x\n\n", []string{"|x"}, "", 0},
		{"field without colon", "data\n\n", []string{"|"}, "", 0},
		{"only one space stripped", "data:  x\n\n", []string{"| x"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, sr := readAllEvents(t, tc.in)
			var got []string
			for _, e := range evs {
				got = append(got, e.event+"|"+string(e.data))
			}
			if strings.Join(got, "\x00") != strings.Join(tc.want, "\x00") {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
			if sr.lastID != tc.lastID || sr.retry != tc.retry {
				t.Errorf("lastID %q retry %v, want %q %v", sr.lastID, sr.retry, tc.lastID, tc.retry)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1}`:               "{\"a\":1}\n",
		"{\"a\":\n1}\r\n":       "{\"a\": 1}\n",
		"{\"a\":\r\n\"\\n\"}\n": "{\"a\":  \"\\n\"}\n",
	} {
		if got := string(oneLine([]byte(in))); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSSEReader: any byte stream parses without panic, and what the shim
// makes of each event's data is exactly one line.
func FuzzSSEReader(f *testing.F) {
	for _, s := range []string{"data: {}\n\n", "event: endpoint\r\ndata: /x\r\n\r\n", "data: a\rdata: b\r\r\n", ":\n\nid\x00\n", "retry: 99999999999\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		sr := newSSEReader(bytes.NewReader(in))
		for {
			ev, err := sr.next()
			if err != nil {
				return
			}
			l := oneLine(ev.data)
			if bytes.Count(l, []byte("\n")) != 1 || l[len(l)-1] != '\n' || bytes.IndexByte(l, '\r') >= 0 {
				t.Fatalf("oneLine(%q) = %q", ev.data, l)
			}
			if strings.ContainsRune(sr.lastID, 0) {
				t.Fatalf("lastID with NUL: %q", sr.lastID)
			}
		}
	})
}
