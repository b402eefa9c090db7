#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 server on loopback: a cluster made by initdb in
# a temp directory (its socket there too), a free port, stopped and deleted when the command
# ends, however it ends. The command finds the server in CUSTODIAN_TEST_POSTGRES (a libpq
# connection string). As root, the server runs as the postgres user (initdb refuses root).
#   scripts/with-postgres.sh ctest --test-dir build
set -euo pipefail

bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
if [ ! -x "$bindir/initdb" ]; then
  bindir=/usr/lib/postgresql/15/bin
fi
dir=$(mktemp -d /tmp/custodian-pg.XXXXXX)
run=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  run=(runuser -u postgres --)
fi
cleanup() {
  "${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${run[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
  --no-sync > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${run[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c fsync=off" \
  start > /dev/null || { cat "$dir/server.log" >&2; exit 1; }

export CUSTODIAN_TEST_POSTGRES="host=127.0.0.1 port=$port dbname=postgres user=postgres"
"$@"
