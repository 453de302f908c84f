#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests (Debian's postgresql-15; scripts/install-deps.sh).
#
#   scripts/pg-cluster.sh start DIR [--owner-pid PID]
#       Creates a cluster in DIR (absent or empty; created if needed) listening on a free TCP
#       port of 127.0.0.1 and on a unix socket in DIR/sock, waits until it accepts connections
#       and prints its admin URI, postgresql://postgres@127.0.0.1:PORT/postgres, on stdout
#       (nothing else goes to stdout). Authentication is `trust` for local and 127.0.0.1
#       connections. Durable (fsync, synchronous_commit and full_page_writes stay on), sized for
#       tests: max_connections 300, shared_buffers 32MB. With --owner-pid, a detached watcher
#       stops the cluster and removes DIR once process PID has exited (a test process killed
#       by a timeout cannot run its own cleanup). Exit 0 on success; on failure prints the
#       server log's tail to stderr, removes what it created and exits non-zero.
#   scripts/pg-cluster.sh uri DIR
#       Prints the admin URI of the cluster started in DIR.
#   scripts/pg-cluster.sh pause DIR
#       Stops the server of the cluster in DIR (pg_ctl stop -m fast: sessions are closed,
#       nothing committed is lost) and keeps its data, so a test can watch an outage. Exit 0
#       also when it was not running.
#   scripts/pg-cluster.sh resume DIR
#       Starts the paused cluster of DIR again on the same port (its admin URI is unchanged)
#       and waits until it accepts connections. Exit 0 also when it was running; non-zero
#       (with the server log's tail on stderr) when it cannot start, e.g. the port was taken
#       in the meantime.
#   scripts/pg-cluster.sh stop DIR
#       Stops the cluster (SIGCONT first, in case a test froze it; pg_ctl stop -m fast, then
#       -m immediate if that stalls) and removes DIR. Only removes a directory this script
#       created (it carries a marker file); a DIR that does not exist is fine (exit 0).
#   scripts/pg-cluster.sh with CMD [ARG...]
#       Starts a cluster in a fresh temp dir, runs CMD with MCPREG_TEST_PG=<admin uri> in its
#       environment, stops the cluster (also when CMD fails or is interrupted) and exits with
#       CMD's status. `make test` and scripts/test-sanitize.sh run ctest this way.
#
# PostgreSQL refuses to run as root: as root, the cluster files belong to the `postgres` system
# user and the server runs as it (runuser); DIR's parent must be searchable by that user (a dir
# under /tmp is). Run as any other user, DIR must be that user's and everything runs directly.
# Binaries: $MCPREG_PG_BIN, else /usr/lib/postgresql/15/bin, else `pg_config --bindir`.
set -euo pipefail

SCRIPT=$(readlink -f "$0")
MARKER=.mcpreg-pg-cluster

die() { echo "pg-cluster: $*" >&2; exit 1; }
usage() {
  die "usage: $0 start DIR [--owner-pid PID] | uri DIR | pause DIR | resume DIR | stop DIR |" \
    "with CMD [ARG...]"
}

pg_bin() {
  if [ -n "${MCPREG_PG_BIN:-}" ]; then echo "$MCPREG_PG_BIN"
  elif [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then echo /usr/lib/postgresql/15/bin
  elif command -v pg_config >/dev/null; then pg_config --bindir
  else die "PostgreSQL not found (install postgresql-15: scripts/install-deps.sh)"; fi
}

# as_owner CMD...: runs CMD as the cluster's owner, from / (the postgres user may not be able
# to enter the caller's working directory). PG* variables of the caller's environment are
# dropped so they cannot redirect the tools.
as_owner() {
  local env_clean=(env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER -u PGDATA -u PGOPTIONS
    -u PGSERVICE -u PGPASSWORD -u PGHOSTADDR)
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "${env_clean[@]}" "$@")
  else
    (cd / && "${env_clean[@]}" "$@")
  fi
}

