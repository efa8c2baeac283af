#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server: it installs PostgreSQL
# with apt-get if it is missing, starts a server of its own in a temporary
# directory, listening on 127.0.0.1 only, with an ICU en-US default
# collation (so that a store relying on the database's collation for order
# would be caught), creates a database, runs the command with
# SCIM_TEST_POSTGRES_DSN pointing at it, and stops and removes the server
# at the end. Run it as root on Debian or Ubuntu, from anywhere:
#
#	.ci/postgres.sh go test -race ./sqlstore/... ./examples/sql/...
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
	echo "postgres.sh: run as root (it installs and starts PostgreSQL)" >&2
	exit 1
fi
if [ $# -eq 0 ]; then
	echo "usage: postgres.sh command [args...]" >&2
	exit 2
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y postgresql
	bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

port=${PGPORT_TEST:-54329}
dir=$(mktemp -d /tmp/scim-pg.XXXXXX)
chown postgres: "$dir"
cleanup() {
	su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$dir/data' -m immediate stop" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

# initdb refuses to run as root; the server runs as the postgres user.
su postgres -s /bin/sh -c "'$bindir/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 \
	--locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US" >"$dir/initdb.log" ||
	{ cat "$dir/initdb.log"; exit 1; }
su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w \
	-o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off -c max_connections=200\" start" >/dev/null ||
	{ cat "$dir/server.log"; exit 1; }
su postgres -s /bin/sh -c "'$bindir/psql' -h 127.0.0.1 -p $port -U postgres -q -c 'CREATE DATABASE scim_test'"

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
SCIM_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$port/scim_test?sslmode=disable" "$@"
