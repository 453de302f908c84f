#!/usr/bin/env bash
# Checks a JSON array of server.json documents against the official 2025-12-11 JSON schema with
# ajv (installed on first use into a scratch dir outside the repo) and, when the binary exists,
# with `mcpreg validate` (the registry's own schema + semantic rules).
# Usage: bench/tools/check_catalog.sh [FILE]   (default: data/demo-catalog.json)
# Env: AJV_DIR (default /tmp/mcpreg-ajv), MCPREG_BIN (default build/mcpreg), SCHEMA.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
file="${1:-$root/data/demo-catalog.json}"
ajv_dir="${AJV_DIR:-/tmp/mcpreg-ajv}"
schema="${SCHEMA:-$root/assets/schemas/2025-12-11.json}"
if [ ! -d "$ajv_dir/node_modules/ajv-formats" ]; then
  mkdir -p "$ajv_dir"
  (cd "$ajv_dir" && npm install --silent --no-audit --no-fund ajv ajv-formats >/dev/null)
fi
node "$here/ajv_check.cjs" "$ajv_dir" "$schema" "$file"
bin="${MCPREG_BIN:-$root/build/mcpreg}"
if [ -x "$bin" ]; then
  "$bin" validate "$file"
else
  echo "($bin not built: skipped mcpreg validate)"
fi
