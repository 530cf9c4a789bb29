// Command histload fills a Countersign database with synthetic calls for
// the history benchmark (scripts/bench-history.sh). It is the benchmark's
// bulk-load path and nothing else: it writes through store.Record in
// batches, the same group-committed path the core uses, and reports the
// insert rate and the bytes per call.
//
//	histload -db $COUNTERSIGN_HOME/countersign.db -n 1000000
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/countersign/countersign/internal/store"
)

// The vocabulary: the benchmark searches for "kumquat" (in about 1 in 1,000
// calls) and lists server "github" (1 in 8).
var (
	servers   = []string{"filesystem", "github", "postgres", "slack", "browser", "memory", "fetch", "shell"}
	tools     = []string{"read_text_file", "write_file", "list_directory", "search_code", "create_issue", "query", "post_message", "navigate"}
	clients   = []string{"claude-code", "cursor", "claude-desktop", "vscode"}
	decisions = []string{"approved", "approved", "approved", "approved", "denied", "blocked", "timeout"}
	words     = []string{"report", "invoice", "notes", "draft", "config", "readme", "main", "test", "budget", "roadmap",
		"alpha", "beta", "gamma", "delta", "summary", "backup", "export", "import", "archive", "release"}
)

func main() {
	db := flag.String("db", "", "database file (created if missing)")
	n := flag.Int("n", 1_000_000, "calls to load")
	batch := flag.Int("batch", 1000, "calls per Record")
	flag.Parse()
	if *db == "" {
		fmt.Fprintln(os.Stderr, "histload: -db is required")
		os.Exit(2)
	}
	if err := run(*db, *n, *batch); err != nil {
		fmt.Fprintln(os.Stderr, "histload:", err)
		os.Exit(1)
	}
}

func run(path string, n, batch int) error {
	s, err := store.Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	// Calls spread over the last 60 days, oldest first, as they would arrive.
	end := time.Now().Add(-time.Minute)
	step := 60 * 24 * time.Hour / time.Duration(n)
	at := end.Add(-time.Duration(n) * step)
	calls := make([]store.Call, 0, batch)
	start := time.Now()
	for i := range n {
		calls = append(calls, synth(rng, i, at))
		at = at.Add(step)
		if len(calls) == batch || i == n-1 {
			if err := s.Record(ctx, calls...); err != nil {
				return err
			}
			calls = calls[:0]
		}
	}
	took := time.Since(start)
	if err := s.Close(); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Printf("loaded %d calls in %s: %.0f calls/s, %.0f bytes/call (%d MiB)\n",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(fi.Size())/float64(n), fi.Size()>>20)
	return nil
}

// synth is a typical call: a path-like argument of ~80 bytes, a short
// result excerpt, decided by a rule or a person.
func synth(rng *rand.Rand, i int, at time.Time) store.Call {
	w := func() string { return words[rng.IntN(len(words))] }
	word := w()
	if rng.IntN(1000) == 0 {
		word = "kumquat"
	}
	args := fmt.Sprintf(`{"path":"/home/user/projects/%s/%s-%d.md","max_lines":%d}`, w(), word, rng.IntN(10000), 50+rng.IntN(200))
	sum := sha256.Sum256([]byte(args))
	d := decisions[rng.IntN(len(decisions))]
	by := "rule"
	if d == "timeout" {
		by = "timeout"
	} else if rng.IntN(3) == 0 {
		by = "user"
	}
	c := store.Call{
		ID: fmt.Sprintf("h%09d", i), SessionID: fmt.Sprintf("s%05d", i/500),
		Client: clients[rng.IntN(len(clients))], Server: servers[rng.IntN(len(servers))], Tool: tools[rng.IntN(len(tools))],
		Args: []byte(args), ArgsSize: int64(len(args)), ArgsDigest: hex.EncodeToString(sum[:]),
		RequestedAt: at, DecidedAt: at.Add(time.Duration(rng.IntN(3000)) * time.Millisecond),
		Decision: d, DecidedBy: by, WaitMS: int64(rng.IntN(3000)),
		ToolHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	}
	if by == "rule" {
		c.RuleID = "r" + fmt.Sprint(rng.IntN(20))
	}
	if d == "approved" {
		c.ServerMS, c.ResultStatus, c.ResultSize = int64(rng.IntN(200)), "ok", int64(200+rng.IntN(20000))
		c.ResultExcerpt = []byte(`{"content":[{"type":"text","text":"# ` + w() + ` ` + w() + `\n\nLorem ipsum dolor sit amet..."}]}`)
	}
	return c
}
