#!/usr/bin/env bash
# `make bench`: one reproducible run of the mcpreg benchmark against an nginx static-file ceiling.
# Generates a 10K-server / 30K-version catalog, imports it, starts `mcpreg serve`, then wrk against
# mcpreg and against nginx serving the identical bytes. Results: bench/out/results.{json,md}.
# Options (or env, see bench/README.md): --servers N --versions-per N --search WORDS --threads N
#   --wrk-threads N --connections N --duration 10s --keep. MCPREG_BIN overrides the binary.
# Not part of `make test` (it takes ~2 minutes and saturates the machine).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export MCPREG_BIN="${MCPREG_BIN:-$root/${BUILD:-build}/mcpreg}"
if [ ! -x "$MCPREG_BIN" ]; then
  echo "bench: $MCPREG_BIN not built (run 'make build' or set MCPREG_BIN)" >&2
  exit 1
fi
for tool in python3 wrk; do
  command -v "$tool" >/dev/null || { echo "bench: $tool missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null ||
  { echo "bench: nginx missing (apt-get install nginx-light)" >&2; exit 1; }
exec python3 "$root/bench/bench.py" "$@"
