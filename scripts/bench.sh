#!/usr/bin/env bash
# bench.sh is the end-to-end half of `make bench` (issue 4, "Performance"):
# the echo tool of server-everything sent directly, through a minimal newline
# relay and through the shim (with an allow rule), sequential and 16-way, in
# one run; cold start and idle memory of the GUI-free shim against the same
# CLI linked with Wails; one 64 MiB echo. It prints the table and writes it
# to .bench/shim.md (docs/benchmarks.md quotes a run of it).
#
# Timing belongs here, never in pass/fail tests. Run it on a quiet machine:
# every figure is a ratio against a baseline measured in the same run, but a
# loaded machine still widens the spread.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.bench
mkdir -p "$out/bin"
everything=test/e2e/node_modules/@modelcontextprotocol/server-everything/dist/index.js
[ -f "$everything" ] || scripts/npm-ci.sh test/e2e

CGO_ENABLED=0 go build -trimpath -o "$out/bin/countersign" ./cmd/countersign
go build -o "$out/bin/relay" ./test/bench/relay
go build -o "$out/bin/bigecho" ./test/bench/bigecho
go build -o "$out/bin/mcpbench" ./test/bench/mcpbench
go build -tags webkit2_41 -o "$out/bin/wailsshim" ./test/bench/wailsshim

"$out/bin/mcpbench" \
	-countersign "$out/bin/countersign" -relay "$out/bin/relay" -wailsshim "$out/bin/wailsshim" \
	-everything "$everything" -bigecho "$out/bin/bigecho" \
	-n "${BENCH_CALLS:-2000}" -rounds "${BENCH_ROUNDS:-5}" -big "${BENCH_BIG_MIB:-64}" \
	-out "$out/shim.md" 2> "$out/stderr.log"
echo "bench.sh: table written to $out/shim.md (server stderr in $out/stderr.log)"
