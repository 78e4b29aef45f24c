#!/bin/sh
# tiles.sh — the tile benchmark of issue 4, on malta, everything on this
# machine:
#
#   1. uncached rendering: one fixed tile list (every z12 and z14 tile over
#      the data's box, plus 200 z16 tiles drawn at random inside it with a
#      fixed seed; $OUT/tiles/tiles.txt) drawn one tile at a time on one pinned core
#      by yizhan (`yizhan seed --tiles`), Mapnik (python3-mapnik) and
#      MapServer (python3-mapscript), each in one persistent process, each
#      with the same simple style (scripts/bench/styles/bench-simple.json,
#      translated for the peers by tiles_peers.py): roads by class with
#      widths, community boundaries, station circles.  Per tile the time of
#      drawing + PNG encoding (zlib level 3 for the peers, yizhan's own
#      deflate, tiles/tilez.c, whose files come out smaller), not the file write;
#      then build/release/tile_split: yizhan's drawing and encoding apart.
#   2. cached tiles: the tiles yizhan drew, served from disk by nginx
#      (2 workers) and from memory by `yizhan serve` (2 threads, cache warmed
#      with every tile first), each loaded by wrk (2 threads, 50 connections,
#      WRK_SECONDS s) rotating through the same URL list; requests/s, and the
#      server's CPU time per request (from /proc).
#   3. tiles_peers.py report: Markdown tables on stdout and in
#      $OUT/tiles/report.md; the busiest tile of each zoom from each renderer
#      in $OUT/tiles/samples/.
#
# Data: yizhan reads malta.osm.pbf, boundaries_admin.geojson and
# stations_candidates.geojson itself.  The peers read Shapefiles made from the
# same files by ogr2ogr (highway lines of the classes yizhan draws, closed
# ways kept as lines as yizhan's reader does; boundaries; stations), already
# projected to EPSG:3857 and spatially indexed (shapeindex for Mapnik,
# shptree for MapServer) — their best case: no reprojection per tile.
#
#   scripts/bench/tiles.sh [SHARED_DATA_DIR]     (default ../shared/data)
#   RUNS=3 WRK_SECONDS=10 NGINX_PORT=8190 OUT=/tmp/yizhan-bench (environment; outputs in $OUT/tiles)
#
# Every figure is the median of RUNS runs.  Takes about 3 minutes with RUNS=3.
set -eu
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}/malta
OUT=${OUT:-/tmp/yizhan-bench}/tiles    # its own folder, emptied first
RUNS=${RUNS:-3}
WRK_SECONDS=${WRK_SECONDS:-10}
NGINX_PORT=${NGINX_PORT:-8190}
PY=/usr/bin/python3   # Debian's, where python3-mapnik and python3-mapscript live
BENCH=scripts/bench

# ---- what is needed ---------------------------------------------------------
need=""
$PY -c 'import mapnik' 2>/dev/null || need="$need python3-mapnik"
$PY -c 'import mapscript' 2>/dev/null || need="$need python3-mapscript"
$PY -c 'from osgeo import ogr' 2>/dev/null || need="$need python3-gdal"
command -v shptree >/dev/null 2>&1 || need="$need mapserver-bin"
command -v shapeindex >/dev/null 2>&1 || need="$need mapnik-utils"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need="$need nginx-light"
command -v ogr2ogr >/dev/null 2>&1 || need="$need gdal-bin"
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v curl >/dev/null 2>&1 || need="$need curl"
if [ -n "$need" ]; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "tiles.sh: installing$need" >&2
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086  # $need is a list of package names
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -o DPkg::Lock::Timeout=600 -y -qq \
		--no-install-recommends $need >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
make -s yizhan build/release/tile_split
PIN=""
if command -v taskset >/dev/null 2>&1; then
	PIN="taskset -c 0"
fi
rm -rf "$OUT"
mkdir -p "$OUT/data"
echo "tiles.sh: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- the same data for the peers ----------------------------------------------
# GDAL's osmconf.ini with yizhan's two changes (data/roads.c): closed highway
# ways stay lines, and area=yes is read (such ways are not roads).
sed -e 's/^closed_ways_are_polygons=.*/closed_ways_are_polygons=yizhan_no_such_key/' \
	-e '/^\[lines\]/,/^\[/ s/^attributes=.*/&,area/' /usr/share/gdal/osmconf.ini >"$OUT/osmconf.ini"
