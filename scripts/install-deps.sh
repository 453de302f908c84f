#!/usr/bin/env bash
# Installs the Debian 12 packages mcpreg needs to build, test and benchmark, skipping what is
# already installed. Uses sudo when not root. Idempotent and quiet when nothing is missing.
set -euo pipefail
pkgs=(g++ cmake ninja-build pkg-config ccache xxd make
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libyaml-cpp-dev libre2-dev sqlite3 libcli11-dev libgtest-dev libgmock-dev curl ca-certificates
  libpq-dev postgresql-15  # libpq for the PostgreSQL backend; the server for its tests
  iproute2 util-linux)  # ip + unshare: the mirror's SSRF test runs in a network namespace
# The browser tests (scripts/ui-tests.sh): Debian's chromium, driven by playwright-core on
# Node.js (Debian's nodejs + npm unless a Node.js is already installed).
pkgs+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
if [ "${MCPREG_WITH_BENCH:-0}" = 1 ]; then pkgs+=(wrk nginx-light python3); fi
# `make fuzz`: libFuzzer and clang's sanitizer runtimes; python3 writes the seed corpora.
if [ "${MCPREG_WITH_FUZZ:-0}" = 1 ]; then pkgs+=(clang-14 libclang-rt-14-dev python3); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
