#!/bin/sh
# pgrouting.sh — the benchmark's queries on pgRouting (issue 3), on the very
# same graph and points as routing_bench.
#
#   scripts/bench/pgrouting.sh NAME…        e.g. malta rnv_mannheim
#
# Inputs, per NAME, in $OUT (default /tmp/yizhan-bench), made by run.sh:
#   NAME.edges.csv      `yizhan export-edges … --mode ebike` (topology, costs)
#   NAME.shapes.csv     the segments' full shapes (routing_bench), as geometry
#   NAME.queries.csv    the query points (routing_bench)
#   NAME.stations.csv   the stations of the e-bike graph (routing_bench)
#   NAME.snaps.csv      yizhan's snapped positions, for the sanity check
# Outputs: NAME.pg.sql / NAME.pg.out (the timed run), NAME.pg.tsv (per-query
# times and answers), NAME.pg_check.out (sanity check with yizhan's snaps).
#
# PostgreSQL 15 + PostGIS 3 + pgRouting from Debian 12 are installed with
# apt-get when missing.  A private cluster lives in $PGDIR (default
# /tmp/yizhan-pg), listens on 127.0.0.1:$PGPORT (default 55432) only, trust
# authentication (loopback, throw-away data); as root it runs as the
# `postgres` system user.  The cluster is stopped at the end unless
# KEEP_PG=1.  PG_N queries per kind (default 200), PG_WARM warm-up queries
# per kind (default 10).
set -eu
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/yizhan-bench}
PGDIR=${PGDIR:-/tmp/yizhan-pg}
PGPORT=${PGPORT:-55432}
PG_N=${PG_N:-200}
PG_WARM=${PG_WARM:-10}
PGBIN=/usr/lib/postgresql/15/bin
HERE=scripts/bench
[ $# -ge 1 ] || { echo "usage: $0 NAME…" >&2; exit 2; }

# ---- PostgreSQL + PostGIS + pgRouting, a private cluster, database yizhan_bench
. $HERE/pg_cluster.sh

for name in "$@"; do
	for f in edges shapes queries stations snaps; do
		[ -f "$OUT/$name.$f.csv" ] || { echo "pgrouting.sh: $OUT/$name.$f.csv missing (run run.sh)" >&2; exit 1; }
	done
	s=bench_$name
	echo "pgrouting.sh: $name: loading" >&2
	t0=$(date +%s.%N)
	$PSQL <<EOF
DROP SCHEMA IF EXISTS $s CASCADE;
CREATE SCHEMA $s;
SET search_path = $s, public;
CREATE TABLE edges_raw (id int, source int, target int, cost_s float8, reverse_cost_s float8,
	length_m float8, x1 float8, y1 float8, x2 float8, y2 float8);
\copy edges_raw FROM '$OUT/$name.edges.csv' CSV HEADER
CREATE TABLE shapes (id int PRIMARY KEY, wkt text);
\copy shapes FROM '$OUT/$name.shapes.csv' CSV HEADER
-- geometry: the segment's full shape (fractions then follow the road as
-- yizhan's do); the straight line x1,y1–x2,y2 when no shape is given
CREATE TABLE edges AS
SELECT e.id, e.source, e.target, e.cost_s AS cost, e.reverse_cost_s AS reverse_cost, e.length_m,
       e.x1, e.y1, e.x2, e.y2,
       COALESCE(ST_GeomFromText(s.wkt, 4326),
                ST_SetSRID(ST_MakeLine(ST_MakePoint(e.x1, e.y1), ST_MakePoint(e.x2, e.y2)), 4326))
         ::geometry(LineString, 4326) AS geom
FROM edges_raw e LEFT JOIN shapes s USING (id);
ALTER TABLE edges ADD PRIMARY KEY (id);
CREATE INDEX edges_geom ON edges USING gist (geom);
CREATE TABLE vertices AS
SELECT DISTINCT ON (id) id, geom FROM (
	SELECT source AS id, ST_SetSRID(ST_MakePoint(x1, y1), 4326) AS geom FROM edges
	UNION ALL SELECT target, ST_SetSRID(ST_MakePoint(x2, y2), 4326) FROM edges) v
ORDER BY id;
ALTER TABLE vertices ADD PRIMARY KEY (id);
-- stations: snapped once, at load, to the nearest edge (KNN), like yizhan's
-- attach; pid = sid + 2 (pid 1 is the query point).  yseg/yfrac: yizhan's snap.
CREATE TABLE stations (sid int PRIMARY KEY, lon float8, lat float8, yseg int, yfrac float8);
\copy stations FROM '$OUT/$name.stations.csv' CSV HEADER
ALTER TABLE stations ADD COLUMN geom geometry(Point, 4326), ADD COLUMN edge_id int,
	ADD COLUMN fraction float8;
UPDATE stations SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
UPDATE stations st SET (edge_id, fraction) =
	(SELECT e.id, ST_LineLocatePoint(e.geom, st.geom) FROM edges e ORDER BY e.geom <-> st.geom LIMIT 1);
-- pgRouting 3.4 returns nothing for a withPoints point at fraction 0 or 1
-- (pgRouting issue #2689): such a position is its vertex instead.  vid is
-- what the pgr_withPoints* calls name: the vertex id, or -pid for a point.
ALTER TABLE stations ADD COLUMN vid bigint, ADD COLUMN yvid bigint;
UPDATE stations st SET
	vid = CASE WHEN st.fraction <= 0 THEN e.source WHEN st.fraction >= 1 THEN e.target ELSE -(st.sid + 2) END
	FROM edges e WHERE e.id = st.edge_id;
UPDATE stations st SET
	yvid = CASE WHEN st.yfrac <= 0 THEN e.source WHEN st.yfrac >= 1 THEN e.target ELSE -(st.sid + 2) END
	FROM edges e WHERE e.id = st.yseg;
CREATE TABLE queries (qid int PRIMARY KEY, lon float8, lat float8, lon2 float8, lat2 float8);
\copy queries FROM '$OUT/$name.queries.csv' CSV HEADER
CREATE TABLE ysnaps (qid int PRIMARY KEY, seg1 int, frac1 float8, seg2 int, frac2 float8);
\copy ysnaps FROM '$OUT/$name.snaps.csv' CSV HEADER
ALTER TABLE ysnaps ADD COLUMN v1 bigint, ADD COLUMN v2 bigint;
UPDATE ysnaps y SET v1 = CASE WHEN y.frac1 <= 0 THEN e.source WHEN y.frac1 >= 1 THEN e.target ELSE -1 END
	FROM edges e WHERE e.id = y.seg1;
UPDATE ysnaps y SET v2 = CASE WHEN y.frac2 <= 0 THEN e.source WHEN y.frac2 >= 1 THEN e.target ELSE -2 END
	FROM edges e WHERE e.id = y.seg2;
DROP TABLE edges_raw, shapes;
VACUUM ANALYZE;
EOF
	echo "$(date +%s.%N) $t0" | awk '{printf "%.1f\n", $1 - $2}' >"$OUT/$name.pg.load_s"

	echo "pgrouting.sh: $name: $PG_N queries per kind" >&2
	python3 $HERE/pg_queries.py gen "$s" "$OUT/$name.queries.csv" "$PG_N" "$PG_WARM" >"$OUT/$name.pg.sql"
	$PSQL -At -f "$OUT/$name.pg.sql" >"$OUT/$name.pg.out"
	python3 $HERE/pg_queries.py parse "$OUT/$name.pg.out" >"$OUT/$name.pg.tsv"

	echo "pgrouting.sh: $name: sanity check with yizhan's snaps" >&2
	python3 $HERE/pg_queries.py check "$s" "$PG_N" >"$OUT/$name.pg_check.sql"
	$PSQL -At -F, -f "$OUT/$name.pg_check.sql" >"$OUT/$name.pg_check.out"
done
