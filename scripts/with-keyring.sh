#!/bin/sh
# with-keyring.sh CMD [ARGS...]
#
# Runs CMD inside a private D-Bus session with a real Secret Service
# (gnome-keyring-daemon, login keyring unlocked with a throwaway password)
# whose files live in a temporary HOME/XDG tree that is removed afterwards.
# The user's own keyring is never touched. Used by `make test`:
#
#   scripts/with-keyring.sh go test ./...
#
# Needs: dbus-run-session, gnome-keyring-daemon, dbus-send
# (apt-get install gnome-keyring dbus-x11 libsecret-tools dbus).
# Exits with CMD's status.
set -eu

if [ $# -eq 0 ]; then
	echo "usage: $0 CMD [ARGS...]" >&2
	exit 2
fi

if [ "${COUNTERSIGN_KEYRING_INNER:-}" != 1 ]; then
	for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "with-keyring: $tool not found; install it with: apt-get install gnome-keyring dbus-x11 libsecret-tools dbus" >&2
			exit 1
		fi
	done
	# HOME changes below; keep Go's caches where they are.
	if command -v go >/dev/null 2>&1; then
		GOPATH=$(go env GOPATH) GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)
		export GOPATH GOCACHE GOMODCACHE
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/countersign-keyring.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/runtime"
	chmod 700 "$tmp/runtime"
	set +e
	env -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL \
		HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
		XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/runtime" \
		COUNTERSIGN_KEYRING_INNER=1 dbus-run-session -- "$0" "$@"
	status=$?
	set -e
	exit "$status"
fi

# Inside the private session: start the daemon ourselves (in the
# foreground, so we own its pid), unlocking a new login keyring.
printf %s countersign-test-keyring | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
daemon=$!
stop_daemon() { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; }
trap stop_daemon EXIT INT TERM

i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$daemon" 2>/dev/null; then
		echo "with-keyring: gnome-keyring-daemon did not come up on the session bus" >&2
		exit 1
	fi
	sleep 0.1
done

set +e
"$@"
status=$?
set -e
exit "$status"
