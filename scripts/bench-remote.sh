#!/usr/bin/env bash
# bench-remote.sh is the remote-bridge part of the benchmark (issue 10): the
# echo workload against server-everything in streamableHttp mode on
# loopback, directly (TypeScript SDK Streamable HTTP client), through
# mcp-remote and through `countersign shim --url` with an allow rule,
# sequential and 16-way, rounds interleaved. Writes .bench/remote.md.
set -euo pipefail
cd "$(dirname "$0")/.."

out=.bench
mkdir -p "$out/bin"
everything=test/e2e/node_modules/@modelcontextprotocol/server-everything/dist/index.js
[ -f "$everything" ] || scripts/npm-ci.sh test/e2e
[ -f test/bench/node_modules/mcp-remote/dist/proxy.js ] || scripts/npm-ci.sh test/bench

CGO_ENABLED=0 go build -trimpath -o "$out/bin/countersign" ./cmd/countersign
go build -o "$out/bin/mcpbench" ./test/bench/mcpbench

# mcp-remote keeps OAuth state under its config dir: keep it out of $HOME.
cfg=$(mktemp -d)
trap 'rm -rf "$cfg"' EXIT
MCP_REMOTE_CONFIG_DIR="$cfg" "$out/bin/mcpbench" -remote \
	-countersign "$out/bin/countersign" -everything "$everything" \
	-mcpremote test/bench/node_modules/mcp-remote/dist/proxy.js \
	-direct-http test/bench/mcpbench/direct_http.mjs \
	-n "${BENCH_CALLS:-2000}" -rounds "${BENCH_ROUNDS:-5}" \
	-out "$out/remote.md" 2> "$out/remote-stderr.log"
echo "bench-remote.sh: table written to $out/remote.md (stderr in $out/remote-stderr.log)"
