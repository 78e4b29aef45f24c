#!/bin/sh
# load.sh — the mixed-load test of issue 7: wrk against ./yizhan serve on the
# bundled dataset with a workload of tiles (map, stations, coverage),
# nearest, isochrone, route and stations queries, in rounds; a reload in the
# middle of some rounds (POST /admin/reload with the bearer token, and a
# SIGHUP); the server's resident memory after every round.
#
#   scripts/bench/load.sh            ROUNDS=8 SECS=20 CONN=50 OUT=/tmp/yizhan-bench/load
#
# It fails (exit 1) on any non-2xx response, any socket error, a failed
# reload, or resident memory growing by more than 10 % between the second
# round and the last (the first fills the tile cache and the workspaces).
# The table goes to stdout and $OUT/load_report.md.  Loopback only.
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/yizhan-bench/load}
ROUNDS=${ROUNDS:-8}
SECS=${SECS:-20}
CONN=${CONN:-50}
PORT=${PORT:-18091}
mkdir -p "$OUT"
make -s yizhan
if ! command -v wrk >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk curl >&2
fi

# ---- the server ---------------------------------------------------------------
token=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
umask 077
printf '%s\n' "$token" >"$OUT/token"
umask 022
./yizhan serve data/shanghai --port "$PORT" --admin-token-file "$OUT/token" \
	--tile-cache-mb 64 >"$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT INT TERM
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
	curl -sf "$base/health" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "$base/health" >/dev/null

# ---- the workload: one path per line, every request a different query ----------
curl -sf "$base/api/stations" >"$OUT/stations.json"
python3 - "$OUT/stations.json" >"$OUT/paths.txt" <<'PY'
import json, math, random, sys
st = [f["geometry"]["coordinates"] for f in json.load(open(sys.argv[1]))["features"]]
rng = random.Random(20241205)
modes = ["ebike", "walk", "car"]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
out = []
for i in range(1200):
    lon, lat = rng.choice(st)
    lon += rng.uniform(-0.004, 0.004)
    lat += rng.uniform(-0.004, 0.004)
    kind = i % 12
    m = modes[i % 3]
    if kind < 3:
        out.append(f"/api/nearest?lon={lon:.6f}&lat={lat:.6f}&mode={m}&k=3")
    elif kind == 3:
        out.append(f"/api/nearest?lon={lon:.6f}&lat={lat:.6f}&k=5&service=charging&open_now=1")
    elif kind == 4:
        b = rng.choice(st)
        out.append(f"/api/route?from={lon:.6f},{lat:.6f}&to={b[0]:.6f},{b[1]:.6f}&mode={m}")
    elif kind == 5:
        out.append(f"/api/isochrone?lon={lon:.6f}&lat={lat:.6f}&mode={m}&minutes=5,10&direction=to")
    elif kind == 6:
        out.append(f"/api/stations?bbox={lon-0.02:.4f},{lat-0.02:.4f},{lon+0.02:.4f},{lat+0.02:.4f}")
    else:
        z = rng.choice([12, 13, 14, 15, 16])
        x, y = tile(lon, lat, z)
        layer = ["map", "map", "stations", "coverage", "map"][kind - 7]
        q = "?mode=walk&minutes=5" if layer == "coverage" else ""
        out.append(f"/tiles/{layer}/{z}/{x}/{y}.png{q}")
print("\n".join(out))
PY

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }

# ---- rounds ---------------------------------------------------------------------
printf '| round | reload during the round | requests | requests/s | p50 ms | p99 ms | non-2xx | socket errors | RSS after (MB) |\n' >"$OUT/load_report.md"
printf '|---|---|---|---|---|---|---|---|---|\n' >>"$OUT/load_report.md"
fail=0
total=0
rss2=0
rss_start=$(rss_kb)
for r in $(seq 1 "$ROUNDS"); do
	reload="none"
	case $r in
	3) reload="POST /admin/reload" ;;
	5) reload="SIGHUP" ;;
	esac
	wrk -t2 -c"$CONN" -d"${SECS}s" --latency -s scripts/bench/rotate.lua "$base" -- "$OUT/paths.txt" \
		>"$OUT/wrk.round$r.txt" 2>&1 &
	wrk_pid=$!
	if [ "$reload" != none ]; then
		sleep $((SECS / 2))
		if [ "$reload" = SIGHUP ]; then
			kill -HUP "$pid"
		else
			code=$(curl -s -o "$OUT/reload.round$r.json" -w '%{http_code}' -X POST \
				-H "Authorization: Bearer $token" "$base/admin/reload")
			[ "$code" = 200 ] || { echo "load.sh: reload answered $code" >&2; fail=1; }
		fi
	fi
	wait "$wrk_pid"
	f=$OUT/wrk.round$r.txt
	req=$(awk '/requests in/ {print $1}' "$f")
	rps=$(awk '/^Requests\/sec/ {print $2}' "$f")
	p50=$(awk '$1 == "50%" {print $2}' "$f")
	p99=$(awk '$1 == "99%" {print $2}' "$f")
	non2xx=$(awk '/Non-2xx/ {print $NF}' "$f")
	sockerr=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$f")
	non2xx=${non2xx:-0}
	sockerr=${sockerr:-0}
	rss=$(rss_kb)
	[ "$r" = 2 ] && rss2=$rss
	total=$((total + req))
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.1f |\n' "$r" "$reload" "$req" "$rps" "$p50" "$p99" \
		"$non2xx" "$sockerr" "$(echo "$rss" | awk '{print $1 / 1024}')" >>"$OUT/load_report.md"
	[ "$non2xx" = 0 ] && [ "$sockerr" = 0 ] || fail=1
done
rss_end=$(rss_kb)
cat "$OUT/load_report.md"
echo
echo "requests in all: $total; RSS at start $((rss_start / 1024)) MB, after round 2 $((rss2 / 1024)) MB, at the end $((rss_end / 1024)) MB"
grep -c "reloaded" "$OUT/serve.log" | xargs echo "reloads reported by the server:"
curl -s "$base/health" | python3 -c 'import json,sys; print("health.reload:", json.load(sys.stdin)["reload"])'
if [ "$rss2" -gt 0 ] && [ "$rss_end" -gt $((rss2 + rss2 / 10)) ]; then
	echo "load.sh: resident memory grew from $((rss2 / 1024)) MB to $((rss_end / 1024)) MB" >&2
	fail=1
fi
[ "$fail" = 0 ] || { echo "load.sh: FAILED" >&2; exit 1; }
echo "load.sh: zero non-2xx, zero socket errors, memory flat"
