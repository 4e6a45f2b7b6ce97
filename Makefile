# Candlewick developer targets. `make test` is what CI runs (.ci/run).

GO       ?= go
BIN      ?= bin/candlewick
# Packages with goroutines of their own: tested under the race detector.
RACE_PKGS = ./eventlog/... ./engine/... ./backtest/... ./cmd/...
FUZZTIME ?= 1m
BENCH    ?= .
BENCHTIME ?= 1s

.PHONY: all build test vet bench fuzz demo clean interop

all: build

build:
	$(GO) build -o $(BIN) ./cmd/candlewick

vet:
	$(GO) vet ./...

# go vet, every test once with -shuffle=on, then the packages with goroutines
# again under -race (-short: the race detector is about interleavings, which
# the short tests exercise; the long data-set tests already ran above).
test: vet
	$(GO) test -count=1 -shuffle=on ./...
	$(GO) test -count=1 -shuffle=on -race -short $(RACE_PKGS)

# Benchmarks; numbers go to stdout and bench.txt. Some read ../shared/data when
# it exists and fall back to the repository's sample data otherwise.
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) ./... | tee bench.txt

# A short run of every fuzz target (FUZZTIME each).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# The README's first command: real sample data in, a summary out.
demo: build
	./$(BIN) demo

# Kafka interop with kcat and a Python confluent-kafka consumer group against
# `candlewick dev-kafka` (scripts/interop.sh; may apt-get install kcat and
# python3-confluent-kafka). Not part of `make test`.
interop:
	GO=$(GO) ./scripts/interop.sh

clean:
	rm -rf bin bench.txt