CLASSES="'motorway','motorway_link','trunk','trunk_link','primary','primary_link','secondary',\
'secondary_link','tertiary','tertiary_link','unclassified','residential','living_street','service',\
'road','cycleway','track','path','footway','pedestrian','steps'"
ogr2ogr --config OSM_CONFIG_FILE "$OUT/osmconf.ini" -f "ESRI Shapefile" -t_srs EPSG:3857 \
	-lco ENCODING=UTF-8 "$OUT/data/roads.shp" "$DATA/malta.osm.pbf" lines \
	-where "highway IN ($CLASSES) AND (area IS NULL OR area <> 'yes')" -select highway \
	-nlt LINESTRING -nln roads
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:3857 -lco ENCODING=UTF-8 "$OUT/data/boundaries.shp" \
	"$DATA/boundaries_admin.geojson" -select osm_id -nln boundaries
ogr2ogr -f "ESRI Shapefile" -t_srs EPSG:3857 -lco ENCODING=UTF-8 "$OUT/data/stations.shp" \
	"$DATA/stations_candidates.geojson" -select osm_id -nln stations
for f in roads boundaries stations; do
	shapeindex "$OUT/data/$f.shp" >/dev/null 2>&1
	shptree "$OUT/data/$f.shp" >/dev/null 2>&1
done

# ---- the tile list and the peers' styles ------------------------------------
$PY $BENCH/tiles_peers.py list "$OUT/data" 20240603 200 "$OUT/tiles.txt"
$PY $BENCH/tiles_peers.py styles $BENCH/styles/bench-simple.json "$OUT/data" "$OUT/styles" 12 14 16
YZDATA="--roads $DATA/malta.osm.pbf --stations $DATA/stations_candidates.geojson \
--communities $DATA/boundaries_admin.geojson"

# ---- 1. uncached, one core --------------------------------------------------
for run in $(seq 1 "$RUNS"); do
	echo "tiles.sh: rendering, run $run of $RUNS" >&2
	# shellcheck disable=SC2086
	$PIN ./yizhan seed $YZDATA --style $BENCH/styles/bench-simple.json --tiles "$OUT/tiles.txt" \
		--timings "$OUT/yizhan.run$run.times" -o "$OUT/yizhan.run$run" 2>"$OUT/yizhan.run$run.log"
	for peer in mapnik mapserver; do
		$PIN $PY $BENCH/tiles_peers.py render $peer "$OUT/styles" "$OUT/tiles.txt" \
			"$OUT/$peer.run$run" "$OUT/$peer.run$run.times" 2>"$OUT/$peer.run$run.log"
	done
done

# where yizhan's time goes: drawing against PNG encoding
# shellcheck disable=SC2086
$PIN build/release/tile_split $DATA/malta.osm.pbf $DATA/stations_candidates.geojson \
	$DATA/boundaries_admin.geojson $BENCH/styles/bench-simple.json "$OUT/tiles.txt" >"$OUT/split.txt"

# ---- 2. cached: nginx from disk, yizhan from memory -------------------------
mkdir -p "$OUT/www/tiles" "$OUT/nginx-tmp"
cp -r "$OUT/yizhan.run1/map" "$OUT/www/tiles/map"
sed -n 's|^\([0-9]\)|/tiles/map/\1|p' "$OUT/tiles.txt" | sed 's|$|.png|' >"$OUT/paths.txt"
cat >"$OUT/nginx.conf" <<EOF
# the cached-tile peer: the PNGs yizhan seeded, from disk (tiles.sh)
worker_processes 2;
daemon off;
pid $OUT/nginx.pid;
error_log $OUT/nginx.error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 65;
	keepalive_requests 1000000;
	open_file_cache max=10000 inactive=60s;
	open_file_cache_valid 60s;
	types { image/png png; }
	client_body_temp_path $OUT/nginx-tmp/body;
	proxy_temp_path $OUT/nginx-tmp/proxy;
	fastcgi_temp_path $OUT/nginx-tmp/fastcgi;
	uwsgi_temp_path $OUT/nginx-tmp/uwsgi;
	scgi_temp_path $OUT/nginx-tmp/scgi;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $OUT/www;
		location /tiles/ { add_header Cache-Control "public, max-age=3600"; }
	}
}
EOF
chmod -R a+rX "$OUT/www"
ngx="" srv=""
trap '[ -z "$ngx" ] || kill -TERM "$ngx" 2>/dev/null || true; [ -z "$srv" ] || kill -TERM "$srv" 2>/dev/null || true' EXIT INT TERM
"$NGINX" -p "$OUT" -c "$OUT/nginx.conf" 2>"$OUT/nginx.log" &
ngx=$!
# shellcheck disable=SC2086
./yizhan serve $YZDATA --styles $BENCH/styles --host 127.0.0.1 --port 0 --threads 2 \
	--tile-cache-mb 1024 >"$OUT/serve.log" 2>&1 &
