#!/usr/bin/env bash
# Browser tests of the web interface (tests/ui/ui_test.mjs): playwright-core (npm, no browser
# download) drives Debian's chromium, headless, against the real `mcpreg serve` and the test
# OpenID provider (mcpreg_test_oidc). Screenshots go to BUILD_DIR/ui-screenshots/.
#   scripts/ui-tests.sh BUILD_DIR
# Dependencies: chromium and Node.js come from Debian (scripts/install-deps.sh installs them);
# the pinned npm packages of tests/ui/package.json are installed once per package.json content
# under ~/.cache/mcpreg-ui (outside the repo). Exit status 0 when every check passes.
set -euo pipefail
BUILD_DIR=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for f in "$BUILD_DIR/mcpreg" "$BUILD_DIR/mcpreg_test_oidc"; do
  [[ -x "$f" ]] || { echo "ui-tests: $f not built" >&2; exit 2; }
done
command -v node >/dev/null || { echo "ui-tests: node not installed (scripts/install-deps.sh)" >&2; exit 2; }
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || { echo "ui-tests: $CHROMIUM not installed (scripts/install-deps.sh)" >&2; exit 2; }

CACHE="${MCPREG_UI_CACHE:-$HOME/.cache/mcpreg-ui}"
DEPS="$CACHE/deps-$(sha256sum "$ROOT/tests/ui/package.json" | cut -c1-12)"
# Concurrent runs (ctest -j) share one install.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [[ ! -d "$DEPS/node_modules/playwright-core" ]]; then
  rm -rf "$DEPS.tmp" && mkdir -p "$DEPS.tmp"
  cp "$ROOT/tests/ui/package.json" "$DEPS.tmp/"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --prefix "$DEPS.tmp" >&2
  rm -rf "$DEPS" && mv "$DEPS.tmp" "$DEPS"
fi
flock -u 9

export MCPREG_BINARY="$BUILD_DIR/mcpreg" MCPREG_OIDC_FIXTURE="$BUILD_DIR/mcpreg_test_oidc"
export MCPREG_SOURCE_DIR="$ROOT" UI_DEPS="$DEPS" CHROMIUM
export SCREENSHOT_DIR="${SCREENSHOT_DIR:-$BUILD_DIR/ui-screenshots}"
exec node "$ROOT/tests/ui/ui_test.mjs"
