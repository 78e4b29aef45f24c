#!/bin/sh
# http.sh — the API over HTTP with wrk (issue 3): for each NAME, serve
# $OUT/NAME.snap on a free loopback port with 2 worker threads and load it
# with wrk (2 threads, 50 connections, WRK_SECONDS s each, --latency) for
# nearest (k=5, e-bike), route and isochrone (5,10,15 min, e-bike) in turn,
# every request a different query of NAME.queries.csv.  Also the server's
# CPU time over each run (from /proc), hence its CPU time per request.
#
#   scripts/bench/http.sh NAME…
# Outputs: $OUT/NAME.paths.<kind>, $OUT/NAME.wrk.<kind>.txt, $OUT/NAME.serve.log
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/yizhan-bench}
WRK_SECONDS=${WRK_SECONDS:-10}
if ! command -v wrk >/dev/null 2>&1; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >&2
fi
pid=""
trap '[ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true' EXIT INT TERM

for name in "$@"; do
	q="$OUT/$name.queries.csv"
	awk -F, 'NR > 1 {printf "/api/nearest?lon=%s&lat=%s&mode=ebike&k=5\n", $2, $3}' "$q" >"$OUT/$name.paths.nearest"
	awk -F, 'NR > 1 {printf "/api/route?from=%s,%s&to=%s,%s&mode=ebike\n", $2, $3, $4, $5}' "$q" >"$OUT/$name.paths.route"
	awk -F, 'NR > 1 {printf "/api/isochrone?lon=%s&lat=%s&mode=ebike&minutes=5,10,15\n", $2, $3}' "$q" >"$OUT/$name.paths.iso"

	./yizhan serve --snapshot "$OUT/$name.snap" --host 127.0.0.1 --port 0 --threads 2 \
		>"$OUT/$name.serve.log" 2>&1 &
	pid=$!
	port=""
	for _ in $(seq 1 200); do
		port=$(sed -n 's|.*serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT/$name.serve.log")
		[ -z "$port" ] || break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "http.sh: $name: server did not start" >&2; cat "$OUT/$name.serve.log" >&2; exit 1; }
	for kind in nearest route iso; do
		# one request first: fail loudly on a broken URL rather than time errors
		first=$(head -1 "$OUT/$name.paths.$kind")
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$first" || echo none)
		[ "$code" = 200 ] || echo "http.sh: $name $kind: first request gave HTTP $code" >&2
		# the server's own CPU time over the run (utime + stime, clock ticks):
		# CPU per request, a figure other load on the machine does not change
		t0=$(awk '{print $14 + $15}' /proc/$pid/stat)
		wrk -t2 -c50 -d"${WRK_SECONDS}s" --latency -s scripts/bench/rotate.lua \
			"http://127.0.0.1:$port" -- "$OUT/$name.paths.$kind" >"$OUT/$name.wrk.$kind.txt" 2>&1
		t1=$(awk '{print $14 + $15}' /proc/$pid/stat)
		echo "server_cpu_s $(echo "$t0 $t1 $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2 - $1) / $3}')" \
			>>"$OUT/$name.wrk.$kind.txt"
	done
	kill -TERM "$pid"
	wait "$pid" || true
	pid=""
done
