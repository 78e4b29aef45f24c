#!/bin/sh
# foundation.sh — load-time, size and memory figures for the road graph and
# snapshot (issue: foundation).  For each dataset: OSM → graph time, nodes
# and arcs per mode, snapshot size, start-up from the snapshot (median of 5),
# resident memory while serving, bytes per node and per arc.
#
#   scripts/bench/foundation.sh [SHARED_DATA_DIR]        (default ../shared/data)
#   PROVINCE=/tmp/province scripts/bench/foundation.sh   also the synthetic
#       province made by scripts/make-province-grid.py -o /tmp/province
set -eu
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
OUT=${TMPDIR:-/tmp}/yizhan-bench
mkdir -p "$OUT"
make -s yizhan

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

row() { # name, data arguments…
	name=$1; shift
	snap="$OUT/$name.snap"
	./yizhan build "$@" -o "$snap" 2>"$OUT/$name.build.log"
	build_ms=$(./yizhan info --snapshot "$snap" | python3 -c 'import json,sys; print(json.load(sys.stdin)["build_ms"])')
	load_ms=$(for i in 1 2 3 4 5; do ./yizhan info --snapshot "$snap" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["load_ms"])'; done | median)
	# resident memory of a serving process, from the snapshot
	./yizhan serve --snapshot "$snap" --port 0 > "$OUT/$name.serve.log" 2>&1 &
	pid=$!
	for i in $(seq 1 100); do grep -q serving "$OUT/$name.serve.log" && break; sleep 0.05; done
	rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
	kill -TERM $pid; wait $pid || true
	./yizhan info --snapshot "$snap" | python3 -c '
import json, os, sys
d = json.load(sys.stdin)
name, snap, build_ms, load_ms, rss_kb = sys.argv[1:6]
size = os.path.getsize(snap)
m = d["modes"]
nodes = d["roads"]["junctions"]; arcs = sum(m[k]["arcs"] for k in m)
print(f"| {name} | {float(build_ms):.0f} | {nodes} | " +
      " | ".join("%d / %d" % (m[k]["nodes"], m[k]["arcs"]) for k in ("walk", "ebike", "car")) +
      f" | {size/1e6:.1f} MB | {float(load_ms):.1f} ms | {int(rss_kb)/1024:.0f} MB |" +
      f" {size/nodes:.0f} | {size/arcs:.0f} |")
' "$name" "$snap" "$build_ms" "$load_ms" "$rss_kb"
}

echo "| dataset | OSM→graph ms | junctions | walk nodes / arcs | ebike nodes / arcs | car nodes / arcs | snapshot | start-up (median of 5) | RSS serving | snapshot B/junction | snapshot B/arc (all modes) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
row shanghai_center --roads "$DATA/shanghai_center/shanghai_center.osm.pbf" \
	--stations "$DATA/shanghai_center/stations_candidates_busstops.geojson" \
	--communities "$DATA/shanghai_center/shanghai_districts_wgs84.geojson"
row malta --roads "$DATA/malta/malta.osm.pbf" --stations "$DATA/malta/stations_candidates.geojson" \
	--communities "$DATA/malta/boundaries_admin.geojson"
row rnv_mannheim --roads "$DATA/rnv_mannheim/rnv.osm.pbf"
if [ -n "${PROVINCE:-}" ]; then
	row province "$PROVINCE"
fi
