package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// seeds holds, per schema version, data written in that version's shape.
// A database built at version v gets every seed up to v before it is
// migrated, so the test proves data survives every later step. Add a seed
// when a migration adds a table.
var seeds = map[int]string{
	1: `INSERT INTO rules(id, doc, created_at, updated_at) VALUES ('old-rule', '{"action":"allow"}', 1000, 1000);
	    INSERT INTO settings(key, value) VALUES ('retention', '90d');`,
	2: `INSERT INTO calls(id, requested_at, server, tool, note, args, decision)
	    VALUES ('old-call', 1764151200000000000, 'fs', 'legacy_tool', 'wombat', '{"q":"quokka"}', 'approved');`,
	4: `INSERT INTO events(at, kind, server, exit_code) VALUES (1764151300000000000, 'session_ended', 'fs', 3);`,
	7: `INSERT INTO calls(id, requested_at, server, tool, decision, result_status, result_flags)
	    VALUES ('flagged-call', 1764151400000000000, 'fs', 'read', 'approved', 'withheld',
	            '[{"kind":"instruction","location":"content[0].text","text":"ignore previous instructions"}]');`,
}

// buildAt creates a database at schema version v with its seeds.
func buildAt(t *testing.T, path string, v int) {
	t.Helper()
	if err := createPrivate(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if err := migrate(ctx, db, v); err != nil {
		t.Fatalf("migrate to v%d: %v", v, err)
	}
	for sv := 1; sv <= v; sv++ {
		if q, ok := seeds[sv]; ok {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("seed v%d: %v", sv, err)
			}
		}
	}
	got, err := schemaVersion(ctx, db)
	if err != nil || got != v {
		t.Fatalf("built version %d, %v; want %d", got, err, v)
	}
}

func TestMigrateFromEveryVersion(t *testing.T) {
	for v := 0; v <= len(migrations); v++ {
		t.Run(fmt.Sprintf("from v%d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			buildAt(t, path, v)
			s, err := Open(path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			ctx := context.Background()

			got, err := schemaVersion(ctx, s.rdb)
			if err != nil || got != len(migrations) {
				t.Fatalf("version after Open = %d, %v; want %d", got, err, len(migrations))
			}
			var applied []int
			rows, err := s.rdb.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var n int
				rows.Scan(&n)
				applied = append(applied, n)
			}
			rows.Close()
			want := []int{}
			for i := 1; i <= len(migrations); i++ {
				want = append(want, i)
			}
			if applied == nil {
				applied = []int{}
			}
			if !reflect.DeepEqual(applied, want) {
				t.Errorf("schema_migrations = %v, want %v", applied, want)
			}

			if v >= 1 {
				rs, err := s.Rules(ctx)
				if err != nil || len(rs) != 1 || rs[0].ID != "old-rule" {
					t.Errorf("old rule after migration: %+v, %v", rs, err)
				}
				if val, ok, err := s.Setting(ctx, "retention"); err != nil || !ok || val != "90d" {
					t.Errorf("old setting after migration: %q %v %v", val, ok, err)
				}
			}
			if v >= 2 {
				c, ok, err := s.Call(ctx, "old-call")
				if err != nil || !ok || c.Tool != "legacy_tool" || c.Decision != "approved" {
					t.Errorf("old call after migration: %+v %v %v", c, ok, err)
				}
				// Calls recorded before the full-text step are searchable.
				found, err := s.Calls(ctx, CallQuery{Search: "quokka"})
				if err != nil || len(found) != 1 || found[0].ID != "old-call" {
					t.Errorf("search for an old call: %v, %v", ids(found), err)
				}
			}

			if v >= 2 {
				// A call recorded before result flags existed has none.
				c, _, err := s.Call(ctx, "old-call")
				if err != nil || c.ResultFlags != nil {
					t.Errorf("old call flags after migration: %+v, %v", c.ResultFlags, err)
				}
			}
			if v >= 7 {
				c, ok, err := s.Call(ctx, "flagged-call")
				if err != nil || !ok || c.ResultStatus != "withheld" || len(c.ResultFlags) != 1 || c.ResultFlags[0].Kind != "instruction" {
					t.Errorf("flagged call after migration: %+v %v %v", c, ok, err)
				}
			}
			// Every migrated database takes result flags.
			mustRecord(t, s, Call{ID: "flags-" + fmt.Sprint(v), Tool: "t", ResultStatus: "withheld",
				ResultFlags: []ResultFlag{{Kind: "invisible_unicode", Location: "content[0].text", Text: `\u{E0049}`}}})
			if c, _, err := s.Call(ctx, "flags-"+fmt.Sprint(v)); err != nil || len(c.ResultFlags) != 1 || c.ResultFlags[0].Text != `\u{E0049}` {
				t.Errorf("result flags recorded after migration: %+v, %v", c.ResultFlags, err)
			}
			if v >= 4 {
				evs, err := s.Events(ctx, EventQuery{Kind: EventSessionEnded})
				if err != nil || len(evs) != 1 || evs[0].Server != "fs" || evs[0].ExitCode == nil || *evs[0].ExitCode != 3 {
					t.Errorf("old event after migration: %+v, %v", evs, err)
				}
			}
			if err := s.RecordEvent(ctx, Event{Kind: EventConfigChanged, Path: "/x/mcp.json"}); err != nil {
				t.Errorf("RecordEvent after migration: %v", err)
			}
			// The migrated database works for new data too.
			mustRecord(t, s, Call{ID: "new", Tool: "t", Note: "numbat"})
			found, err := s.Calls(ctx, CallQuery{Search: "numbat"})
			if err != nil || len(found) != 1 {
				t.Errorf("search for a new call: %v, %v", ids(found), err)
			}
			var ic string
			if err := s.rdb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
				t.Errorf("integrity_check = %q, %v", ic, err)
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	buildAt(t, path, len(migrations))
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'from the future', 0)", len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer build")
	}
	if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error = %v, want it to say the schema is newer", err)
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(path)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var n int
	if err := stores[0].rdb.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) {
		t.Errorf("%d migration rows, want %d", n, len(migrations))
	}
}
