package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The remote mode (-remote): the echo workload against server-everything in
// streamableHttp mode on loopback, sent directly (the TypeScript SDK's
// Streamable HTTP client, direct_http.mjs), through `mcp-remote URL` and
// through `countersign shim --url URL` with an allow rule, sequential and
// 16-way, rounds interleaved, medians reported.

type remoteVariant struct {
	name string
	run  func(url string, n, workers int) result
}

func runRemote(cs, everything, mcpRemote, direct string, env []string, n, rounds int, out string) {
	port := freePort()
	srv := exec.Command("node", everything, "streamableHttp")
	srv.Env = append(append([]string(nil), env...), "PORT="+strconv.Itoa(port))
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(srv.Start())
	defer func() {
		syscall.Kill(-srv.Process.Pid, syscall.SIGKILL)
		srv.Wait()
	}()
	waitPort(port)
	url := fmt.Sprintf("http://127.0.0.1:%d/mcp", port)

	stdio := func(argv []string) func(string, int, int) result {
		return func(_ string, n, workers int) result { return measure(argv, env, n, workers) }
	}
	variants := []remoteVariant{
		{"direct (TS SDK Streamable HTTP)", func(url string, n, workers int) result {
			return measureDirect(direct, url, env, n, workers)
		}},
		{"mcp-remote", stdio([]string{"node", mcpRemote, url, "--transport", "http-only"})},
		{"countersign shim --url", stdio([]string{cs, "shim", "--name", "bench", "--client", "bench", "--url", url, "--transport", "http"})},
	}
	seq := map[string][]result{}
	par := map[string][]result{}
	for range rounds {
		for _, v := range variants {
			seq[v.name] = append(seq[v.name], v.run(url, n, 1))
			par[v.name] = append(par[v.name], v.run(url, n, 16))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Remote server (Streamable HTTP on loopback)\n\n")
	fmt.Fprintf(&b, "server-everything streamableHttp, echo tool, %d calls per round, %d rounds interleaved, medians. Countersign with an allow rule.\n\n", n, rounds)
	for _, mode := range []struct {
		title string
		rs    map[string][]result
	}{{"sequential", seq}, {"16-way", par}} {
		base := summarize("", mode.rs[variants[0].name])
		mr := summarize("", mode.rs["mcp-remote"])
		fmt.Fprintf(&b, "### %s\n\n| path | calls/s | × direct | × mcp-remote | p50 | p50 added | p99 |\n|---|---:|---:|---:|---:|---:|---:|\n", mode.title)
		for _, v := range variants {
			s := summarize(v.name, mode.rs[v.name])
			fmt.Fprintf(&b, "| %s | %.0f | %.2f | %.2f | %s | %s | %s |\n", v.name, s.throughput,
				s.throughput/base.throughput, s.throughput/mr.throughput,
				round(s.p50), round(s.p50-base.p50), round(s.p99))
		}
		b.WriteString("\n")
	}
	fmt.Print(b.String())
	if out != "" {
		check(os.WriteFile(out, []byte(b.String()), 0o644))
	}
}

func round(d time.Duration) string { return d.Round(time.Microsecond).String() }

func measureDirect(script, url string, env []string, n, workers int) result {
	c := exec.Command("node", script, url, strconv.Itoa(n), strconv.Itoa(workers))
	c.Env = env
	c.Stderr = os.Stderr
	b, err := c.Output()
	if err != nil {
		fail("direct_http.mjs: %v", err)
	}
	var raw struct {
		P50        float64 `json:"p50_ns"`
		P99        float64 `json:"p99_ns"`
		Throughput float64 `json:"throughput"`
	}
	check(json.Unmarshal(b, &raw))
	return result{p50: time.Duration(raw.P50), p99: time.Duration(raw.P99), throughput: raw.Throughput}
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(port int) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fail("server-everything did not listen on %d", port)
}
