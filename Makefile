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

.PHONY: help demo build test test-go lint fuzz fuzz-short bench deps clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

demo: $(BIN) ## run Gesher with the seeded demo organisation (SQLite in ./data/demo)
	./$(BIN) demo

build: $(BIN) ## build the single binary into bin/gesher

$(BIN): $(GO_SOURCES)
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/gesher

deps: ## install what the tests need when missing (Debian's postgresql, staticcheck)
	@./scripts/ensure-deps.sh

test: deps lint ## the whole suite: lint, Go tests on SQLite and a real PostgreSQL, short fuzzing
	./scripts/with-postgres.sh $(MAKE) --no-print-directory test-go fuzz-short

test-go:
	$(GO) test -count=1 -timeout 20m ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l cmd internal); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck ./...

# Every fuzz target in the tree, found by name, so a new one is run without editing this file.
FUZZ_TARGETS = $(shell grep -rl --include='*_test.go' '^func Fuzz' cmd internal | xargs -r dirname | sort -u)

fuzz-short: ## run every fuzz target for a few seconds (part of make test)
	@for pkg in $(FUZZ_TARGETS); do \
	  for f in $$(grep -h '^func Fuzz' $$pkg/*_test.go | sed -E 's/func (Fuzz[A-Za-z0-9_]+).*/\1/'); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test ./$$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-4s} >/tmp/gesher-fuzz.log 2>&1 || { cat /tmp/gesher-fuzz.log; exit 1; }; \
	  done; \
	done

fuzz: ## fuzz every parser for longer (FUZZTIME=1m by default)
	@$(MAKE) --no-print-directory fuzz-short FUZZTIME=$${FUZZTIME:-1m}

bench: ## Go benchmarks of the hot paths
	./scripts/with-postgres.sh $(GO) test -run '^$$' -bench . -benchmem ./...

clean: ## remove build output (not the data folder)
	rm -rf bin
