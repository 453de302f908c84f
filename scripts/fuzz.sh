#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang-14, ASan + UBSan) in $BUILD_FUZZ and runs each one
# for FUZZ_SECONDS, then prints executions and crashes per target. See fuzz/README.md.
#
#   scripts/fuzz.sh [TARGET...]          all targets when none is named
#   FUZZ_SECONDS=300   time per target          BUILD_FUZZ=build-fuzz   build directory
#   FUZZ_MAX_LEN=N     overrides every target's input-length cap (see MAX_LEN below)
#   FUZZ_ARGS="..."    extra libFuzzer flags, e.g. "-seed=1 -runs=1000"
#
# Every run first replays fuzz/regressions/<target>/* (past crashes): a failing replay fails the
# run. New crashes land in $BUILD_FUZZ/artifacts/<target>/; the corpus grows in
# $BUILD_FUZZ/corpus/<target>/ (seeded by fuzz/make_corpus.py from tests/fixtures).
# Exit status: 0 when no target crashed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_FUZZ=${BUILD_FUZZ:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-300}
ALL=(server_json http_router mcp jwt sarif config percent)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")

# Input-length caps (libFuzzer -max_len). server_json gets 64 KiB: the validator has no
# backtracking regex left (issue 9 item 1), so long strings must be explored too.
declare -A MAX_LEN=([server_json]=65536 [http_router]=8192 [mcp]=8192 [jwt]=4096 [sarif]=8192
  [config]=4096 [percent]=1024)
declare -A DICT=([server_json]="json server_json" [http_router]="http_router json server_json"
  [mcp]="json mcp" [jwt]="json jwt" [sarif]="json sarif" [config]="config" [percent]="")

MCPREG_WITH_FUZZ=1 scripts/install-deps.sh
if [ ! -f "$BUILD_FUZZ/build.ninja" ]; then
  cmake -S . -B "$BUILD_FUZZ" -G Ninja -DMCPREG_FUZZ=ON -DMCPREG_BUILD_TESTS=OFF \
    -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
build_targets=()
for t in "${TARGETS[@]}"; do build_targets+=(--target "fuzz_$t"); done
cmake --build "$BUILD_FUZZ" -j"${JOBS:-$(nproc)}" "${build_targets[@]}"
python3 fuzz/make_corpus.py "$BUILD_FUZZ/corpus" >/dev/null

mkdir -p "$BUILD_FUZZ/logs" "$BUILD_FUZZ/dict"
summary=()
failed=0
for t in "${TARGETS[@]}"; do
  bin="$BUILD_FUZZ/fuzz/fuzz_$t"
  art="$BUILD_FUZZ/artifacts/$t/"
  log="$BUILD_FUZZ/logs/$t.log"
  mkdir -p "$art"
  # 1. Past crashes must stay fixed.
  regs=()
  if [ -d "fuzz/regressions/$t" ]; then
    while IFS= read -r f; do regs+=("$f"); done < <(find "fuzz/regressions/$t" -type f ! -name '*.md' | sort)
  fi
  if [ ${#regs[@]} -gt 0 ] && ! "$bin" -runs=1 "${regs[@]}" >"$log.replay" 2>&1; then
    summary+=("$(printf '%-12s %8s %12s %9s %7s  %s' "$t" - - - - "REGRESSION (see $log.replay)")")
    failed=1
    continue
  fi
  # 2. Fuzz.
  dict=()
  if [ -n "${DICT[$t]}" ]; then
    : >"$BUILD_FUZZ/dict/$t.dict"
    for d in ${DICT[$t]}; do cat "fuzz/dict/$d.dict" >>"$BUILD_FUZZ/dict/$t.dict"; done
    dict=(-dict="$BUILD_FUZZ/dict/$t.dict")
  fi
  # Findings: crash-*, leak-*, timeout-*, oom-* (slow-unit-* only says a run was slow, which
  # on a loaded machine means little).
  findings() { find "$art" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) "$@"; }
  before=$(findings | wc -l)
  touch "$log.start"
  set +e
  # shellcheck disable=SC2086
  "$bin" "$BUILD_FUZZ/corpus/$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
    -max_len="${FUZZ_MAX_LEN:-${MAX_LEN[$t]}}" -timeout=30 -rss_limit_mb=2560 \
    -artifact_prefix="$art" "${dict[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  corpus=$(find "$BUILD_FUZZ/corpus/$t" -type f | wc -l)
  crashes=$(( $(findings | wc -l) - before ))
  result=ok
  if [ $rc -ne 0 ] || [ $crashes -gt 0 ]; then
    failed=1
    result="CRASH rc=$rc: $(findings -newer "$log.start" | head -1) $(grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error|property violated' "$log" || true)"
  fi
  summary+=("$(printf '%-12s %8s %12s %9s %7s  %s' "$t" "${FUZZ_SECONDS}s" "${execs:-?}" "${rate:-?}" "$corpus" "$result")")
done

printf '\n%-12s %8s %12s %9s %7s  %s\n' target time executions exec/s corpus result
printf '%s\n' "${summary[@]}"
exit $failed
