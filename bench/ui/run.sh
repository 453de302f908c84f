#!/usr/bin/env bash
# The catalog page in a real browser with a large catalog (default 10,000 servers x 3 versions):
#   bench/ui/run.sh [BUILD_DIR] [N_SERVERS] [ROUNDS]
# Generates the catalog (bench/gen_catalog.py), imports it into a fresh database, serves it and
# runs render.mjs (headless Debian chromium via playwright-core, installed like the browser tests).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "${1:-$ROOT/build}" && pwd)
N=${2:-10000}
ROUNDS=${3:-30}
CACHE="${MCPREG_UI_CACHE:-$HOME/.cache/mcpreg-ui}"
DEPS="$CACHE/deps-$(sha256sum "$ROOT/tests/ui/package.json" | cut -c1-12)"
if [[ ! -d "$DEPS/node_modules/playwright-core" ]]; then
  mkdir -p "$DEPS" && cp "$ROOT/tests/ui/package.json" "$DEPS/"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$DEPS" >&2
fi
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 "$ROOT/bench/gen_catalog.py" "$N" 3 --out "$WORK/catalog.json"
"$BUILD_DIR/mcpreg" import --db "$WORK/r.db" -q "$WORK/catalog.json"
"$BUILD_DIR/mcpreg" serve --listen 127.0.0.1:0 --db "$WORK/r.db" --no-demo 2>"$WORK/serve.log" &
PID=$!
PORT=
for _ in $(seq 200); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.log" | head -1)
  [[ -n "$PORT" ]] && break
  sleep 0.1
done
[[ -n "$PORT" ]] || { cat "$WORK/serve.log" >&2; exit 3; }
echo "catalog: $N servers x 3 versions; $(grep -o 'versions=[0-9]*' "$WORK/serve.log")"
UI_DEPS="$DEPS" node "$ROOT/bench/ui/render.mjs" "http://127.0.0.1:$PORT" "$ROUNDS"
