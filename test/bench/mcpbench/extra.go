package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

type startResult struct {
	name   string
	median time.Duration
}

// coldStarts measures exec to the first line echoed back through `cat`: the
// cost a client pays each time it launches a server behind the shim.
func coldStarts(cs, relay, wails string, env []string) []startResult {
	variants := []struct {
		name string
		argv []string
	}{
		{"direct (cat)", []string{"cat"}},
		{"relay", []string{relay, "cat"}},
		{"shim (countersign, GUI-free)", []string{cs, "shim", "--name", "cat", "--", "cat"}},
	}
	if wails != "" {
		variants = append(variants, struct {
			name string
			argv []string
		}{"shim linked with Wails", []string{wails, "shim", "--name", "cat", "--", "cat"}})
	}
	var out []startResult
	const runs = 30
	times := make([][]time.Duration, len(variants))
	for range runs {
		for i, v := range variants {
			times[i] = append(times[i], firstEcho(v.argv, env))
		}
	}
	for i, v := range variants {
		sort.Slice(times[i], func(a, b int) bool { return times[i][a] < times[i][b] })
		out = append(out, startResult{v.name, times[i][runs/2]})
	}
	return out
}

func firstEcho(argv, env []string) time.Duration {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	in, _ := cmd.StdinPipe()
	outp, _ := cmd.StdoutPipe()
	t := time.Now()
	check(cmd.Start())
	fmt.Fprintln(in, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	_, err := bufio.NewReader(outp).ReadBytes('\n')
	d := time.Since(t)
	check(err)
	in.Close()
	cmd.Wait()
	return d
}

type memResult struct {
	name       string
	privateKiB int
}

// idleMemory reads the private memory of an initialized, idle shim.
func idleMemory(cs, wails string, server, env []string) []memResult {
	variants := []struct {
		name string
		bin  string
	}{{"shim (countersign, GUI-free)", cs}}
	if wails != "" {
		variants = append(variants, struct {
			name string
			bin  string
		}{"shim linked with Wails", wails})
	}
	var out []memResult
	for _, v := range variants {
		c, err := start(append([]string{v.bin, "shim", "--name", "bench", "--"}, server...), env)
		check(err)
		check(c.initialize())
		_, err = c.call("tools/list", map[string]any{})
		check(err)
		time.Sleep(500 * time.Millisecond)
		out = append(out, memResult{v.name, privateKiB(c.cmd.Process.Pid)})
		c.close()
	}
	return out
}

func privateKiB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	check(err)
	total := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && (f[0] == "Private_Clean:" || f[0] == "Private_Dirty:") {
			v, _ := strconv.Atoi(f[1])
			total += v
		}
	}
	return total
}

func peakKiB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	check(err)
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			v, _ := strconv.Atoi(strings.Fields(l)[1])
			return v
		}
	}
	return 0
}

type bigResult struct {
	name    string
	elapsed time.Duration
	peakKiB int
}

// bigMessage echoes one message of size bytes and reads the peak RSS of the
// process the client launched (the server itself when direct).
func bigMessage(name string, argv, env []string, size int) bigResult {
	c, err := start(argv, env)
	check(err)
	defer c.close()
	check(c.initialize())
	msg := bytes.Repeat([]byte("x"), size)
	params := append(append([]byte(`{"name":"echo","arguments":{"message":"`), msg...), `"}}`...)
	t := time.Now()
	line, err := c.callRaw("tools/call", params)
	d := time.Since(t)
	check(err)
	if len(line) < size {
		fail("%s: large echo came back with %d bytes", name, len(line))
	}
	return bigResult{name, d, peakKiB(c.cmd.Process.Pid)}
}
