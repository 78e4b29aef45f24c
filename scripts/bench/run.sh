#!/bin/sh
# run.sh — the routing benchmark of issue 3, everything side by side on this
# machine, for malta and rnv_mannheim (e-bike):
#
#   1. routing_bench: route, nearest k=5 with routes, isochrone 5/10/15 min
#      with polygons — compute only, one core (pinned with taskset)
#   2. pgrouting.sh: the same queries and graph on pgRouting, and the sanity
#      comparison of the answers
#   3. http.sh: the API over HTTP with wrk
#   4. report.py: Markdown tables on stdout and in $OUT/report.md
#
#   scripts/bench/run.sh [SHARED_DATA_DIR]     (default ../shared/data)
#   N=1000 PG_N=200 WRK_SECONDS=10 OUT=/tmp/yizhan-bench (environment)
#
# rnv_mannheim has no stations: 60 junctions of its e-bike graph are drawn
# with a fixed seed (synth_stations.py) and built into its snapshot.
# Takes about 5 minutes.  Raw outputs stay in $OUT.
set -eu
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
OUT=${OUT:-/tmp/yizhan-bench}
N=${N:-1000}
export OUT
mkdir -p "$OUT"
make -s yizhan build/release/routing_bench
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
echo "run.sh: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- datasets ---------------------------------------------------------------
./yizhan build --roads "$DATA/malta/malta.osm.pbf" --stations "$DATA/malta/stations_candidates.geojson" \
	-o "$OUT/malta.snap" 2>"$OUT/malta.build.log"
./yizhan export-edges --roads "$DATA/rnv_mannheim/rnv.osm.pbf" --mode ebike \
	-o "$OUT/rnv_mannheim.roads_edges.csv" 2>/dev/null
python3 scripts/bench/synth_stations.py "$OUT/rnv_mannheim.roads_edges.csv" \
	"$OUT/rnv_mannheim.stations.geojson" 60 42
./yizhan build --roads "$DATA/rnv_mannheim/rnv.osm.pbf" --stations "$OUT/rnv_mannheim.stations.geojson" \
	-o "$OUT/rnv_mannheim.snap" 2>"$OUT/rnv_mannheim.build.log"

# ---- 1. yizhan, compute only --------------------------------------------------
for name in malta rnv_mannheim; do
	./yizhan export-edges --snapshot "$OUT/$name.snap" --mode ebike -o "$OUT/$name.edges.csv" 2>/dev/null
	echo "run.sh: $name: routing_bench, $N queries per kind" >&2
	$PIN build/release/routing_bench --snapshot "$OUT/$name.snap" --name "$name" --n "$N" \
		--out "$OUT" >"$OUT/$name.yizhan.txt"
done

# ---- 2. pgRouting -----------------------------------------------------------
sh scripts/bench/pgrouting.sh malta rnv_mannheim 2>"$OUT/pgrouting.log" || {
	cat "$OUT/pgrouting.log" >&2; exit 1; }

# ---- 3. HTTP ------------------------------------------------------------------
echo "run.sh: HTTP (wrk)" >&2
sh scripts/bench/http.sh malta rnv_mannheim

# ---- 4. tables --------------------------------------------------------------
python3 scripts/bench/report.py "$OUT" malta rnv_mannheim | tee "$OUT/report.md"
