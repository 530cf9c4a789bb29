package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashChildEnv, when set to a database path, turns the test binary into the
// crash test's child: it records calls as fast as it can and prints
// "ack <id>" for each call whose Record returned, until it is killed.
const crashChildEnv = "COUNTERSIGN_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		os.Exit(crashChild(path, os.Getenv(crashChildEnv+"_ROUND")))
	}
	os.Exit(m.Run())
}

func crashChild(path, round string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	ctx := context.Background()
	// Checkpoint often, so kills also land while WAL pages are being
	// copied into the database file.
	if _, err := s.wdb.ExecContext(ctx, "PRAGMA wal_autocheckpoint=16"); err != nil {
		fmt.Fprintln(os.Stderr, "child pragma:", err)
		return 1
	}
	var out sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	args := []byte(`{"path":"/tmp/` + strings.Repeat("x", 300) + `"}`)
	deadline := time.Now().Add(time.Minute) // never outlive a parent that forgot us
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				n := 1 + i%10 // single calls and small batches
				calls := make([]Call, n)
				for j := range calls {
					calls[j] = Call{
						ID: fmt.Sprintf("r%s-g%d-%d-%d", round, g, i, j), Server: "fs", Tool: "write_file",
						Args: args, RequestedAt: time.Now(), Decision: "approved", DecidedBy: "rule",
					}
				}
				if err := s.Record(ctx, calls...); err != nil {
					fmt.Fprintln(os.Stderr, "child record:", err)
					os.Exit(1)
				}
				out.Lock()
				for _, c := range calls {
					fmt.Fprintf(w, "ack %s\n", c.ID)
				}
				w.Flush() // acknowledged only once the parent can read it
				out.Unlock()
			}
		}()
	}
	wg.Wait()
	return 0
}

// killAfter is how many acknowledgements the parent waits for before it
// kills the child in a round; each round starts from the WAL the previous
// kill left behind.
func killAfter(round int) int { return 600 + 200*round }

func TestCrashKeepsAcknowledgedRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns and kills child processes; skipped in -short mode")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	_, path := openTemp(t) // create and migrate; the store is closed at cleanup, the child opens its own
	acked := map[string]bool{}
	for round := range 3 {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s_ROUND=%d", crashChildEnv, round))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n, killed := 0, false

		for sc.Scan() {
			line := sc.Text()
			id, ok := strings.CutPrefix(line, "ack ")
			if !ok {
				t.Fatalf("child printed %q", line)
			}
			acked[id] = true
			n++

			if n == killAfter(round) && !killed {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL on unix
					t.Fatal(err)
				}
				killed = true
			}
		}
		werr := cmd.Wait()
		if !killed {
			t.Fatalf("child exited before the kill: %v\n%s", werr, stderr.String())
		}
		t.Logf("round %d: %d acknowledged (%d after the kill signal)", round, n, n-(killAfter(round)))
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	var ic string
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
		t.Fatalf("integrity_check = %q, %v", ic, err)
	}
	if err := s.write(ctx, func(tx *sqlTx) error {
		_, err := tx.Exec("INSERT INTO calls_fts(calls_fts) VALUES ('integrity-check')")
		return err
	}); err != nil {
		t.Errorf("fts integrity-check: %v", err)
	}
	stored := map[string]bool{}
	rows, err := s.rdb.QueryContext(ctx, "SELECT id FROM calls")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		stored[id] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for id := range acked {
		if !stored[id] {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged call %s missing", id)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged calls missing", missing, len(acked))
	}
	t.Logf("%d acknowledged, %d stored", len(acked), len(stored))
}
