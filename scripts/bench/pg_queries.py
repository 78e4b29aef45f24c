#!/usr/bin/env python3
"""pg_queries.py — SQL for the pgRouting side of the benchmark, and parsing.

    pg_queries.py gen SCHEMA QUERIES.csv N WARM   the timed psql script (\\timing)
    pg_queries.py parse PG.out                    → TSV: kind qid ms answer
    pg_queries.py check SCHEMA N                  sanity SQL with yizhan's snaps

Each timed query is one statement, the way a pgRouting user writes it: the
query point is snapped to the nearest edge (KNN `<->` on the GiST index) at
ST_LineLocatePoint's fraction and handed to pgr_withPoints* as a point, the
pgRouting equivalent of yizhan's partial edges; the graph is read by
edges_sql on every call.  A fraction of exactly 0 or 1 makes pgRouting 3.4
return nothing (issue #2689), so such a position is passed as its vertex.

  route    pgr_withPoints point → point, with the path's geometry collected
  nearest  pgr_withPointsCost point → every station (snapped once at load, as
           points too), the 5 smallest costs (no path geometry)
  iso      pgr_withPointsDD to 15 min once, then ST_ConcaveHull(…, 0.8) of the
           reached vertices for 5, 10 and 15 min
"""
import csv
import os
import re
import sys

EDGES = "SELECT id, source, target, cost, reverse_cost FROM {s}.edges"
NO_POINTS = "SELECT 1 AS pid, 1 AS edge_id, 0.5::float8 AS fraction WHERE false"


def lit(sql):
    return "'" + sql.replace("'", "''") + "'"


def snap_cte(s, pts):
    """CTEs p (k, edge_id, fraction, vid) and pts (sql): each query point k
    snapped to its nearest edge (KNN); vid is the vertex when the fraction is
    0 or 1 (pgRouting issue #2689), else -k; pts.sql lists the true points."""
    values = ", ".join(f"({k}, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326))"
                       for k, (lon, lat) in enumerate(pts, 1))
    return (f"WITH q(k, g) AS (VALUES {values}), "
            f"p AS (SELECT q.k, e.id AS edge_id, f.fraction, "
            f"CASE WHEN f.fraction <= 0 THEN e.source WHEN f.fraction >= 1 THEN e.target ELSE -q.k END AS vid "
            f"FROM q, LATERAL (SELECT id, source, target, geom FROM {s}.edges ORDER BY geom <-> q.g LIMIT 1) e, "
            f"LATERAL (SELECT ST_LineLocatePoint(e.geom, q.g) AS fraction) f), "
            f"pts AS (SELECT string_agg(format('SELECT %s AS pid, %s AS edge_id, %s::float8 AS fraction', "
            f"k, edge_id, fraction), ' UNION ALL ') AS sql FROM p WHERE vid < 0)")


def route_sql(s, q):
    return (snap_cte(s, [(q["lon"], q["lat"]), (q["lon2"], q["lat2"])]) +
            f" SELECT round(sum(r.cost)::numeric * 1000), ST_NPoints(ST_Collect(e.geom ORDER BY r.seq)) "
            f"FROM pgr_withPoints({lit(EDGES.format(s=s))}, "
            f"(SELECT COALESCE(sql, {lit(NO_POINTS)}) FROM pts), "
            f"(SELECT vid FROM p WHERE k = 1), (SELECT vid FROM p WHERE k = 2), "
            f"directed => true, driving_side => 'b', details => false) r "
            f"LEFT JOIN {s}.edges e ON e.id = r.edge;")


def nearest_sql(s, q):
    st = f"SELECT sid + 2 AS pid, edge_id, fraction FROM {s}.stations WHERE vid < 0"
    # pgRouting leaves out a target equal to the start: a station on the
    # query's own vertex is added at cost 0
    return (snap_cte(s, [(q["lon"], q["lat"])]) +
            f" SELECT string_agg(sid::text || ':' || round(agg_cost::numeric * 1000)::text, ';' "
            f"ORDER BY agg_cost, sid) FROM (SELECT * FROM (SELECT st.sid, c.agg_cost FROM pgr_withPointsCost("
            f"{lit(EDGES.format(s=s))}, (SELECT {lit(st)} || COALESCE(' UNION ALL ' || sql, '') FROM pts), "
            f"(SELECT vid FROM p), (SELECT array_agg(DISTINCT vid) FROM {s}.stations), "
            f"directed => true, driving_side => 'b') c JOIN {s}.stations st ON st.vid = c.end_pid "
            f"UNION ALL SELECT sid, 0 FROM {s}.stations WHERE vid = (SELECT vid FROM p)) u "
            f"ORDER BY agg_cost, sid LIMIT 5) t;")


