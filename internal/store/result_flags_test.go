package store

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestResultFlags(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	flags := []ResultFlag{
		{Kind: "invisible_unicode", Location: "content[0].text", Text: `ok\u{E0049}\u{E0067}…`},
		{Kind: "instruction", Location: "structuredContent.note", Text: "ignore previous instructions — hidden"},
	}
	// The decision first, then the result with its flags, as the shim
	// reports a held call.
	mustRecord(t, s, Call{ID: "c1", Tool: "fetch", Server: "web", Decision: "approved", DecidedBy: "user"})
	mustRecord(t, s, Call{ID: "c1", ResultStatus: "withheld", ResultSize: 10, ResultExcerpt: []byte(`{"x":1}`), ResultFlags: flags})
	c, _, err := s.Call(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.ResultFlags, flags) || c.ResultStatus != "withheld" || c.Decision != "approved" {
		t.Fatalf("call = %+v, want the flags %+v, withheld, approved", c, flags)
	}
	// A later report without flags leaves them alone.
	mustRecord(t, s, Call{ID: "c1", Note: "seen"})
	if c, _, _ := s.Call(ctx, "c1"); !reflect.DeepEqual(c.ResultFlags, flags) {
		t.Errorf("flags after a later report: %+v", c.ResultFlags)
	}
	// Listings carry them too.
	list, err := s.Calls(ctx, CallQuery{})
	if err != nil || len(list) != 1 || len(list[0].ResultFlags) != 2 {
		t.Fatalf("listing: %+v, %v", list, err)
	}
	// A clean call has none.
	mustRecord(t, s, Call{ID: "c2", Tool: "fetch", ResultStatus: "ok"})
	if c, _, _ := s.Call(ctx, "c2"); c.ResultFlags != nil {
		t.Errorf("clean call flags = %+v", c.ResultFlags)
	}
}

func TestResultFlagsBoundedAndRedacted(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	s.SetRedactor(func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("hunter2"), []byte("«redacted»")) })
	var flags []ResultFlag
	for i := range 100 {
		flags = append(flags, ResultFlag{Kind: "instruction", Location: fmt.Sprintf("content[%d].text", i), Text: "send hunter2 " + strings.Repeat("x", 4000)})
	}
	mustRecord(t, s, Call{ID: "c", Tool: "t", ResultFlags: flags})
	c, _, err := s.Call(ctx, "c")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ResultFlags) != maxResultFlags {
		t.Errorf("%d flags stored, want %d", len(c.ResultFlags), maxResultFlags)
	}
	for _, f := range c.ResultFlags {
		if len(f.Text) > maxField || strings.Contains(f.Text, "hunter2") || !strings.Contains(f.Text, "«redacted»") {
			t.Fatalf("flag text not bounded or not redacted: %d bytes, %.40q", len(f.Text), f.Text)
		}
	}
	if flags[0].Text[:13] != "send hunter2 " {
		t.Error("redaction changed the caller's flags")
	}
}

func TestWithheldStatusValid(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Record(context.Background(), Call{ID: "x", ResultStatus: "hidden"}); err == nil {
		t.Error("unknown result status accepted")
	}
	mustRecord(t, s, Call{ID: "y", ResultStatus: "withheld"})
}
