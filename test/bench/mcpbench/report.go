package main

import (
	"fmt"
	"strings"
	"time"
)

type report struct {
	seq, par []summary
	start    []startResult
	memory   []memResult
	big      []bigResult
}

func (r report) find(list []summary, name string) summary {
	for _, s := range list {
		if s.name == name {
			return s
		}
	}
	return summary{}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/1e6) }

func (r report) String(n, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Echo tool of server-everything over stdio, %d calls per round, %d rounds, medians.\n\n", n, rounds)
	for _, part := range []struct {
		title string
		list  []summary
		base  string
	}{{"Sequential", r.seq, "relay"}, {"16-way concurrent", r.par, "direct"}} {
		direct, relay := r.find(part.list, "direct"), r.find(part.list, "relay")
		fmt.Fprintf(&b, "%s\n\n| path | p50 | p99 | calls/s | vs direct | vs relay | p50 added vs direct |\n|---|---|---|---|---|---|---|\n", part.title)
		for _, s := range part.list {
			fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %.2fx | %.2fx | %s |\n", s.name, ms(s.p50), ms(s.p99), s.throughput,
				s.throughput/direct.throughput, s.throughput/relay.throughput, ms(s.p50-direct.p50))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Cold start: exec to the first line echoed through `cat` (median of 30)\n\n| path | time | added vs direct |\n|---|---|---|\n")
	for _, s := range r.start {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.name, ms(s.median), ms(s.median-r.start[0].median))
	}
	fmt.Fprintf(&b, "\nIdle private memory of an initialized shim (Private_Clean + Private_Dirty)\n\n| binary | private memory |\n|---|---|\n")
	for _, m := range r.memory {
		fmt.Fprintf(&b, "| %s | %.1f MiB |\n", m.name, float64(m.privateKiB)/1024)
	}
	if len(r.big) > 0 {
		fmt.Fprintf(&b, "\nOne large echo through bigecho (request and result each the message size)\n\n| path | time | vs direct | peak RSS of the launched process |\n|---|---|---|---|\n")
		for _, g := range r.big {
			fmt.Fprintf(&b, "| %s | %s | %.2fx | %.0f MiB |\n", g.name, ms(g.elapsed), float64(g.elapsed)/float64(r.big[0].elapsed), float64(g.peakKiB)/1024)
		}
	}
	return b.String()
}
