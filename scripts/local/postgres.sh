#!/usr/bin/env bash
# Runs PostgreSQL for local mode: data in $1, listening on 127.0.0.1:$2. PostgreSQL refuses to run as root,
# so the cluster belongs to the `postgres` user; loopback connections are trusted (local development only).
set -euo pipefail
data="$1" port="$2"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
if [ ! -f "$data/PG_VERSION" ]; then
  as_postgres "$bin/initdb" --pgdata="$data" --username=postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
fi
# The socket goes into the data folder: /var/run/postgresql may be missing or owned by another cluster.
exec setpriv --reuid=postgres --regid=postgres --init-groups \
  "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$data" \
  -c fsync=on -c max_connections=200
