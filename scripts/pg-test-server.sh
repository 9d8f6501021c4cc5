#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for tests, listening only on a Unix socket in DIR.
#
#   scripts/pg-test-server.sh start DIR   initdb + start in DIR (must exist and be empty), create
#                                         role linli and database linli_test, print the test URL
#   scripts/pg-test-server.sh stop DIR    stop the server (does not remove DIR)
#
# Uses Debian's /usr/lib/postgresql/<major>/bin (15 preferred; PG_BIN overrides). PostgreSQL refuses
# to run as root, so under root the server runs as the `postgres` system user (runuser) and DIR is
# made traversable for it. Authentication is `trust`, which is safe only because the server has no
# TCP listener and its socket folder is private (mode 0700, owned by the server user; root reaches
# it regardless). Durability settings stay at their safe defaults (linli refuses unsafe servers).
#
#   dir=$(mktemp -d /tmp/linli-pg.XXXXXX)
#   export LINLI_TEST_DB=$(scripts/pg-test-server.sh start "$dir")
#   …
#   scripts/pg-test-server.sh stop "$dir"; rm -rf "$dir"
set -euo pipefail

die() { echo "pg-test-server: $*" >&2; exit 1; }

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$newest" ] && [ -x "$newest/pg_ctl" ] || die "PostgreSQL server not installed (run scripts/install-deps.sh)"
  echo "$newest"
}

RUNUSER=$(command -v runuser || echo /usr/sbin/runuser)

# Runs a command as the server user: `postgres` when we are root, ourselves otherwise.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && "$RUNUSER" -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop DIR"
dir=$(cd "$dir" && pwd) || die "no such folder: $2"
PGBIN=$(find_pg_bin)
data="$dir/data"
sock="$dir/sock"
logs="$dir/log"

case "$cmd" in
  start)
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    [ "${#sock}" -lt 90 ] || die "socket path too long: $sock"
    mkdir -m 0700 "$data" "$sock" "$logs"
    if [ "$(id -u)" -eq 0 ]; then
      id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user (apt-get install postgresql)"
      # The server user must traverse every folder above DIR (mktemp -d makes 0700 folders).
      chmod 0711 "$dir"
      p=$(dirname "$dir")
      while [ "$p" != "/" ]; do
        "$RUNUSER" -u postgres -- test -x "$p" || die "the postgres user cannot enter $p; use a folder under /tmp"
        p=$(dirname "$p")
      done
      chown postgres:postgres "$data" "$sock" "$logs"
    fi
    as_server_user "$PGBIN/initdb" -D "$data" -U postgres -E UTF8 --locale=C --auth=trust --no-sync \
      >"$logs/initdb.log" 2>&1 || { cat "$logs/initdb.log" >&2; die "initdb failed"; }
    # Unix socket only; everything else at the defaults (fsync, synchronous_commit and
    # full_page_writes stay on). Set explicitly so that a changed default cannot slip through.
    cat >>"$data/postgresql.conf" <<EOF

# --- linli private test server (scripts/pg-test-server.sh) ---
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 100
log_min_messages = warning
EOF
    as_server_user "$PGBIN/pg_ctl" -D "$data" -l "$logs/server.log" -w -t 60 start >/dev/null ||
      { cat "$logs/server.log" >&2 || true; die "server did not start"; }
    psql_admin=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -U postgres -d postgres)
    "${psql_admin[@]}" -c "CREATE ROLE linli LOGIN" >/dev/null ||
      die "could not create role"
    "${psql_admin[@]}" -c "CREATE DATABASE linli_test OWNER linli ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null ||
      die "could not create database"
    echo "postgresql://linli@/linli_test?host=$sock"
    ;;
  stop)
    if [ -f "$data/postmaster.pid" ]; then
      as_server_user "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || {
        # Still running after a fast shutdown: end our own postmaster by its recorded pid.
        pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null || true; fi
      }
    fi
    ;;
  *)
    die "usage: $0 start|stop DIR"
    ;;
esac
