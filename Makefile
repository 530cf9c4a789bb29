# Countersign. Two commands on a fresh Debian/Ubuntu machine:
#   make run    install what is missing, build, start the desktop app
#   make test   install what is missing, build, run every test
# Other targets: deps, build, bench, lint, clean. See README.md.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

GO    ?= go
TAGS  := webkit2_41
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/countersign/countersign/internal/core.Version=$(VERSION)
BIN   := build/bin
# The Wails CLI pinned by scripts/deps.sh, wherever `go install` put it.
WAILS  = $(or $(shell $(GO) env GOBIN 2>/dev/null),$(shell $(GO) env GOPATH 2>/dev/null)/bin)/wails

# Section headers: loud and greppable in CI logs, one short line locally.
ifeq ($(CI),true)
section = @printf '\n========== %s ==========\n' '$(1)'
else
section = @printf -- '--> %s\n' '$(1)'
endif

.PHONY: deps build build-cli build-desktop run test test-go test-frontend test-desktop test-ui bindings-current gui-free vet lint bench clean

deps:
	$(call section,deps: apt packages + Wails CLI + npm packages)
	scripts/deps.sh

build: deps build-cli build-desktop

# GUI-free: CLI, shim, daemon. CGO_ENABLED=0 proves it links no GUI library.
build-cli:
	$(call section,build $(BIN)/countersign (GUI-free))
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/countersign ./cmd/countersign

# The Wails app: regenerates frontend/wailsjs, builds the frontend, links
# WebKitGTK 4.1. -m: no `go mod tidy` (several people edit go.mod);
# -nosyncgomod: go.mod already pins the CLI's Wails version.
build-desktop:
	$(call section,build $(BIN)/countersign-desktop (Wails))
	$(WAILS) build -m -nosyncgomod -trimpath -tags $(TAGS) -ldflags '$(LDFLAGS)' -o countersign-desktop

run: build
	$(call section,run $(BIN)/countersign)
	$(BIN)/countersign

test: build vet test-frontend test-go test-desktop test-ui bindings-current

vet: gui-free
	$(call section,go vet (linux; tags $(TAGS)))
	$(GO) vet -tags $(TAGS) ./...
	$(call section,go vet (windows: internal and cmd))
	GOOS=windows $(GO) vet ./internal/... ./cmd/...

# DESIGN.md "Two builds": the binary written into client configs must not
# link Wails, GTK/WebKit or the tray. CGO_ENABLED=0 catches Wails; this
# catches the pure-Go parts (systray talks D-Bus without cgo).
gui-free:
	$(call section,cmd/countersign links no GUI package)
	@bad=$$(CGO_ENABLED=0 $(GO) list -deps ./cmd/countersign | grep -E '^(github.com/wailsapp/|fyne.io/systray|github.com/countersign/countersign/app($$|/))' || true); \
	if [ -n "$$bad" ]; then echo "cmd/countersign imports GUI packages:"; echo "$$bad"; exit 1; fi

test-frontend:
	$(call section,frontend: svelte-check)
	npm --prefix frontend run --silent check
	$(call section,frontend: vitest)
	npm --prefix frontend test --silent

# Every Go test, with a real Secret Service in a private D-Bus session;
# COUNTERSIGN_REQUIRE_KEYRING=1 makes keyring tests fail instead of skipping.
test-go:
	$(call section,go test -race (with a real keyring))
	COUNTERSIGN_REQUIRE_KEYRING=1 scripts/with-keyring.sh $(GO) test -race -timeout 30m -tags $(TAGS) ./...

# The real-window smoke test: the built desktop app under Xvfb and a private
# D-Bus session holds a real call; the screenshot is kept in test/artifacts/.
# Playwright (Debian's chromium) against `wails dev` with the real core, a
# real shim and server-everything; screenshots in test/artifacts/ui-*.png.
test-ui:
	$(call section,ui: Playwright against wails dev (test/artifacts/ui-*.png))
	test/ui/run.sh

test-desktop:
	$(call section,desktop: real window under Xvfb (test/artifacts/desktop-held-call.png))
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
		$(GO) test -count=1 -v -tags desktop,$(TAGS) ./test/desktop/

# The committed frontend/wailsjs must be what `wails build` generated from app/.
bindings-current:
	$(call section,frontend/wailsjs matches app/)
	@if git rev-parse --git-dir >/dev/null 2>&1 && [ -n "$$(git status --porcelain -- frontend/wailsjs)" ]; then \
		git status --short -- frontend/wailsjs; \
		echo 'frontend/wailsjs changed after `wails build`: commit the regenerated bindings'; exit 1; \
	fi

bench: deps
	$(call section,go benchmarks)
	$(GO) test -run '^$$' -bench . -benchmem -tags $(TAGS) ./...
	$(call section,scripts/bench.sh: the shim against direct and a minimal relay)
	scripts/bench.sh
	$(call section,scripts/bench-remote.sh: shim --url against direct HTTP and mcp-remote)
	scripts/bench-remote.sh
	$(call section,scripts/bench-history.sh: history commands on 1M calls)
	scripts/bench-history.sh

# frontend/dist must exist for the root package to compile (go:embed).
frontend/dist/index.html:
	scripts/npm-ci.sh frontend
	npm --prefix frontend run --silent build

lint: frontend/dist/index.html
	$(call section,gofmt)
	@out=$$(find . -name node_modules -prune -o -name '*.go' -print | xargs gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(MAKE) --no-print-directory vet

clean:
	rm -rf $(BIN) frontend/dist
