#!/usr/bin/env bash
# Mirroring benchmark (issue 13): a local upstream `mcpreg serve` holding N servers x V versions
# (bench/gen_catalog.py, default 10,000 x 3 = 30,000 versions) and a fresh downstream database.
#   1. full mirror:        `mcpreg mirror --once` into the empty database (wall time, requests)
#   2. unchanged upstream: the same again (one updated_since request, nothing written)
#   3. incremental:        10 new versions imported upstream, then `mcpreg mirror --once`
#   4. reference, side by side: `mcpreg import <upstream URL>` of the same catalog into another
#      empty database (the existing importer paging the same API with the same page size).
# Each timed step runs RUNS times (default 3); the median is reported. Results go to
# bench/out/mirror.md. Not part of `make test`.
# Usage: bench/mirror.sh [--servers N] [--versions-per N] [--runs N] [--keep]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${MCPREG_BIN:-$root/${BUILD:-build}/mcpreg}"
servers=10000 per=3 runs=3 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) servers="$2"; shift 2 ;;
    --versions-per) per="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "bench/mirror.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "bench/mirror.sh: $bin not built" >&2; exit 1; }
tmp="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ "$keep" = 1 ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
out="$root/bench/out"
mkdir -p "$out"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "generating $servers x $per versions"
python3 "$root/bench/gen_catalog.py" "$servers" "$per" --out "$tmp/catalog.json"
"$bin" import --db "$tmp/up.db" -q "$tmp/catalog.json" >/dev/null
"$bin" serve --listen 127.0.0.1:0 --db "$tmp/up.db" --no-demo 2>"$tmp/up.log" &
pid=$!
for _ in $(seq 100); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$tmp/up.log" | grep -o '[0-9]*$' || true)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "upstream did not start"; cat "$tmp/up.log"; exit 1; }
url="http://127.0.0.1:$port"
printf 'upstreams:\n  - name: bench\n    url: %s\n' "$url" > "$tmp/down.yaml"

full=() full_req="" unchanged=() incr=() incr_req="" unchanged_req="" import=()
for run in $(seq "$runs"); do
  rm -f "$tmp"/down.db* "$tmp"/ref.db*
  t0=$(now_ms)
  line="$("$bin" mirror --once --config "$tmp/down.yaml" --db "$tmp/down.db")"
  full+=($(( $(now_ms) - t0 )))
  full_req="$line"
  t0=$(now_ms)
  line="$("$bin" mirror --once --config "$tmp/down.yaml" --db "$tmp/down.db")"
  unchanged+=($(( $(now_ms) - t0 )))
  unchanged_req="$line"
  # 10 changes upstream: new versions of 10 servers, imported into the upstream's database
  # (the running upstream picks them up within a second).
  python3 - "$tmp/catalog.json" "$tmp/changes.json" "$run" <<'EOF'
import json, sys
docs = json.load(open(sys.argv[1]))
seen, out = set(), []
for d in docs:
    if d["name"] in seen:
        continue
    seen.add(d["name"])
    d = dict(d)
    d["version"] = "9.%s.%d" % (sys.argv[3], len(out))
    for p in d.get("packages", []):
        if "version" in p:
            p["version"] = d["version"]
    out.append(d)
    if len(out) == 10:
        break
json.dump(out, open(sys.argv[2], "w"))
EOF
  "$bin" import --db "$tmp/up.db" -q "$tmp/changes.json" >/dev/null
  sleep 1.5
  t0=$(now_ms)
  line="$("$bin" mirror --once --config "$tmp/down.yaml" --db "$tmp/down.db")"
  incr+=($(( $(now_ms) - t0 )))
  incr_req="$line"
  t0=$(now_ms)
  "$bin" import --db "$tmp/ref.db" -q --allow-private-addresses "$url" >/dev/null
  import+=($(( $(now_ms) - t0 )))
done

f=$(printf '%s\n' "${full[@]}" | median)
u=$(printf '%s\n' "${unchanged[@]}" | median)
i=$(printf '%s\n' "${incr[@]}" | median)
r=$(printf '%s\n' "${import[@]}" | median)
versions=$((servers * per))
{
  echo "# Mirror benchmark ($versions versions, $runs runs, median wall time of the CLI process)"
  echo
  echo "| step | time | upstream requests / summary |"
  echo "| --- | --- | --- |"
  echo "| full mirror of $versions versions | ${f} ms | ${full_req#mirror: } |"
  echo "| unchanged upstream | ${u} ms | ${unchanged_req#mirror: } |"
  echo "| incremental, 10 changes | ${i} ms | ${incr_req#mirror: } |"
  echo "| reference: \`mcpreg import $url\` (same catalog) | ${r} ms | |"
  echo
  echo "full mirror / reference import = $(awk -v a="$f" -v b="$r" 'BEGIN {printf "%.2f", a / b}')"
  echo "all runs (ms): full ${full[*]}; unchanged ${unchanged[*]}; incremental ${incr[*]}; import ${import[*]}"
} | tee "$out/mirror.md"
