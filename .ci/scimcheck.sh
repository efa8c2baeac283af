#!/usr/bin/env bash
# Runs scimcheck against the example server over real HTTP: builds both,
# starts examples/sql on SQLite in a temporary directory, on a port of
# 127.0.0.1 the system picks, waits until it listens, checks it, stops it,
# and exits with scimcheck's status.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
server=""
stop() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap stop EXIT

go build -o "$tmp/sql" ./examples/sql
go build -o "$tmp/scimcheck" ./cmd/scimcheck

# The token travels to both in their environments, never on a command
# line. The example's rate limit is lifted: scimcheck makes about a
# thousand requests, as fast as the server answers.
token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
SCIM_TOKEN=$token "$tmp/sql" -addr 127.0.0.1:0 -db "$tmp/scim.db" -rate 100000 -burst 100000 \
	>"$tmp/server.log" 2>&1 &
server=$!

# The server logs its URL once it listens (port 0: the system picks one).
url=""
for _ in $(seq 300); do
	url=$(grep -o 'url=http://[^ ]*' "$tmp/server.log" | head -1 | cut -d= -f2 || true)
	[ -n "$url" ] && break
	if ! kill -0 "$server" 2>/dev/null; then
		echo "the example server exited:"; cat "$tmp/server.log"; exit 1
	fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "the example server did not start within 30s:"; cat "$tmp/server.log"; exit 1
fi

status=0
SCIMCHECK_TOKEN=$token "$tmp/scimcheck" -url "$url" || status=$?
if [ "$status" -ne 0 ]; then
	echo "== the example server's log"
	tail -n 50 "$tmp/server.log"
fi
exit "$status"
