#!/usr/bin/env bash
# npm-ci.sh DIR runs `npm ci` in DIR unless node_modules already matches
# DIR/package-lock.json. npm ci wipes node_modules and reinstalls, so a stamp
# holding the lock file's hash lets repeated runs (scripts/deps.sh, and
# `wails build` through wails.json's frontend:install) skip it.
set -euo pipefail

dir=${1:?usage: npm-ci.sh DIR}
[ -f "$dir/package.json" ] || exit 0
if [ ! -f "$dir/package-lock.json" ]; then
	echo "npm-ci: $dir/package-lock.json is missing: run 'npm install' in $dir and commit the lock file" >&2
	exit 1
fi
stamp="$dir/node_modules/.countersign-lock-sha256"
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
echo "npm-ci: npm ci in $dir" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
