#!/usr/bin/env bash
# Gate cost per publish: open mode (reference) vs governed mode, side by side in one process on
# one machine (tests/unit/governance_benchmark_test.cc). Prints the policy evaluation cost per
# version, serial publish latency and concurrent publish throughput, and their ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake --build "$BUILD" --target mcpreg_tests >/dev/null
"$BUILD/tests/mcpreg_tests" --gtest_also_run_disabled_tests \
  --gtest_filter='GovernanceBenchmark.*' 2>&1 | grep -v '^\[' | sed '/^$/d'