abs_dir() { [ -n "${1:-}" ] || usage; readlink -m "$1"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port below Linux's ephemeral range (32768+), so it does not collide with the port-0
# listeners and outgoing connections of the tests themselves.
random_port() { echo $((15432 + (RANDOM % 16000))); }

# A pristine initdb result is kept in the caller's cache and copied for each new cluster:
# initdb takes 2-7 s on a busy 2-core machine, a copy well under one. The template is written
# once and flushed (sync), then moved into place atomically (concurrent first starts each
# build one; one wins). MCPREG_PG_NO_TEMPLATE=1 always runs initdb; deleting the template
# makes the next start build it again. The copies are not fsynced: a machine crash loses a
# throwaway cluster anyway.
TEMPLATE_FORMAT=1  # bump when the initdb flags below change
template_path() {
  local ver; ver=$("$1/postgres" -V | awk '{print $3}')
  [ -n "${HOME:-}" ] || return 1
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/mcpreg/pg-template-$ver-f$TEMPLATE_FORMAT"
}

make_data_dir() {  # make_data_dir BIN DIR: DIR/data holds a fresh, never started cluster
  local bin=$1 dir=$2 tmpl=""
  [ "${MCPREG_PG_NO_TEMPLATE:-0}" = 1 ] || tmpl=$(template_path "$bin") || tmpl=""
  if [ -n "$tmpl" ] && [ -f "$tmpl/PG_VERSION" ]; then
    cp -a "$tmpl" "$dir/data"
    return 0
  fi
  # --no-sync: the copies are not flushed either (see above); the template is, by `sync`.
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync --no-instructions >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  [ -n "$tmpl" ] || return 0
  # Best effort: a cache that cannot be written only costs the next start an initdb.
  local tmp
  if mkdir -p "$(dirname "$tmpl")" 2>/dev/null &&
      tmp=$(mktemp -d "$(dirname "$tmpl")/.building.XXXXXX" 2>/dev/null); then
    { cp -a "$dir/data" "$tmp/data" && sync && mv -T "$tmp/data" "$tmpl"; } 2>/dev/null || true
    rm -rf "$tmp"
  fi
  return 0
}

cmd_start() {
  local dir owner_pid=""
  dir=$(abs_dir "${1:-}"); shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner-pid) owner_pid=${2:?--owner-pid needs a PID}; shift 2 ;;
      *) usage ;;
    esac
  done
  local bin; bin=$(pg_bin)
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then die "$dir is not empty"; fi
  mkdir -p "$dir"
  touch "$dir/$MARKER"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$dir"
    runuser -u postgres -- test -x "$dir" || die "user postgres cannot enter $dir (use a dir under /tmp)"
  fi
  chmod 700 "$dir"
  # Any failure from here on (set -e) leaves through this trap: show why, remove the dir.
  START_DIR=$dir START_OK=0
  trap 'if [ "$START_OK" != 1 ]; then tail -n 30 "$START_DIR/log" >&2 2>/dev/null || true
        pg_ctl_stop "$START_DIR" immediate; rm -rf "$START_DIR"; fi' EXIT

  make_data_dir "$bin" "$dir"
  mkdir "$dir/sock"
  cat >"$dir/data/pg_hba.conf" <<'EOF'
# mcpreg test cluster (scripts/pg-cluster.sh): no passwords, loopback and unix socket only.
local all all               trust
host  all all 127.0.0.1/32  trust
EOF
  cat >>"$dir/data/postgresql.conf" <<EOF

