#!/bin/sh
# coverage.sh — the coverage and suggest benchmark of issue 5, side by side
# with pgRouting on this machine, e-bike, for malta (its 352 candidate
# stations and 64 council boundaries) and rnv_mannheim (60 stations drawn by
# synth_stations.py with a fixed seed, no boundaries):
#
#   1. coverage_bench (one core, pinned): the nearest-station field alone;
#      a full coverage computation (field + totals + per-community table at
#      15 min); suggest k = 5 with the API's parameters.
#   2. pgRouting: pgr_drivingDistance from all stations at once on the
#      reversed graph (equicost: each vertex keeps its nearest station's
#      time), 900 s, and the covered length summed in SQL from the vertex
#      times — the same coverage question on the same edges.  pgRouting
#      starts from vertices, so each station stands at the end of its edge
#      nearer to it (yizhan starts inside the edge); the covered totals are
#      printed side by side as a sanity check.
#
#   scripts/bench/coverage.sh [SHARED_DATA_DIR]     (default ../shared/data)
#   REPEAT=21 OUT=/tmp/yizhan-bench (environment); KEEP_PG=1 keeps the cluster
set -eu
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
OUT=${OUT:-/tmp/yizhan-bench}
REPEAT=${REPEAT:-21}
PGDIR=${PGDIR:-/tmp/yizhan-pg}
PGPORT=${PGPORT:-55432}
PGBIN=/usr/lib/postgresql/15/bin
HERE=scripts/bench
mkdir -p "$OUT"
make -s yizhan build/release/coverage_bench
PIN=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then
	PIN="taskset -c 1"
fi
echo "coverage.sh: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- datasets ---------------------------------------------------------------
./yizhan build --roads "$DATA/malta/malta.osm.pbf" --stations "$DATA/malta/stations_candidates.geojson" \
	--communities "$DATA/malta/boundaries_admin.geojson" -o "$OUT/malta_cov.snap" 2>"$OUT/malta_cov.build.log"
./yizhan export-edges --roads "$DATA/rnv_mannheim/rnv.osm.pbf" --mode ebike \
	-o "$OUT/rnv_mannheim.roads_edges.csv" 2>/dev/null
python3 $HERE/synth_stations.py "$OUT/rnv_mannheim.roads_edges.csv" \
	"$OUT/rnv_mannheim.stations.geojson" 60 42
./yizhan build --roads "$DATA/rnv_mannheim/rnv.osm.pbf" --stations "$OUT/rnv_mannheim.stations.geojson" \
	-o "$OUT/rnv_mannheim_cov.snap" 2>"$OUT/rnv_mannheim_cov.build.log"

# ---- 1. yizhan ----------------------------------------------------------------
for name in malta rnv_mannheim; do
	echo "coverage.sh: $name: coverage_bench, $REPEAT runs" >&2
	./yizhan export-edges --snapshot "$OUT/${name}_cov.snap" --mode ebike -o "$OUT/$name.cov_edges.csv" 2>/dev/null
	$PIN build/release/coverage_bench --snapshot "$OUT/${name}_cov.snap" --name "$name" \
		--repeat "$REPEAT" --out "$OUT" >"$OUT/$name.cov.txt"
done

# ---- 2. pgRouting -------------------------------------------------------------
. $HERE/pg_cluster.sh
for name in malta rnv_mannheim; do
	s=cov_$name
	echo "coverage.sh: $name: pgRouting, $REPEAT runs" >&2
	$PSQL -At <<SQL >"$OUT/$name.cov_pg.out"
DROP SCHEMA IF EXISTS $s CASCADE;
CREATE SCHEMA $s;
SET search_path = $s, public;
CREATE TABLE edges (id int PRIMARY KEY, source int, target int, cost float8, reverse_cost float8,
	length_m float8, x1 float8, y1 float8, x2 float8, y2 float8);
