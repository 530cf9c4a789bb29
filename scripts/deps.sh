#!/usr/bin/env bash
# deps.sh installs what building and testing Countersign needs on Debian 12
# (and Ubuntu): apt packages, the pinned Wails CLI, and the npm packages of
# frontend/, test/e2e/ and test/oauth/. It is idempotent and quick when everything is
# already there: apt is only updated and run when a package is missing, and
# `npm ci` only runs when package-lock.json changed since the last install
# (scripts/npm-ci.sh).
#
# On other systems it prints what to install and exits non-zero.
set -euo pipefail

cd "$(dirname "$0")/.."

WAILS_VERSION=v2.16.0
NODE_MIN=20.19 # vite 8 and @sveltejs/vite-plugin-svelte 7 need ^20.19 || >=22.12

APT_PACKAGES=(
	build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev # the Wails build (tag webkit2_41)
	xvfb xauth imagemagick                                         # real-window tests and screenshots
	chromium                                                       # Playwright through playwright-core
	gnome-keyring dbus-x11 libsecret-tools dbus at-spi2-core       # a real Secret Service for vault tests
)

say() { printf 'deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

other_systems() {
	cat >&2 <<'MSG'
deps: this script installs dependencies on Debian/Ubuntu only. Elsewhere, install:
  - Go 1.26 (https://go.dev/dl/)
  - Node.js >= 20.19 with npm
  - the Wails CLI: go install github.com/wailsapp/wails/v2/cmd/wails@v2.16.0
  - Linux (other distributions): a C toolchain, pkg-config, GTK 3 and WebKitGTK 4.1
    development headers; for the tests Xvfb, xauth, ImageMagick, Chromium,
    gnome-keyring, dbus, libsecret tools
  - macOS: Xcode command line tools (xcode-select --install)
  - Windows: the WebView2 runtime (preinstalled on Windows 11)
then run `npm ci` in frontend/, test/e2e/ and test/oauth/.
MSG
	exit 1
}

# --- system packages -------------------------------------------------------
apt_install() {
	local missing=() installed
	# One dpkg-query for all packages: it is slow to start.
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null |
		awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }' || true)
	for p in "${APT_PACKAGES[@]}"; do
		grep -qx "$p" <<<"$installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		return
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "missing packages (${missing[*]}) and not root; install them with apt-get as root"
		sudo=(sudo)
	fi
	say "installing apt packages: ${missing[*]}"
	# Wait for another apt/dpkg run instead of failing on its lock.
	local lock=(-o DPkg::Lock::Timeout=900)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"
}

if [ "$(uname -s)" != Linux ] || ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	other_systems
fi
apt_install

# --- Go and Node -------------------------------------------------------------
command -v go >/dev/null || die "Go is not installed: install Go 1.26 from https://go.dev/dl/ (Debian 12's golang package is too old)"

version_ge() { # version_ge A B: A >= B for dotted versions
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}
command -v node >/dev/null && command -v npm >/dev/null ||
	die "Node.js >= $NODE_MIN with npm is not installed (Debian 12's nodejs 18 is too old for Vite 8): install Node 22 LTS, e.g. from NodeSource or https://nodejs.org"
node_version=$(node --version | sed 's/^v//')
version_ge "$node_version" "$NODE_MIN" || die "Node.js $node_version is too old: need >= $NODE_MIN (Vite 8)"

# --- Wails CLI ---------------------------------------------------------------
gobin=$(go env GOBIN)
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
wails="$gobin/wails"
wails_version() { # the first line of `wails version`; the rest is a sponsor notice
	[ -x "$wails" ] || return 0
	"$wails" version 2>/dev/null | head -n1 || true
}
if [ "$(wails_version)" != "$WAILS_VERSION" ]; then
	say "installing the Wails CLI $WAILS_VERSION into $gobin"
	go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
	[ "$(wails_version)" = "$WAILS_VERSION" ] || die "wails version is '$(wails_version)', want $WAILS_VERSION"
fi

# --- npm packages --------------------------------------------------------------
scripts/npm-ci.sh frontend
scripts/npm-ci.sh test/e2e
scripts/npm-ci.sh test/oauth