def iso_sql(s, q):
    return (snap_cte(s, [(q["lon"], q["lat"])]) +
            f", dd AS (SELECT node, agg_cost FROM pgr_withPointsDD({lit(EDGES.format(s=s))}, "
            f"(SELECT COALESCE(sql, {lit(NO_POINTS)}) FROM pts), (SELECT vid FROM p), 900, "
            f"directed => true, driving_side => 'b', details => false)), "
            f"r AS (SELECT dd.agg_cost, v.geom FROM dd JOIN {s}.vertices v ON v.id = dd.node) "
            f"SELECT string_agg(ST_NPoints(h)::text, ';' ORDER BY l) FROM ("
            f"SELECT l, ST_ConcaveHull(ST_Collect(geom), 0.8) AS h "
            f"FROM (VALUES (300), (600), (900)) lim(l) JOIN r ON r.agg_cost <= l GROUP BY l) x;")


# The backend's own CPU time (utime + stime, clock ticks) from /proc: read
# before and after each kind's block, it gives the mean CPU per query, which
# other load on the machine does not change (superuser: pg_read_file).
CPU = ("SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint "
       "FROM pg_read_file('/proc/self/stat') s;")


def gen(schema, path, n, warm):
    with open(path, newline="") as f:
        qs = list(csv.DictReader(f))[:n]
    out = [f"SET search_path = {schema}, public;", "\\timing on"]
    for kind, fn in (("route", route_sql), ("nearest", nearest_sql), ("iso", iso_sql)):
        for q in qs[:warm]:
            out += [f"\\echo @warm {kind} {q['qid']}", fn(schema, q)]
        out += [f"\\echo @cpu0 {kind}", CPU]
        for q in qs:
            out += [f"\\echo @{kind} {q['qid']}", fn(schema, q)]
        out += [f"\\echo @cpu1 {kind}", CPU]
    print("\n".join(out))


TIME = re.compile(r"^Time: ([0-9.]+) ms")


def parse(path):
    """Per query: kind, qid, client time (ms), answer; then per kind a row
    kind 'cpu', qid = the kind, ms = the backend's mean CPU ms per query."""
    tag, answer = None, ""
    cpu, count = {}, {}
    print("kind\tqid\tms\tanswer")
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("@"):
            tag, answer = line[1:].split(), ""
            continue
        m = TIME.match(line)
        if m:
            if tag and tag[0] in ("cpu0", "cpu1"):
                cpu.setdefault(tag[1], {})[tag[0]] = int(answer)
            elif tag and tag[0] != "warm":
                print(f"{tag[0]}\t{tag[1]}\t{m.group(1)}\t{answer}")
                count[tag[0]] = count.get(tag[0], 0) + 1
            tag = None
        elif tag:
            answer = line if not answer else answer + "|" + line
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    for kind, c in cpu.items():
        if "cpu0" in c and "cpu1" in c and count.get(kind):
            print(f"cpu\t{kind}\t{(c['cpu1'] - c['cpu0']) * tick_ms / count[kind]:.3f}\t")


def check(s, n):
    """Sanity SQL: the same route and nearest queries from yizhan's own snapped
    positions (ysnaps, stations.yseg/yfrac), untimed.  Positions at fraction
    0 or 1 are passed as their vertex (v1, v2, yvid) and left out of the
    points, where pgRouting 3.4 would spoil the whole answer (#2689)."""
    print(f"SET search_path = {s}, public;")
    e = lit(EDGES.format(s=s))
    p1 = "CASE WHEN q.v1 < 0 THEN format('SELECT 1 AS pid, %s AS edge_id, %s::float8 AS fraction', q.seg1, q.frac1) END"
    p2 = "CASE WHEN q.v2 < 0 THEN format('SELECT 2 AS pid, %s AS edge_id, %s::float8 AS fraction', q.seg2, q.frac2) END"
    pts_r = f"concat_ws(' UNION ALL ', {p1}, {p2}, {lit(NO_POINTS)})"
    print(f"SELECT 'route', q.qid, (SELECT round(sum(r.cost)::numeric * 1000) FROM pgr_withPoints({e}, {pts_r}, "
          f"q.v1, q.v2, directed => true, driving_side => 'b', details => false) r) "
          f"FROM ysnaps q WHERE q.qid < {n} ORDER BY q.qid;")
    st = f"SELECT sid + 2 AS pid, yseg AS edge_id, yfrac AS fraction FROM {s}.stations WHERE yvid < 0"
    pts_n = f"concat_ws(' UNION ALL ', {lit(st)}, {p1})"
    print(f"SELECT 'nearest', q.qid, (SELECT string_agg(sid::text || ':' || "
          f"round(agg_cost::numeric * 1000)::text, ';' ORDER BY agg_cost, sid) FROM (SELECT * FROM ("
          f"SELECT st.sid, c.agg_cost FROM pgr_withPointsCost({e}, {pts_n}, q.v1, "
          f"(SELECT array_agg(DISTINCT yvid) FROM {s}.stations), directed => true, driving_side => 'b') c "
          f"JOIN {s}.stations st ON st.yvid = c.end_pid "
          f"UNION ALL SELECT sid, 0 FROM {s}.stations WHERE yvid = q.v1) u "
          f"ORDER BY agg_cost, sid LIMIT 5) t) FROM ysnaps q WHERE q.qid < {n} ORDER BY q.qid;")


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "parse":
        parse(sys.argv[2])
    elif cmd == "check":
        check(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("usage: pg_queries.py gen|parse|check …")


if __name__ == "__main__":
    main()
