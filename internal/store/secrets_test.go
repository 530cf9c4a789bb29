package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

func ptr(s string) *string { return &s }

func TestSecretMetadataPersists(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()

	first, created, err := s.PutSecret(ctx, "openai", ptr("project X, read-only"))
	if err != nil || !created {
		t.Fatalf("PutSecret(new) = %v, %v; want created", created, err)
	}
	if first.Note != "project X, read-only" || first.CreatedAt.IsZero() || !first.CreatedAt.Equal(first.UpdatedAt) {
		t.Fatalf("new secret = %+v", first)
	}
	time.Sleep(time.Millisecond)
	// Replacing the value without a note keeps the note, bumps updated_at.
	again, created, err := s.PutSecret(ctx, "openai", nil)
	if err != nil || created {
		t.Fatalf("PutSecret(existing) = %v, %v; want not created", created, err)
	}
	if again.Note != first.Note || !again.CreatedAt.Equal(first.CreatedAt) || !again.UpdatedAt.After(first.UpdatedAt) {
		t.Fatalf("after replace = %+v, first = %+v", again, first)
	}
	if _, _, err := s.PutSecret(ctx, "github", nil); err != nil {
		t.Fatal(err)
	}
	// An explicit empty note clears it.
	if got, _, err := s.PutSecret(ctx, "openai", ptr("")); err != nil || got.Note != "" {
		t.Fatalf("clearing the note = %+v, %v", got, err)
	}

	s = reopen(t, s)
	list, err := s.Secrets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "github" || list[1].Name != "openai" {
		t.Fatalf("Secrets after reopen = %+v, want github, openai", list)
	}
	if !list[1].CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("created_at changed across reopen: %v -> %v", first.CreatedAt, list[1].CreatedAt)
	}

	found, err := s.DeleteSecret(ctx, "openai")
	if err != nil || !found {
		t.Fatalf("DeleteSecret = %v, %v; want true", found, err)
	}
	found, err = s.DeleteSecret(ctx, "openai")
	if err != nil || found {
		t.Fatalf("second DeleteSecret = %v, %v; want false", found, err)
	}
}

func TestSecretUses(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	steps := []struct {
		server, client string
		pid            int
		at             time.Time
		names          []string
	}{
		{"gh", "cursor", 100, t0, []string{"github", "openai"}},
		{"gh", "cursor", 200, t0.Add(time.Hour), []string{"github"}},
		{"gh", "cursor", 300, t0.Add(-time.Hour), []string{"github"}}, // late report: last_used_at keeps the newest
		{"llm", "", 400, t0.Add(2 * time.Hour), []string{"openai"}},
	}
	for _, st := range steps {
		if err := s.RecordSecretUses(ctx, st.server, st.client, st.pid, st.at, st.names...); err != nil {
			t.Fatal(err)
		}
	}
	s = reopen(t, s)
	uses, err := s.SecretUses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) != 3 {
		t.Fatalf("uses = %+v, want 3 rows", uses)
	}
	for _, tc := range []struct {
		i                      int
		secret, server, client string
		n                      int64
		last                   time.Time
		pid                    int
	}{
		{0, "github", "gh", "cursor", 3, t0.Add(time.Hour), 300},
		{1, "openai", "llm", "", 1, t0.Add(2 * time.Hour), 400},
		{2, "openai", "gh", "cursor", 1, t0, 100},
	} {
		u := uses[tc.i]
		if u.Secret != tc.secret || u.Server != tc.server || u.Client != tc.client || u.Uses != tc.n || !u.LastUsedAt.Equal(tc.last) || u.LastPID != tc.pid {
			t.Errorf("use %d = %+v; want %s/%s/%s uses=%d last=%v pid=%d", tc.i, u, tc.secret, tc.server, tc.client, tc.n, tc.last, tc.pid)
		}
	}
	if _, _, err := s.PutSecret(ctx, "github", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteSecret(ctx, "github"); err != nil {
		t.Fatal(err)
	}
	uses, err = s.SecretUses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range uses {
		if u.Secret == "github" {
			t.Errorf("use of a deleted secret survived: %+v", u)
		}
	}
}

func TestSecretRejects(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"empty name", func() error { _, _, err := s.PutSecret(ctx, "", nil); return err }},
		{"long name", func() error { _, _, err := s.PutSecret(ctx, strings.Repeat("n", maxSecretName+1), nil); return err }},
		{"long note", func() error {
			_, _, err := s.PutSecret(ctx, "n", ptr(strings.Repeat("x", MaxSecretNote+1)))
			return err
		}},
		{"use without server", func() error { return s.RecordSecretUses(ctx, "", "", 1, time.Now(), "n") }},
		{"use with empty name", func() error { return s.RecordSecretUses(ctx, "srv", "", 1, time.Now(), "") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.fn(); err == nil {
				t.Fatal("accepted, want an error")
			}
		})
	}
	if list, err := s.Secrets(ctx); err != nil || len(list) != 0 {
		t.Fatalf("after rejected writes: %+v, %v; want nothing stored", list, err)
	}
}
