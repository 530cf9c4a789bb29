#!/bin/sh
# A tiny stdio MCP server for the secrets end-to-end test: it answers
# initialize (id 1) and a tools/call (id 2) whose result is the value of its
# MY_TOKEN environment variable, which the shim injects from the keychain.
# MY_TOKEN must hold no '"' or '\' (the test's value does not).
while IFS= read -r line; do
	case "$line" in
	*'"initialize"'*)
		printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"envserver","version":"1"}}}'
		;;
	*'"tools/call"'*)
		printf '{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"MY_TOKEN=%s"}]}}\n' "${MY_TOKEN:-unset}"
		;;
	esac
done