# --- mcpreg test cluster (scripts/pg-cluster.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
max_connections = 300
shared_buffers = 32MB
fsync = on
synchronous_commit = on
full_page_writes = on
logging_collector = off
log_min_messages = warning
log_connections = off
timezone = 'UTC'
EOF
  [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir"

  local port=""
  for _ in 1 2 3 4 5 6 7 8; do
    local candidate; candidate=$(random_port)
    port_in_use "$candidate" && continue
    # Another process may take the port between the check and the bind; then the start fails
    # and we try the next port.
    if pg_ctl_start "$bin" "$dir" "$candidate"; then
      port=$candidate
      break
    fi
    grep -q "could not bind\|could not create listen socket\|Address already in use" \
      "$dir/log" 2>/dev/null || break
  done
  [ -n "$port" ] || { echo "pg-cluster: the server did not start" >&2; false; }
  echo "$port" >"$dir/port"
  wait_ready "$bin" "$port"
  START_OK=1
  if [ -n "$owner_pid" ]; then
    # Detached (own session, no inherited stdio) so whoever reads our stdout sees EOF now.
    # shellcheck disable=SC2016  # $1..$3 are the inner shell's arguments
    setsid bash -c 'while [ -d "/proc/$1" ]; do sleep 1; done; "$2" stop "$3"' \
      watcher "$owner_pid" "$SCRIPT" "$dir" </dev/null >/dev/null 2>&1 &
  fi
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

pg_ctl_start() {  # pg_ctl_start BIN DIR PORT: starts the server of DIR on PORT, waits (60 s)
  as_owner "$1/pg_ctl" -D "$2/data" -l "$2/log" -w -t 60 -s -o "-p $3" start >/dev/null 2>&1
}

wait_ready() {  # wait_ready BIN PORT: until the server on PORT accepts connections (10 s)
  local i
  for i in $(seq 100); do
    "$1/pg_isready" -q -h 127.0.0.1 -p "$2" -U postgres -d postgres -t 1 && return 0
    [ "$i" -lt 100 ] || { echo "pg-cluster: not ready after 10 s" >&2; return 1; }
    sleep 0.1
  done
}

pg_ctl_stop() {  # pg_ctl_stop DIR MODE: stops the server of DIR if one runs
  [ -f "$1/data/postmaster.pid" ] || return 0
  as_owner "$(pg_bin)/pg_ctl" -D "$1/data" -s -w -t 20 -m "$2" stop >/dev/null 2>&1
}

cmd_uri() {
  local dir; dir=$(abs_dir "${1:-}")
  [ -f "$dir/port" ] || die "no cluster in $dir"
  echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

# The cluster this script made in DIR (absolute), or exit non-zero.
cluster_dir() {
  local dir; dir=$(abs_dir "${1:-}")
  if [ ! -f "$dir/$MARKER" ] || [ ! -f "$dir/port" ]; then die "no cluster in $dir"; fi
  echo "$dir"
}

cmd_pause() {
  local dir; dir=$(cluster_dir "${1:-}")
  pg_ctl_stop "$dir" fast || pg_ctl_stop "$dir" immediate ||
    die "could not stop the server in $dir"
}

cmd_resume() {
  local dir bin port; dir=$(cluster_dir "${1:-}")
  bin=$(pg_bin)
  port=$(cat "$dir/port")
  if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 1; then
    pg_ctl_start "$bin" "$dir" "$port" ||
      { tail -n 30 "$dir/log" >&2 2>/dev/null; die "could not resume the server on port $port"; }
  fi
  wait_ready "$bin" "$port"
}

cmd_stop() {
  local dir; dir=$(abs_dir "${1:-}")
  [ -e "$dir" ] || return 0
  [ -f "$dir/$MARKER" ] || die "$dir was not made by $0; not touching it"
  thaw "$dir"
  pg_ctl_stop "$dir" fast || pg_ctl_stop "$dir" immediate || true
  rm -rf "$dir"
}

# A test may have frozen the server (SIGSTOP; tests/integration/replica_outage_test.cc) and been
# killed before it thawed it: a stopped process would never act on the stop signal.
thaw() {  # thaw DIR: SIGCONT to the postmaster of DIR and its children, if it runs
  local pm
  pm=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null) || return 0
  [[ "$pm" =~ ^[0-9]+$ ]] || return 0
  # shellcheck disable=SC2046  # one pid per word
  kill -CONT "$pm" $(pgrep -P "$pm") 2>/dev/null || true
}

cmd_with() {
  [ $# -gt 0 ] || usage
  local dir uri rc
  dir=$(mktemp -d /tmp/mcpreg-pg.XXXXXX)
  rmdir "$dir"  # start wants to create it (absent or empty both work; this keeps ownership simple)
  trap 'cmd_stop "$dir"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  uri=$(cmd_start "$dir" --owner-pid $$)
  echo "pg-cluster: test cluster $uri in $dir" >&2
  set +e
  MCPREG_TEST_PG=$uri "$@"
  rc=$?
  set -e
  exit $rc
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  uri) shift; cmd_uri "$@" ;;
  pause) shift; cmd_pause "$@" ;;
  resume) shift; cmd_resume "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  with) shift; cmd_with "$@" ;;
  *) usage ;;
esac
