#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback, shared by every test package
# of the run (each test still gets a database of its own, cloned from a migrated template).
# GESHER_TEST_PG_URL tells the tests where it is. The server and its folder are removed when
# the command ends, however it ends.
set -euo pipefail

if [ -n "${GESHER_TEST_PG_URL:-}" ]; then exec "$@"; fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed: run scripts/ensure-deps.sh" >&2; exit 1; }
dir=$(mktemp -d /tmp/gesher-pg-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"

cleanup() {
  as_owner "$PGBIN/pg_ctl -D $dir/data -m immediate -w stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_owner "$PGBIN/initdb -D $dir/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync" >/dev/null
as_owner "$PGBIN/pg_ctl -D $dir/data -l $dir/server.log -w -o '-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400' start" >/dev/null

export GESHER_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') for tests at 127.0.0.1:$port"
"$@"
