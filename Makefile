# Gesher — the front door. `make help` lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/gesher
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
GOBIN := $(shell $(GO) env GOPATH)/bin
# Every Go source file: the binary is rebuilt only when one changes.
GO_SOURCES := $(shell find cmd internal -name '*.go' -o -name '*.sql' 2>/dev/null) go.mod go.sum
# The agent console's sources and its build (see the console target).
CONSOLE_DIST := internal/web/dist/console/index.html
CONSOLE_MODULES := web/console/node_modules/.package-lock.json
CONSOLE_SOURCES := $(shell find web/console/src web/console/public -type f 2>/dev/null) \
	web/console/index.html web/console/vite.config.ts web/console/tsconfig.json web/console/package.json \
	$(wildcard internal/i18n/locales/*.json)
# The chat widget's sources and its build (see the widget target).
WIDGET_DIST := internal/web/dist/widget/widget.js
WIDGET_MODULES := web/widget/node_modules/.package-lock.json
WIDGET_SOURCES := $(shell find web/widget/src -type f 2>/dev/null) \
	web/widget/vite.config.ts web/widget/tsconfig.json web/widget/package.json

.PHONY: help demo build test test-go lint fuzz fuzz-short bench deps clean console test-console test-e2e widget test-widget

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

demo: $(BIN) ## run Gesher with the seeded demo organisation (SQLite in ./data/demo)
	./$(BIN) demo

build: $(BIN) ## build the single binary into bin/gesher

$(BIN): $(GO_SOURCES) $(CONSOLE_DIST) $(WIDGET_DIST)
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gesher

# The agent console (web/console → internal/web/dist/console, embedded by go:embed): a file
# target, so Node runs only when the console's sources or the shared catalogs changed.
console: $(CONSOLE_DIST) ## build the agent console (type-check, then bundle)

$(CONSOLE_DIST): $(CONSOLE_SOURCES) $(CONSOLE_MODULES)
	cd web/console && npm run --silent build

$(CONSOLE_MODULES): web/console/package-lock.json
	cd web/console && npm ci --no-audit --no-fund --loglevel=error

test-console: $(CONSOLE_MODULES) ## the console's unit tests (Vitest)
	cd web/console && npx --no-install vitest run

# The chat widget (web/widget → internal/web/dist/widget/widget.js, served at /widget.js): one
# IIFE from Vite's library mode; the build prints its gzipped size and fails over 25 KB.
widget: $(WIDGET_DIST) ## build the chat widget (type-check, then bundle)

$(WIDGET_DIST): $(WIDGET_SOURCES) $(WIDGET_MODULES)
	cd web/widget && npm run --silent build

$(WIDGET_MODULES): web/widget/package-lock.json
	cd web/widget && npm ci --no-audit --no-fund --loglevel=error

test-widget: $(WIDGET_MODULES) ## the widget's unit tests (Vitest)
	cd web/widget && npx --no-install vitest run

E2E_MODULES := test/e2e/node_modules/.package-lock.json
$(E2E_MODULES): test/e2e/package-lock.json
	cd test/e2e && npm ci --no-audit --no-fund --loglevel=error

test-e2e: $(BIN) $(E2E_MODULES) ## the console in headless Chromium against a gesher demo (screenshots to docs/screenshots)
	node test/e2e/run.mjs $(BIN)

deps: ## install what the tests need when missing (Debian's postgresql, staticcheck)
	@./scripts/ensure-deps.sh

test: deps lint ## the whole suite: lint, Go tests on SQLite and a real PostgreSQL, short fuzzing, the console in a browser
	./scripts/with-postgres.sh $(MAKE) --no-print-directory test-go fuzz-short
	$(MAKE) --no-print-directory test-console test-widget test-e2e

test-go:
	$(GO) test -count=1 -timeout 20m ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l cmd internal bench test); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck ./...

# Every fuzz target in the tree, found by name, so a new one is run without editing this file.
FUZZ_TARGETS = $(shell grep -rl --include='*_test.go' '^func Fuzz' cmd internal | xargs -r dirname | sort -u)

fuzz-short: ## run every fuzz target for a few seconds (part of make test)
	@for pkg in $(FUZZ_TARGETS); do \
	  for f in $$(grep -h '^func Fuzz' $$pkg/*_test.go | sed -E 's/func (Fuzz[A-Za-z0-9_]+).*/\1/'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test ./$$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-4s} >/tmp/gesher-fuzz.log 2>&1 || \
	    { grep -q '^    context deadline exceeded$$' /tmp/gesher-fuzz.log && ! grep -q 'Failing input written' /tmp/gesher-fuzz.log && \
	      echo "  (the fuzzer overran its time on a loaded machine, not a finding: once more)" && \
	      $(GO) test ./$$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-4s} >/tmp/gesher-fuzz.log 2>&1; } || { cat /tmp/gesher-fuzz.log; exit 1; }; \
	  done; \
	done

fuzz: ## fuzz every parser for longer (FUZZTIME=1m by default)
	@$(MAKE) --no-print-directory fuzz-short FUZZTIME=$${FUZZTIME:-1m}

.PHONY: bench-quick bench-go crash
bench: $(BIN) ## load figures on loopback (about 5 minutes): a table, and bench/results/latest.json
	$(GO) run ./bench/cmd/gesher-bench -bin $(BIN)

bench-quick: $(BIN) ## the same load figures in under 90 seconds
	$(GO) run ./bench/cmd/gesher-bench -quick -bin $(BIN)

bench-go: ## Go benchmarks of the hot paths (COUNT=6 for benchstat)
	./scripts/with-postgres.sh $(GO) test -run '^$$' -bench . -benchmem -count $${COUNT:-1} ./...

crash: ## SIGKILL the server during ingest, CYCLES=20 times on SQLite and on PostgreSQL: nothing acknowledged may be lost
	GESHER_CRASH_CYCLES=$${CYCLES:-20} ./scripts/with-postgres.sh $(GO) test -count=1 -timeout 30m -v -run '^TestCrashLosesNothingAcknowledged$$' ./cmd/gesher

.PHONY: eval
eval: $(BIN) ## help-centre search figures on ../shared/data/helpcenter, on SQLite and PostgreSQL (docs/helpcenter.md)
	./scripts/with-postgres.sh ./scripts/eval-search.sh $(BIN)

clean: ## remove build output (not the data folder)
	rm -rf bin
