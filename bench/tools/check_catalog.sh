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
fail=0
node "$here/ajv_check.cjs" "$ajv_dir" "$schema" "$file" || fail=1
bin="$(realpath -m "${MCPREG_BIN:-$root/build/mcpreg}")"
if [ -x "$bin" ]; then
  # `mcpreg validate` takes single documents: split the array into one file per document.
  split_dir="$(mktemp -d)"
  trap 'rm -rf "$split_dir"' EXIT
  mkdir "$split_dir/docs"
  python3 - "$file" "$split_dir/docs" <<'PY'
import json, os, sys
for i, d in enumerate(json.load(open(sys.argv[1]))):
    with open(os.path.join(sys.argv[2], f"{i:06d}.json"), "w") as f:
        json.dump(d, f)
PY
  rc=0
  (cd "$split_dir/docs" && ls | xargs -r "$bin" validate) >"$split_dir/report.txt" || rc=$?
  grep -v ': valid$' "$split_dir/report.txt" || true
  n="$(ls "$split_dir/docs" | wc -l)"
  ok="$(grep -c ': valid$' "$split_dir/report.txt" || true)"
  echo "$file: $ok/$n documents valid according to mcpreg validate"
  [ "$rc" -eq 0 ] || fail=1
else
  echo "($bin not built: skipped mcpreg validate)"
fi
exit "$fail"