\copy edges FROM '$OUT/$name.cov_edges.csv' CSV HEADER
CREATE TABLE starts (vid int);
\copy starts FROM '$OUT/$name.cov_starts.csv' CSV HEADER
VACUUM ANALYZE;
-- One full coverage computation: times to the nearest station on the
-- reversed graph (cost and reverse_cost swapped), then each edge's covered
-- part from its ends' times: reaching target along the edge covers
-- (T − t(target))/cost of it, reaching source against it
-- (T − t(source))/reverse_cost; the two stretches start at opposite ends,
-- so together they cover min(1, a + b).
CREATE FUNCTION cov_run(lim float8) RETURNS TABLE (ms float8, road_m float8, covered_m float8)
LANGUAGE plpgsql VOLATILE AS \$\$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS dd (node bigint PRIMARY KEY, t float8) ON COMMIT DROP;
	TRUNCATE dd;
	INSERT INTO dd SELECT node, min(agg_cost) FROM pgr_drivingDistance(
		'SELECT id, source, target, reverse_cost AS cost, cost AS reverse_cost FROM $s.edges',
		ARRAY(SELECT DISTINCT vid::bigint FROM $s.starts), lim, directed => true, equicost => true)
		GROUP BY node;
	SELECT sum(e.length_m), sum(e.length_m * LEAST(1,
		CASE WHEN e.reverse_cost >= 0 AND a.t IS NOT NULL THEN LEAST(1, (lim - a.t) / GREATEST(e.reverse_cost, 1e-9)) ELSE 0 END +
		CASE WHEN e.cost >= 0 AND b.t IS NOT NULL THEN LEAST(1, (lim - b.t) / GREATEST(e.cost, 1e-9)) ELSE 0 END))
	INTO road_m, covered_m
	FROM $s.edges e LEFT JOIN dd a ON a.node = e.source LEFT JOIN dd b ON b.node = e.target;
	ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
	RETURN NEXT;
END \$\$;
SELECT 'WARM', ms, road_m, covered_m FROM cov_run(900);
SELECT 'RUN', r.ms, r.road_m, r.covered_m FROM generate_series(1, $REPEAT) i, LATERAL cov_run(900 + 0 * i) r;
SQL
done

# ---- report -------------------------------------------------------------------
python3 - "$OUT" <<'PY' | tee "$OUT/coverage_report.md"
import re, statistics, sys
out = sys.argv[1]
print("| dataset | stations | yizhan field | yizhan coverage (15 min) | pgRouting drivingDistance + sum | ratio | yizhan suggest k=5 | covered 15 min: yizhan / pgRouting |")
print("|---|---|---|---|---|---|---|---|")
for name in ("malta", "rnv_mannheim"):
    y = open(f"{out}/{name}.cov.txt").read()
    res = {m.group(1): (float(m.group(2)), float(m.group(3)))
           for m in re.finditer(r"kind=(\w+) n=\d+ median_ms=([\d.]+) p90_ms=([\d.]+)", y)}
    cov15 = re.search(r"minutes=15 road_m=([\d.]+) covered_m=([\d.]+)", y)
    info = re.search(r"stations=(\d+) snapped=(\d+)", y)
    pg = [l.split("|") for l in open(f"{out}/{name}.cov_pg.out") if l.startswith("RUN|")]
    pg_ms = sorted(float(r[1]) for r in pg)
    pg_med, pg_p90 = statistics.median(pg_ms), pg_ms[int(0.9 * (len(pg_ms) - 1) + 0.5)]
    pg_cov = float(pg[0][3]) / float(pg[0][2])
    yc = res["coverage"]
    print(f"| {name} | {info.group(2)} of {info.group(1)} | {res['field'][0]:.2f} ms (p90 {res['field'][1]:.2f}) "
          f"| {yc[0]:.2f} ms (p90 {yc[1]:.2f}) | {pg_med:.0f} ms (p90 {pg_p90:.0f}) | {pg_med / yc[0]:.0f}× "
          f"| {res['suggest'][0]:.0f} ms (p90 {res['suggest'][1]:.0f}) "
          f"| {float(cov15.group(2)) / float(cov15.group(1)):.4f} / {pg_cov:.4f} |")
PY
