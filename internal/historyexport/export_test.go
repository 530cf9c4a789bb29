package historyexport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/countersign/countersign/internal/localapi"
)

func calls() []localapi.HistoryCall {
	at := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	decided := at.Add(1500 * time.Millisecond)
	return []localapi.HistoryCall{
		{
			ID: "c2", RequestedAt: at.Add(time.Minute), Client: "claude-code", Server: "git", Tool: "push",
			Arguments: json.RawMessage(`{"remote": "=HYPERLINK(\"http://x\")"}`), Decision: "denied", DecidedBy: "user",
			Note: "-not today", DecidedAt: &decided, WaitMS: 1500, ResultExcerpt: json.RawMessage(`"line1\nline2"`),
		},
		{ID: "c1", RequestedAt: at, Server: "fs", Tool: "read_file", Arguments: json.RawMessage(`null`), Decision: "approved", DecidedBy: "rule", RuleID: "r1"},
	}
}

func walkOf(cs []localapi.HistoryCall) Walk {
	return func(fn func(localapi.HistoryCall) error) error {
		for _, c := range cs {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestWriteFormats(t *testing.T) {
	t.Run("jsonl", func(t *testing.T) {
		var b bytes.Buffer
		n, err := Write(&b, JSONL, walkOf(calls()))
		if err != nil || n != 2 {
			t.Fatalf("Write = %d, %v", n, err)
		}
		var got []localapi.HistoryCall
		sc := bufio.NewScanner(&b)
		for sc.Scan() {
			var c localapi.HistoryCall
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			got = append(got, c)
		}
		if len(got) != 2 || got[0].ID != "c2" || got[0].Note != "-not today" || got[1].RuleID != "r1" {
			t.Errorf("parsed back %+v", got)
		}
		if strings.Contains(b.String(), `\u003c`) {
			t.Error("HTML escaping in JSON lines")
		}
	})
	t.Run("csv", func(t *testing.T) {
		var b bytes.Buffer
		if _, err := Write(&b, CSV, walkOf(calls())); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(b.String(), "\r\n") {
			t.Error("CSV does not end in CRLF")
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatalf("CSV does not parse back: %v", err)
		}
		if !reflect.DeepEqual(recs[0], Header) || len(recs) != 3 {
			t.Fatalf("records %q", recs)
		}
		col := map[string]int{}
		for i, h := range Header {
			col[h] = i
		}
		push := recs[1]
		for k, want := range map[string]string{
			"id": "c2", "note": "'-not today", "arguments": `{"remote":"=HYPERLINK(\"http://x\")"}`,
			"result_excerpt": "line1\nline2", "decided_at": "2026-11-26T12:00:01.5Z", "wait_ms": "1500",
		} {
			if got := push[col[k]]; got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if got := recs[2][col["arguments"]]; got != "" {
			t.Errorf("null arguments cell %q", got)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if _, err := Write(&bytes.Buffer{}, "xml", walkOf(calls())); err == nil {
			t.Error("xml accepted")
		}
	})
}

func TestDefuseFormula(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "1": "1", "a=b": "a=b",
	} {
		if got := defuseFormula(in); got != want {
			t.Errorf("defuseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "calls.csv")
	t.Run("private and complete", func(t *testing.T) {
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		n, err := WriteFile(path, CSV, walkOf(calls()))
		if err != nil || n != 2 {
			t.Fatalf("WriteFile = %d, %v", n, err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v, %v", fi, err)
		}
		b, _ := os.ReadFile(path)
		if !strings.HasPrefix(string(b), "id,requested_at,") {
			t.Errorf("content %q", b)
		}
	})
	t.Run("failed walk leaves the old file and no temp", func(t *testing.T) {
		before, _ := os.ReadFile(path)
		boom := errors.New("core went away")
		_, err := WriteFile(path, JSONL, func(fn func(localapi.HistoryCall) error) error {
			fn(calls()[0])
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(before, after) {
			t.Error("a failed export replaced the file")
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			t.Errorf("left behind: %v", ents)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		if _, err := WriteFile(filepath.Join(dir, "no", "x.csv"), CSV, walkOf(nil)); err == nil {
			t.Error("no error")
		}
	})
}
