# mcpreg: `make run` and `make test` work on a fresh Debian 12 machine: they install what is
# missing (apt-get, sudo when not root), configure, build, then serve / test.
BUILD ?= build
JOBS  ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= ./var/registry.db

.PHONY: all deps configure build run test test-sanitize fuzz bench bench-replicas bench-mirror clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/mcpreg serve --listen $(LISTEN) --db $(DB)

# ctest runs with one throwaway PostgreSQL cluster that every test process shares through
# MCPREG_TEST_PG; the cluster is removed afterwards, pass or fail (scripts/pg-cluster.sh).
test: build
	cd $(BUILD) && $(CURDIR)/scripts/pg-cluster.sh with ctest --output-on-failure -j$(JOBS) --timeout 300

# The whole suite under ASan + UBSan in build-asan/ (scripts/test-sanitize.sh).
test-sanitize:
	scripts/test-sanitize.sh

# libFuzzer targets (clang-14) in build-fuzz/, each run FUZZ_SECONDS (default 300); prints
# executions and crashes per target (scripts/fuzz.sh, fuzz/README.md).
FUZZ_SECONDS ?= 300
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

bench: build
	MCPREG_WITH_BENCH=1 scripts/install-deps.sh
	bench/run.sh

# SQLite vs PostgreSQL: publish throughput, catch-up latency, list throughput (bench/replicas.sh).
bench-replicas: build
	MCPREG_WITH_BENCH=1 scripts/install-deps.sh
	bench/replicas.sh

# Mirroring 30,000 versions from a local upstream: full, unchanged and incremental syncs,
# with `mcpreg import URL` of the same catalog as the side-by-side reference (bench/mirror.sh).
bench-mirror: build
	bench/mirror.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
