package toolguard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// bigList builds a tools/list result of n tools, about 5 KiB each, in the
// shape of real servers: a prose description and an input schema with
// described properties, enums and defaults.
func bigList(tb testing.TB, n int) []byte {
	tb.Helper()
	prose := "Search the repository for files and symbols that match the query, then return the matching paths with line numbers and a short excerpt of each match. Results are sorted by relevance; use the page argument to fetch more. This tool does not modify anything. "
	type prop struct {
		Type        string   `json:"type"`
		Description string   `json:"description"`
		Enum        []string `json:"enum,omitempty"`
		Default     any      `json:"default,omitempty"`
	}
	type tool struct {
		Name        string `json:"name"`
		Title       string `json:"title"`
		Description string `json:"description"`
		InputSchema struct {
			Type       string          `json:"type"`
			Properties map[string]prop `json:"properties"`
			Required   []string        `json:"required"`
		} `json:"inputSchema"`
		Annotations map[string]bool `json:"annotations"`
	}
	var tools []tool
	for i := range n {
		t := tool{Name: fmt.Sprintf("tool_%03d", i), Title: fmt.Sprintf("Tool %d", i), Description: strings.Repeat(prose, 5)}
		t.InputSchema.Type = "object"
		t.InputSchema.Properties = map[string]prop{}
		for j := range 16 {
			p := prop{Type: "string", Description: fmt.Sprintf("Parameter %d of the search: a glob, a path relative to the workspace root, or a literal string to match (case-insensitive unless set).", j)}
			if j%4 == 0 {
				p.Enum = []string{"asc", "desc", "relevance", "updated", "created"}
				p.Default = "relevance"
			}
			t.InputSchema.Properties[fmt.Sprintf("param_%02d", j)] = p
		}
		t.InputSchema.Required = []string{"param_00"}
		t.Annotations = map[string]bool{"readOnlyHint": true}
		tools = append(tools, t)
	}
	b, err := json.Marshal(map[string]any{"tools": tools})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestBigListIsRealistic(t *testing.T) {
	b := bigList(t, 200)
	if len(b) < 900<<10 || len(b) > 1200<<10 {
		t.Fatalf("bench listing is %d bytes, want about 1 MiB", len(b))
	}
	ev, err := Evaluate(server, KindTool, nil, b, Options{}, fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Pins) != 200 || len(ev.Findings) != 0 {
		t.Fatalf("%d pins, findings %+v", len(ev.Pins), ev.Findings)
	}
}

// BenchmarkEvaluate200Tools is the per-listing cost the shim pays: parse,
// scan and hash a 200-tool (~1 MiB) tools/list against stored pins, with
// other servers' tool names to check. Target ≤ 5 ms.
func BenchmarkEvaluate200Tools(b *testing.B) {
	list := bigList(b, 200)
	first, err := Evaluate(server, KindTool, nil, list, Options{}, fixedNow)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Scan: ScanOptions{OtherToolNames: []string{"send_email", "read_file", "search", "create_issue"}}}
	b.SetBytes(int64(len(list)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(server, KindTool, first.Pins, list, opts, fixedNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluateAndFilter200Tools adds withholding one tool from the
// listing, the full work for a listing with a quarantined tool.
func BenchmarkEvaluateAndFilter200Tools(b *testing.B) {
	list := bigList(b, 200)
	first, err := Evaluate(server, KindTool, nil, list, Options{}, fixedNow)
	if err != nil {
		b.Fatal(err)
	}
	changed := []byte(strings.Replace(string(list), "Tool 7\"", "Tool 7 \"", 1))
	b.SetBytes(int64(len(list)))
	b.ReportAllocs()
	for b.Loop() {
		ev, err := Evaluate(server, KindTool, first.Pins, changed, Options{}, fixedNow)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ev.Filter(changed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToolHash(b *testing.B) {
	raw := []byte(sampleTool)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := ToolHash(raw); err != nil {
			b.Fatal(err)
		}
	}
}
