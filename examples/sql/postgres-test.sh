#!/usr/bin/env bash
# Runs the example's tests against a throwaway PostgreSQL server as well as
# SQLite. Run it as root on Debian or Ubuntu: it installs PostgreSQL with
# apt-get if it is missing, starts a server of its own in a temporary
# directory, listening on 127.0.0.1 only, creates a database, runs
#
#	go test -race ./examples/sql
#
# from the repository root with SCIM_TEST_POSTGRES_DSN pointing at it, and
# stops and removes the server at the end. Arguments are passed to go test,
# for example: postgres-test.sh -run TestExchanges -v
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" != 0 ]; then
	echo "postgres-test.sh: run as root (it installs and starts PostgreSQL)" >&2
	exit 1
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
su postgres -s /bin/sh -c "'$bindir/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" ||
	{ cat "$dir/initdb.log"; exit 1; }
su postgres -s /bin/sh -c "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w \
	-o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=off\" start" >/dev/null ||
	{ cat "$dir/server.log"; exit 1; }
su postgres -s /bin/sh -c "'$bindir/psql' -h 127.0.0.1 -p $port -U postgres -q -c 'CREATE DATABASE scim_test'"

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
SCIM_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:$port/scim_test?sslmode=disable" \
	go test -race "$@" ./examples/sql