srv=$!
port=""
for _ in $(seq 1 400); do
	port=$(sed -n 's|.*serving .* at http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$OUT/serve.log")
	[ -z "$port" ] || break
	sleep 0.05
done
[ -n "$port" ] || { echo "tiles.sh: yizhan serve did not start" >&2; cat "$OUT/serve.log" >&2; exit 1; }
first=$(head -1 "$OUT/paths.txt")
for _ in $(seq 1 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT$first" && break
	sleep 0.05
done
# warm-up: every tile once (twice: the second pass must be all hits); the
# same bytes from both servers as on disk
awk -v base="http://127.0.0.1:$port" '{print "url = " base $0; print "output = /dev/null"}' \
	"$OUT/paths.txt" >"$OUT/warm.curl"
for pass in 1 2; do
	curl -sf -K "$OUT/warm.curl" || { echo "tiles.sh: warm-up pass $pass failed" >&2; exit 1; }
done
curl -s "http://127.0.0.1:$port/metrics" | grep '^yizhan_tile_cache' >"$OUT/cache.metrics" || true
# shellcheck disable=SC2013  # URL paths have no spaces
for p in $(sed -n '1p;30p;400p' "$OUT/paths.txt"); do
	curl -s "http://127.0.0.1:$port$p" -o "$OUT/check.yizhan.png"
	curl -s "http://127.0.0.1:$NGINX_PORT$p" -o "$OUT/check.nginx.png"
	cmp -s "$OUT/check.yizhan.png" "$OUT/check.nginx.png" ||
		{ echo "tiles.sh: $p differs between yizhan serve and the seeded file" >&2; exit 1; }
done
# the servers' own CPU time over each run (utime + stime of the yizhan process,
# of nginx's master and workers), hence CPU per request: a figure that other
# load on the machine changes much less than requests/s
cpu_s() {
	for p in "$@"; do awk '{print $14 + $15}' "/proc/$p/stat"; done |
		awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.3f", s / hz}'
}
ngx_pids="$ngx $(pgrep -P "$ngx" | tr '\n' ' ')"
for run in $(seq 1 "$RUNS"); do
	for who in nginx yizhan; do
		p=$NGINX_PORT pids=$ngx_pids
		[ $who = nginx ] || { p=$port; pids=$srv; }
		echo "tiles.sh: wrk against $who, run $run of $RUNS" >&2
		# shellcheck disable=SC2086
		c0=$(cpu_s $pids)
		wrk -t2 -c50 -d"${WRK_SECONDS}s" --latency -s $BENCH/rotate.lua "http://127.0.0.1:$p" \
			-- "$OUT/paths.txt" >"$OUT/wrk.$who.run$run.txt" 2>&1
		# shellcheck disable=SC2086
		c1=$(cpu_s $pids)
		echo "server_cpu_s $(echo "$c0 $c1" | awk '{printf "%.3f", $2 - $1}')" >>"$OUT/wrk.$who.run$run.txt"
	done
done
curl -s "http://127.0.0.1:$port/metrics" | grep '^yizhan_tile_cache' >"$OUT/cache.after.metrics" || true
kill -TERM "$srv" "$ngx"
wait "$srv" || true
wait "$ngx" || true
srv="" ngx=""

# ---- 3. report --------------------------------------------------------------
$PY $BENCH/tiles_peers.py report "$OUT" "$RUNS" | tee "$OUT/report.md"
