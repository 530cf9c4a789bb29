#!/usr/bin/env bash
# bench-history.sh is the history half of the benchmark (issue 8,
# "Performance"): it loads BENCH_ROWS (default 1,000,000) synthetic calls
# into a fresh database through test/bench/histload (batched store.Record,
# the core's own write path), starts `countersign daemon` on it, and times
# whole commands, process start included, median of BENCH_RUNS (default 10):
#
#   countersign history --search kumquat --limit 50   (a word in ~0.1% of calls)
#   countersign history --search report --limit 50    (a word in ~10% of calls)
#   countersign history --server github --limit 50    (1 call in 8)
#   countersign history --limit 50                    (no filter)
#
# Targets: each <= 150 ms; insert >= 20,000 calls/s; <= 1.5 KiB per call.
# It prints the table and writes it to .bench/history.md. Timing belongs
# here, never in pass/fail tests; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

rows=${BENCH_ROWS:-1000000}
runs=${BENCH_RUNS:-10}
out=.bench
mkdir -p "$out/bin"
CGO_ENABLED=0 go build -trimpath -o "$out/bin/countersign" ./cmd/countersign
go build -trimpath -o "$out/bin/histload" ./test/bench/histload

# A short state dir: the socket path must fit in sun_path.
state=$(mktemp -d /tmp/cshist.XXXXXX)
daemon=
cleanup() {
	if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
	rm -rf "$state"
}
trap cleanup EXIT
export COUNTERSIGN_HOME=$state
unset XDG_RUNTIME_DIR

load=$("$out/bin/histload" -db "$state/countersign.db" -n "$rows")
echo "$load"

"$out/bin/countersign" daemon 2> "$out/history-daemon.log" &
daemon=$!
for _ in $(seq 100); do
	"$out/bin/countersign" status >/dev/null 2>&1 && break
	sleep 0.1
done
"$out/bin/countersign" status >/dev/null

# median_ms CMD...: runs CMD once to warm the page cache, then $runs times.
median_ms() {
	"$@" >/dev/null 2>&1
	local times=() t0 t1
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

cs="$out/bin/countersign"
{
	echo "# History benchmark ($rows calls, median of $runs, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo
	echo "$load"
	echo
	echo "| command | median ms | target |"
	echo "| --- | ---: | ---: |"
	for q in "--search kumquat --limit 50" "--search report --limit 50" "--server github --limit 50" "--limit 50" "--decision denied --limit 50"; do
		# shellcheck disable=SC2086
		echo "| countersign history $q | $(median_ms "$cs" history $q) | 150 |"
	done
	echo "| countersign status (process start + one round trip) | $(median_ms "$cs" status) | - |"
} | tee "$out/history.md"
echo "bench-history.sh: table written to $out/history.md"
