#!/bin/sh
# run.sh PROG — the page's browser tests (make test-browser): start `PROG serve`
# on a free loopback port (--port 0; the address is read from what it prints),
# run every tests/browser/*.test.mjs with node, stop the server, pass on
# node's exit status.  Screenshots and the server's log go to $YZ_BROWSER_OUT
# (default build/browser/).
set -eu
PROG=${1:-./yizhan}
OUT=${YZ_BROWSER_OUT:-build/browser}
mkdir -p "$OUT"
log="$OUT/server.log"

# Empty the log first: the background child truncates it only once it runs,
# and the loop below must not read the previous run's address.
: >"$log"
"$PROG" serve --host 127.0.0.1 --port 0 >>"$log" 2>&1 &
pid=$!
stop() { kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

url=""
i=0
while [ $i -lt 300 ]; do
	url=$(sed -n 's/.*serving .* at \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)
	[ -n "$url" ] && break
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: the server exited:" >&2
		cat "$log" >&2
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$url" ]; then
	echo "run.sh: the server printed no address within 30 s:" >&2
	cat "$log" >&2
	exit 1
fi
echo "run.sh: testing the page at $url (screenshots in $OUT/)"
status=0
YZ_URL="$url" YZ_BROWSER_OUT="$OUT" node --test tests/browser/ || status=$?
exit $status
