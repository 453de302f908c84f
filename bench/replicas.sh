#!/usr/bin/env bash
# Issue 10 benchmark: SQLite vs PostgreSQL side by side in one run on this machine
# (tests/integration/replicas_benchmark_test.cc): durable publishes/s with 16 concurrent clients
# (SQLite; PostgreSQL one replica; PostgreSQL two replicas), catch-up latency between two
# processes (p50/p99), list requests/s per replica. Starts a throwaway PostgreSQL cluster
# (scripts/pg-cluster.sh) and stops it afterwards. Prints the figures and writes them to
# bench/out/replicas.txt. Needs wrk for the list figure (MCPREG_WITH_BENCH=1
# scripts/install-deps.sh). Not part of `make test` (about 70 s, saturates the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake --build "$BUILD" --target mcpreg mcpreg_tests >/dev/null
mkdir -p bench/out
scripts/pg-cluster.sh with "$BUILD/tests/mcpreg_tests" --gtest_also_run_disabled_tests \
  --gtest_filter='ReplicaBenchmark.*' 2>&1 | tee bench/out/replicas.log |
  grep -E '^\[ figures \]|FAILED|Failure' | tee bench/out/replicas.txt
