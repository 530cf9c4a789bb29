package toolguard

import (
	"encoding/json"
	"strings"
	"testing"
)

func hideNames(names ...string) func(string) bool {
	return func(k string) bool {
		for _, n := range names {
			if n == k {
				return true
			}
		}
		return false
	}
}

func TestFilterResult(t *testing.T) {
	tests := []struct {
		name, in, want string
		hide           []string
	}{
		{
			name: "keeps other members byte for byte",
			in:   "{ \"_meta\" : {\"z\":1,  \"a\":[1.50, 2e0]},\n  \"tools\": [ {\"name\":\"a\",  \"x\" : 1} ,\n {\"name\":\"bad\"}, {\"name\":\"c\",\"description\":\"\\u00e9\"} ],\n \"nextCursor\":\"abc\", \"futureField\": {\"k\": [true , null]} }",
			want: "{ \"_meta\" : {\"z\":1,  \"a\":[1.50, 2e0]},\n  \"tools\": [{\"name\":\"a\",  \"x\" : 1},{\"name\":\"c\",\"description\":\"\\u00e9\"}],\n \"nextCursor\":\"abc\", \"futureField\": {\"k\": [true , null]} }",
			hide: []string{"bad"},
		},
		{name: "nothing hidden is identical", in: "{\"tools\" : [ {\"name\":\"a\"} ] ,\"x\":1}", want: "{\"tools\" : [ {\"name\":\"a\"} ] ,\"x\":1}"},
		{name: "all hidden", in: `{"tools":[{"name":"a"},{"name":"b"}]}`, want: `{"tools":[]}`, hide: []string{"a", "b"}},
		{name: "escaped member name found", in: `{"to\u006fls":[{"name":"bad"}],"y":2}`, want: `{"to\u006fls":[],"y":2}`, hide: []string{"bad"}},
		{name: "escaped tool name matched", in: `{"tools":[{"name":"b\u0061d"}]}`, want: `{"tools":[]}`, hide: []string{"bad"}},
		{name: "unkeyed items dropped", in: `{"tools":[{"name":"a"},{"name":""},{"name":7},"x",null,{"title":"n"}]}`, want: `{"tools":[{"name":"a"}]}`},
		{name: "no tools member", in: `{"other":1}`, want: `{"other":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FilterResult(KindTool, []byte(tt.in), hideNames(tt.hide...))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFilterResultErrors(t *testing.T) {
	for _, in := range []string{`{"tools":[`, `{"tools":{}}`, `{"tools":[],"tools":[{"name":"bad"}]}`, `[]`, `{"tools":[{"name":"a","name":"bad"}]}`} {
		t.Run(in, func(t *testing.T) {
			if out, err := FilterResult(KindTool, []byte(in), hideNames("bad")); err == nil {
				t.Errorf("got %s, want error", out)
			}
		})
	}
}

func TestFilterResponse(t *testing.T) {
	msg := "{\"jsonrpc\":\"2.0\", \"id\" : 7,\"result\":{\"prompts\":[{\"name\":\"deploy\"},{\"name\":\"ok\"}],\"_meta\":{\"x\":\"y\"}},\"extra\":[1 ,2]}\n"
	got, err := FilterResponse(KindPrompt, []byte(msg), hideNames("deploy"))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"jsonrpc\":\"2.0\", \"id\" : 7,\"result\":{\"prompts\":[{\"name\":\"ok\"}],\"_meta\":{\"x\":\"y\"}},\"extra\":[1 ,2]}\n"
	if string(got) != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	errResp := `{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"nope"}}`
	if got, err := FilterResponse(KindPrompt, []byte(errResp), hideNames("deploy")); err != nil || string(got) != errResp {
		t.Errorf("error response changed: %s %v", got, err)
	}
	same := `{"id":1,"result":{"prompts":[{"name":"ok"}]}}`
	if got, _ := FilterResponse(KindPrompt, []byte(same), hideNames("deploy")); string(got) != same {
		t.Errorf("unfiltered response changed: %s", got)
	}
	for _, bad := range []string{`{"id":1,"result":[]}`, `{"id":1,"result":{"prompts":[]},"result":{}}`, `[1]`, `{"id":1`} {
		if _, err := FilterResponse(KindPrompt, []byte(bad), nil); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestEvaluationFilterHidesQuarantined(t *testing.T) {
	res := []byte(`{"tools":[{"name":"a","description":"x"},{"name":"b","description":"Adds.\u200b"}],"unknownField":{"keep":"me"}}`)
	ev := mustEval(t, nil, res, Options{})
	out, err := ev.Filter(res)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["unknownField"]) != `{"keep":"me"}` || strings.Contains(string(got["tools"]), `"b"`) || !strings.Contains(string(got["tools"]), `"a"`) {
		t.Errorf("filtered %s", out)
	}
	resp := []byte(`{"jsonrpc":"2.0","id":"x","result":` + string(res) + `}`)
	outResp, err := ev.FilterResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"jsonrpc":"2.0","id":"x","result":` + string(out) + `}`; string(outResp) != want {
		t.Errorf("response %s, want %s", outResp, want)
	}
}
