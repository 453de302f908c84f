#!/usr/bin/env bash
# Cross-checks our server.json validation against the official reference material (CI only).
#
# usage: scripts/ci/reference-checks.sh BUILD_DIR
#
#  (a) every upstream example (../shared/reference/official-registry/derived/examples/*.json and
#      each entry of data/seed.json) must be valid for `BUILD_DIR/mcpreg validate`;
#  (b) for every fixture in tests/fixtures/validate/{valid,invalid}/ whose $schema names a known
#      version, our JSON Schema verdict (no issue of type "schema") must equal ajv's verdict
#      (draft-07, ajv-formats) on the official schema file the document names. Fixtures named
#      semantic-* carry registry-rule defects only, so both must call them schema-valid.
# Needs node/npm (installs ajv-cli + ajv-formats into ~/.cache/mcpreg-ci). Exits non-zero on any
# failure or disagreement.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
mcpreg="$build/mcpreg"
ref="$repo/../shared/reference/official-registry"
fixtures="$repo/tests/fixtures/validate"
[[ -x "$mcpreg" ]] || { echo "reference-checks: $mcpreg not built" >&2; exit 2; }
[[ -d "$ref" ]] || { echo "reference-checks: $ref not found" >&2; exit 2; }

cache="$HOME/.cache/mcpreg-ci"
if [[ ! -x "$cache/node_modules/.bin/ajv" || ! -d "$cache/node_modules/ajv-formats" ]]; then
  npm install --silent --prefix "$cache" ajv-cli ajv-formats >/dev/null
fi
ajv="$cache/node_modules/.bin/ajv"
export NODE_PATH="$cache/node_modules"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# ---- (a) upstream examples and seed entries -----------------------------------------------
mkdir -p "$work/examples"
cp "$ref"/derived/examples/*.json "$work/examples/"
node -e '
  const fs = require("fs");
  const seed = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  seed.forEach((d, i) => fs.writeFileSync(`${process.argv[2]}/seed-${i}.json`, JSON.stringify(d)));
' "$ref/data/seed.json" "$work/examples"
examples=("$work"/examples/*.json)
if "$mcpreg" validate "${examples[@]}" >"$work/a.out"; then
  echo "reference-checks (a): ${#examples[@]} upstream examples/seed entries valid"
else
  grep -v ': valid$' "$work/a.out" | sed 's/^/  /' || true
  echo "reference-checks (a): FAILED: some upstream examples are reported invalid"
  failures=$((failures + 1))
fi

# ---- (b) schema verdicts vs ajv -----------------------------------------------------------
# Our verdicts, one "file<TAB>valid|invalid|skip<TAB>version" line per fixture.
files=("$fixtures"/valid/*.json "$fixtures"/invalid/*.json)
"$mcpreg" validate --json "${files[@]}" >"$work/ours.json" || true
node -e '
  const fs = require("fs");
  const ours = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const r of ours) {
    let version = "";
    try {
      const doc = JSON.parse(fs.readFileSync(r.file, "utf8"));
      const m = /\/schemas\/([A-Za-z0-9_~.-]+)\/server\.schema\.json/.exec(doc.$schema || "");
      if (m) version = m[1];
    } catch (e) {}
    const known = version && fs.existsSync(`${process.argv[2]}/${version}.json`);
    const schemaErrors = r.issues.filter(i => i.type === "schema" && i.severity === "error");
    console.log([r.file, known ? (schemaErrors.length ? "invalid" : "valid") : "skip", version]
      .join("\t"));
  }
' "$work/ours.json" "$ref/internal/validators/schemas" >"$work/ours.tsv"

compared=0
disagreements=0
skipped=0
while IFS=$'\t' read -r file verdict version; do
  if [[ "$verdict" == skip ]]; then
    skipped=$((skipped + 1))
    continue
  fi
  if "$ajv" validate --spec=draft7 --strict=false -c ajv-formats \
      -s "$ref/internal/validators/schemas/$version.json" -d "$file" >/dev/null 2>&1; then
    theirs=valid
  else
    theirs=invalid
  fi
  compared=$((compared + 1))
  name=$(basename "$file")
  expected_semantic_valid=ok
  if [[ "$name" == semantic-* && "$theirs" != valid ]]; then expected_semantic_valid=bad; fi
  if [[ "$verdict" != "$theirs" || "$expected_semantic_valid" == bad ]]; then
    echo "  DISAGREE ${file#"$repo"/}: mcpreg=$verdict ajv=$theirs (schema $version)"
    disagreements=$((disagreements + 1))
  fi
done <"$work/ours.tsv"
echo "reference-checks (b): $compared fixtures compared with ajv, $disagreements disagreements," \
  "$skipped skipped (no known \$schema)"
[[ $disagreements -eq 0 ]] || failures=$((failures + 1))

if [[ $failures -ne 0 ]]; then
  echo "reference-checks: FAILED"
  exit 1
fi
echo "reference-checks: OK"
