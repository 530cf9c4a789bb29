package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// procInfo identifies a process across pid reuse: pid plus start time.
type procInfo struct {
	pid, ppid int
	start     string // field 22 of /proc/PID/stat
	state     string
	cmdline   string
}

func readProc(pid int) (procInfo, bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procInfo{}, false
	}
	// comm (field 2) is in parentheses and may contain spaces: split after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return procInfo{}, false
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(fields[1])
	cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return procInfo{
		pid:     pid,
		ppid:    ppid,
		state:   fields[0],
		start:   fields[19], // field 22 overall
		cmdline: strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " "),
	}, true
}

// alive reports whether the same process still runs (a zombie counts as gone:
// it has exited and only waits to be reaped).
func (p procInfo) alive() bool {
	now, ok := readProc(p.pid)
	return ok && now.start == p.start && now.state != "Z"
}

// descendants lists the live processes below root whose command line contains substr.
func descendants(root int, substr string) []procInfo {
	entries, _ := os.ReadDir("/proc")
	all := map[int]procInfo{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			all[pid] = p
		}
	}
	var out []procInfo
	for _, p := range all {
		if !strings.Contains(p.cmdline, substr) || p.state == "Z" {
			continue
		}
		for a, hops := p.ppid, 0; a > 1 && hops < 64; hops++ {
			if a == root {
				out = append(out, p)
				break
			}
			a = all[a].ppid
		}
	}
	return out
}

// waitDescendant waits until a process below root runs a command containing substr.
func waitDescendant(t *testing.T, root int, substr string) procInfo {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for time.Now().Before(deadline) {
		if ps := descendants(root, substr); len(ps) == 1 {
			return ps[0]
		} else if len(ps) > 1 {
			t.Fatalf("want one process running %s below pid %d, found %d: %v", filepath.Base(substr), root, len(ps), ps)
		}
		time.Sleep(pollEvery)
	}
	t.Fatalf("no process running %s below pid %d after %v", substr, root, waitLong)
	return procInfo{}
}

// waitExited waits until p is gone.
func waitExited(t *testing.T, p procInfo, what string) {
	t.Helper()
	deadline := time.Now().Add(waitLong / 3)
	for time.Now().Before(deadline) {
		if !p.alive() {
			return
		}
		time.Sleep(pollEvery)
	}
	now, _ := readProc(p.pid)
	t.Errorf("%s (pid %d, %s) is still running %v later (state %s, ppid %d): orphaned", what, p.pid, p.cmdline, waitLong/3, now.state, now.ppid)
}
