package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

func ruleIDs(t *testing.T, s *Store) []string {
	t.Helper()
	rs, err := s.Rules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestRulesCRUDPersists(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, id := range []string{"r1", "r2", "r3"} {
		if err := s.PutRule(ctx, id, []byte(`{"action":"allow","server":"fs","n":"`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond) // distinct creation times
	}
	before, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Replacing r1 keeps its creation time and place.
	if err := s.PutRule(ctx, "r1", []byte(`{"action":"deny"}`)); err != nil {
		t.Fatal(err)
	}
	found, err := s.DeleteRule(ctx, "r2")
	if err != nil || !found {
		t.Fatalf("DeleteRule(r2) = %v, %v; want true, nil", found, err)
	}
	found, err = s.DeleteRule(ctx, "r2")
	if err != nil || found {
		t.Fatalf("second DeleteRule(r2) = %v, %v; want false, nil", found, err)
	}

	s = reopen(t, s)
	rs, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(t, s); !reflect.DeepEqual(got, []string{"r1", "r3"}) {
		t.Fatalf("rules after reopen = %v, want [r1 r3]", got)
	}
	if string(rs[0].Doc) != `{"action":"deny"}` {
		t.Errorf("r1 doc = %s, want the replacement", rs[0].Doc)
	}
	if !rs[0].CreatedAt.Equal(before[0].CreatedAt) {
		t.Errorf("r1 created_at changed: %v -> %v", before[0].CreatedAt, rs[0].CreatedAt)
	}
	if !rs[1].CreatedAt.Equal(before[2].CreatedAt) || string(rs[1].Doc) != string(before[2].Doc) {
		t.Errorf("r3 changed across reopen: %+v vs %+v", rs[1], before[2])
	}
}

func TestPutRuleRejects(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, id string
		doc      []byte
	}{
		{"empty id", "", []byte(`{}`)},
		{"not json", "r", []byte(`{allow`)},
		{"empty doc", "r", nil},
		{"too large", "r", append(append([]byte(`"`), make([]byte, maxRuleDoc)...), '"')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.PutRule(ctx, tc.id, tc.doc); err == nil {
				t.Fatal("PutRule succeeded, want error")
			}
		})
	}
	if got := ruleIDs(t, s); len(got) != 0 {
		t.Errorf("rejected rules stored: %v", got)
	}
}

func TestPutRuleCopiesDoc(t *testing.T) {
	s, _ := openTemp(t)
	doc := []byte(`{"a":1}`)
	if err := s.PutRule(context.Background(), "r", doc); err != nil {
		t.Fatal(err)
	}
	copy(doc, `{"b":2}`)
	rs, _ := s.Rules(context.Background())
	if string(rs[0].Doc) != `{"a":1}` {
		t.Errorf("stored doc = %s", rs[0].Doc)
	}
}
