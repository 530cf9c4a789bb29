package toolguard

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRenameTools(t *testing.T) {
	in := `{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"read_file","description":"Reads \"x\"","inputSchema":{"type":"object","properties":{"name":{"type":"string"}}}},` +
		` {"description":"no name first","name":"write"}],"nextCursor":"c2"}}`
	out, err := RenameTools([]byte(in), func(n string) string { return "fs" + NamespaceSep + n })
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(strings.Replace(in, `"name":"read_file"`, `"name":"fs__read_file"`, 1), `"name":"write"`, `"name":"fs__write"`, 1)
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	// a property called "name" inside a schema is not a tool name
	var r struct {
		Result struct {
			Tools []struct {
				InputSchema json.RawMessage `json:"inputSchema"`
			} `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &r); err != nil || !strings.Contains(string(r.Result.Tools[0].InputSchema), `"name":{"type":"string"}`) {
		t.Fatalf("schema changed: %s (%v)", out, err)
	}
	errResp := `{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"x"}}`
	if out, err := RenameTools([]byte(errResp), strings.ToUpper); err != nil || string(out) != errResp {
		t.Errorf("error response: %s, %v", out, err)
	}
	if _, err := RenameTools([]byte(`{"id":1,"result":{"tools":[{"name":"a","name":"b"}]}}`), strings.ToUpper); err == nil {
		t.Error("a tool with two names was renamed")
	}
}
