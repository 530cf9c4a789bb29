package toolguard

import (
	"encoding/json"
	"strings"
	"testing"
)

// typicalResult is a tools/call result of about size bytes in the shape
// most results take: one text content block holding a file or a page
// (prose, code, markup, newlines and quotes that JSON escapes), with the
// words the phrase rules look at ("user", "ignore", "<", "[", ".env")
// occurring the way they do in ordinary text.
func typicalResult(tb testing.TB, size int) []byte {
	tb.Helper()
	para := "## Configuring the user service\n\n" +
		"The user service reads its settings from `config/app.yaml` and the environment. " +
		"Set `LOG_LEVEL` to \"debug\" to see each request; the default ignores debug output. " +
		"Each user has a profile [see profile.md] and a list of roles; an admin can override the roles of another user.\n\n" +
		"```go\nfunc (s *Server) handleUser(w http.ResponseWriter, r *http.Request) {\n" +
		"\tif r.Method != http.MethodGet {\n\t\thttp.Error(w, \"method not allowed\", 405)\n\t\treturn\n\t}\n" +
		"\tu, err := s.users.Get(r.Context(), r.PathValue(\"id\"))\n\tif err != nil && !errors.Is(err, ErrNotFound) {\n" +
		"\t\ts.log.Error(\"lookup failed\", \"err\", err) // <- keep the error for the operator\n\t}\n}\n```\n\n" +
		"| column | type | note |\n|---|---|---|\n| id | text | primary key |\n| name | text | shown to the user |\n\n" +
		"Values in .env.example are placeholders; the service never prints them. See <https://example.com/docs> for more.\n\n"
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(para)
	}
	text := b.String()[:size]
	res, err := json.Marshal(map[string]any{
		"content": []map[string]any{{"type": "text", "text": text}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestTypicalResultIsClean(t *testing.T) {
	res := typicalResult(t, 64<<10)
	rs := ScanToolResultPrefix(res, len(res))
	if len(rs.Findings) != 0 || !rs.Complete {
		t.Fatalf("typical result: %+v", rs)
	}
}

// BenchmarkScanToolResult is the cost the shim adds to a typical 64 KiB
// result without findings: the bounded scan it runs on every result.
func BenchmarkScanToolResult(b *testing.B) {
	res := typicalResult(b, 64<<10)
	b.SetBytes(int64(len(res)))
	b.ReportAllocs()
	for b.Loop() {
		if rs := ScanToolResultPrefix(res, len(res)); len(rs.Findings) != 0 {
			b.Fatal(rs.Findings)
		}
	}
}

// BenchmarkScanToolResultSmall is the scan of the shim's hot-path result
// (BenchmarkAllowedCall's echo): it must not allocate.
func BenchmarkScanToolResultSmall(b *testing.B) {
	res := []byte(`{"content":[{"type":"text","text":"Echo: hello from mcpbench"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if rs := ScanToolResultPrefix(res, 0); len(rs.Findings) != 0 {
			b.Fatal(rs.Findings)
		}
	}
}
