// Command mcpbench measures what the shim adds to an MCP stdio round trip,
// against the same workload sent directly to the server and through a
// minimal line relay, in one run, and prints the ratios (make bench).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

type variant struct {
	name string
	argv func(server []string) []string
}

func main() {
	cs := flag.String("countersign", "build/bin/countersign", "the GUI-free countersign binary")
	relay := flag.String("relay", "", "the minimal relay binary")
	wails := flag.String("wailsshim", "", "countersign linked with Wails (optional)")
	everything := flag.String("everything", "", "server-everything dist/index.js")
	bigecho := flag.String("bigecho", "", "the bigecho server (for the large message)")
	n := flag.Int("n", 2000, "sequential calls per round")
	rounds := flag.Int("rounds", 5, "rounds per variant (interleaved; medians reported)")
	bigMiB := flag.Int("big", 64, "size of the large message in MiB (0 to skip)")
	out := flag.String("out", "", "also write the report to this file")
	remoteMode := flag.Bool("remote", false, "measure the remote bridge instead: direct Streamable HTTP, mcp-remote, shim --url")
	mcpRemote := flag.String("mcpremote", "test/bench/node_modules/mcp-remote/dist/proxy.js", "mcp-remote's proxy.js (with -remote)")
	directHTTP := flag.String("direct-http", "test/bench/mcpbench/direct_http.mjs", "the direct Streamable HTTP client script (with -remote)")
	flag.Parse()

	home, err := os.MkdirTemp("", "csb")
	check(err)
	defer os.RemoveAll(home)
	env := append(os.Environ(), "COUNTERSIGN_HOME="+home)
	daemon := exec.Command(*cs, "daemon")
	daemon.Env = env
	check(daemon.Start())
	defer daemon.Process.Kill()
	waitCore(*cs, env)
	run(env, *cs, "rules", "add", "allow", "--server", "bench", "--tool", "echo")
	if *remoteMode {
		runRemote(*cs, *everything, *mcpRemote, *directHTTP, env, *n, *rounds, *out)
		return
	}

	server := []string{"node", *everything, "stdio"}
	variants := []variant{
		{"direct", func(s []string) []string { return s }},
		{"relay", func(s []string) []string { return append([]string{*relay}, s...) }},
		{"shim", func(s []string) []string {
			return append([]string{*cs, "shim", "--name", "bench", "--client", "bench", "--"}, s...)
		}},
	}

	var r report
	seq := map[string][]result{}
	par := map[string][]result{}
	for round := 0; round < *rounds; round++ {
		for _, v := range variants {
			seq[v.name] = append(seq[v.name], measure(v.argv(server), env, *n, 1))
			par[v.name] = append(par[v.name], measure(v.argv(server), env, *n, 16))
		}
	}
	for _, v := range variants {
		r.seq = append(r.seq, summarize(v.name, seq[v.name]))
		r.par = append(r.par, summarize(v.name, par[v.name]))
	}
	r.start = coldStarts(*cs, *relay, *wails, env)
	r.memory = idleMemory(*cs, *wails, server, env)
	if *bigMiB > 0 {
		for _, v := range variants {
			r.big = append(r.big, bigMessage(v.name, v.argv([]string{*bigecho}), env, *bigMiB<<20))
		}
	}
	text := r.String(*n, *rounds)
	fmt.Print(text)
	if *out != "" {
		check(os.WriteFile(*out, []byte(text), 0o644))
	}
}

type result struct {
	p50, p99   time.Duration
	throughput float64 // calls per second
}

// measure runs n echo calls with the given concurrency on a fresh process.
func measure(argv, env []string, n, workers int) result {
	c, err := start(argv, env)
	check(err)
	defer c.close()
	check(c.initialize())
	params := []byte(`{"name":"echo","arguments":{"message":"hello from mcpbench"}}`)
	for range 200 { // warm up the JIT and the connection
		_, err := c.callRaw("tools/call", params)
		check(err)
	}
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	begin := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				t := time.Now()
				line, err := c.callRaw("tools/call", params)
				check(err)
				if !bytes.Contains(line, []byte("Echo: hello from mcpbench")) {
					fail("unexpected echo response: %.200s", line)
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	total := time.Since(begin)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return result{p50: lat[n/2], p99: lat[n*99/100], throughput: float64(n) / total.Seconds()}
}

type summary struct {
	name string
	result
}

func summarize(name string, rs []result) summary {
	med := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return summary{name, result{
		p50:        time.Duration(med(func(r result) float64 { return float64(r.p50) })),
		p99:        time.Duration(med(func(r result) float64 { return float64(r.p99) })),
		throughput: med(func(r result) float64 { return r.throughput }),
	}}
}

func waitCore(cs string, env []string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c := exec.Command(cs, "status")
		c.Env = env
		if c.Run() == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fail("countersign daemon did not start")
}

func run(env []string, argv ...string) {
	c := exec.Command(argv[0], argv[1:]...)
	c.Env = env
	if out, err := c.CombinedOutput(); err != nil {
		fail("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "mcpbench: "+format+"\n", a...)
	os.Exit(1)
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	check(err)
	return a
}
