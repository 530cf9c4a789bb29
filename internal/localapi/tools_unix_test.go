//go:build linux || darwin

package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// The test backend's tool methods: they echo what crossed the socket.

func (b *backend) ReviewList(ctx context.Context, rep ListReport) (ListVerdict, error) {
	if rep.Kind == "bad" {
		return ListVerdict{}, fmt.Errorf("%w: unknown kind", ErrInvalid)
	}
	var r struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(rep.Result, &r); err != nil {
		return ListVerdict{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	v := ListVerdict{Flags: map[string][]string{}}
	for _, t := range r.Tools {
		v.Hidden = append(v.Hidden, t.Name)
		v.Flags[t.Name] = []string{rep.SessionID}
	}
	return v, nil
}

func (b *backend) Tools(ctx context.Context, server string) ([]ToolPin, error) {
	if server == "" {
		return nil, nil
	}
	return []ToolPin{{Server: server, Name: "t", Findings: []ToolFinding{{Kind: "instruction"}}, Collisions: []string{"other"}}}, nil
}

func (b *backend) TrustTools(ctx context.Context, req TrustRequest) (TrustResult, error) {
	if req.Server == "nope" {
		return TrustResult{}, fmt.Errorf("no server %q: %w", req.Server, ErrNotFound)
	}
	var out TrustResult
	for _, n := range req.Names {
		out.Trusted = append(out.Trusted, req.Kind+":"+n)
	}
	return out, nil
}

func (b *backend) ToolDiff(ctx context.Context, server, kind, name string) (ToolDiff, error) {
	return ToolDiff{Server: server, Kind: kind, Name: name, Diff: "[-a-]{+b+}"}, nil
}

func TestToolRoutesCrossTheSocket(t *testing.T) {
	c := NewClient(serve(t, newBackend()))
	defer c.Close()
	ctx := context.Background()

	v, err := c.ReviewList(ctx, ListReport{SessionID: "s1", Kind: "tool", Result: json.RawMessage(`{"tools":[{"name":"a"},{"name":"b&c"}]}`)})
	want := ListVerdict{Hidden: []string{"a", "b&c"}, Flags: map[string][]string{"a": {"s1"}, "b&c": {"s1"}}}
	if err != nil || !reflect.DeepEqual(v, want) {
		t.Errorf("ReviewList = %+v, %v; want %+v", v, err, want)
	}
	v, err = c.ReviewList(ctx, ListReport{Kind: "tool", Result: json.RawMessage(`{}`)})
	if err != nil || v.Hidden == nil || len(v.Hidden) != 0 {
		t.Errorf("ReviewList of nothing = %#v, %v; want an empty, non-nil list", v, err)
	}
	if _, err := c.ReviewList(ctx, ListReport{Kind: "bad", Result: json.RawMessage(`{}`)}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad kind: %v, want ErrInvalid", err)
	}

	for _, tc := range []struct {
		server string
		want   int
	}{{"", 0}, {"fs & co", 1}} {
		t.Run("tools "+tc.server, func(t *testing.T) {
			list, err := c.Tools(ctx, tc.server)
			if err != nil || list == nil || len(list) != tc.want {
				t.Fatalf("Tools(%q) = %#v, %v", tc.server, list, err)
			}
			if tc.want > 0 && (list[0].Server != tc.server || len(list[0].Collisions) != 1 || len(list[0].Findings) != 1) {
				t.Errorf("Tools(%q) = %+v", tc.server, list[0])
			}
		})
	}

	res, err := c.TrustTools(ctx, TrustRequest{Server: "fs", Kind: "tool", Names: []string{"x", "y"}})
	if err != nil || !reflect.DeepEqual(res.Trusted, []string{"tool:x", "tool:y"}) {
		t.Errorf("TrustTools = %+v, %v", res, err)
	}
	res, err = c.TrustTools(ctx, TrustRequest{Server: "fs"})
	if err != nil || res.Trusted == nil {
		t.Errorf("TrustTools(all) = %#v, %v; want an empty, non-nil list", res, err)
	}
	if _, err := c.TrustTools(ctx, TrustRequest{Server: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown server: %v, want ErrNotFound", err)
	}

	d, err := c.ToolDiff(ctx, "fs?x", "", "read/file")
	if err != nil || d.Server != "fs?x" || d.Name != "read/file" || d.Kind != "" || d.Diff != "[-a-]{+b+}" {
		t.Errorf("ToolDiff = %+v, %v", d, err)
	}
}

func TestSessionUpdateShape(t *testing.T) {
	u := SessionUpdate{Quarantined: map[string][]string{"tool": {"read"}}, ListChanged: []string{"tool"}}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"quarantined":{"tool":["read"]},"list_changed":["tool"]}`; got != want {
		t.Errorf("SessionUpdate JSON = %s, want %s", got, want)
	}
	if b, _ := json.Marshal(SessionUpdate{SessionID: "s"}); string(b) != `{"session_id":"s"}` {
		t.Errorf("a plain update gained fields: %s", b)
	}
}
