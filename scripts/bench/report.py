#!/usr/bin/env python3
"""report.py — the Markdown tables of run.sh from the raw outputs in OUT.

    report.py OUT NAME…

Reads, per NAME: NAME.yizhan.txt (routing_bench), NAME.pg.tsv and
NAME.pg_check.out (pgrouting.sh), NAME.results.csv (routing_bench answers),
NAME.wrk.<kind>.txt (http.sh).  Percentiles are nearest-rank, as in
routing_bench.c.
"""
import csv
import math
import os
import re
import sys

KINDS = [("route", "route (snap both + route_compute)", "pgr_withPoints + path geometry"),
         ("nearest", "nearest k=5 with routes", "pgr_withPointsCost to all stations, top 5"),
         ("iso", "isochrone e-bike 5/10/15 min + polygons", "pgr_withPointsDD 15 min + 3 × ST_ConcaveHull 0.8")]
TARGETS = {"route": 2.0, "nearest": 0.3, "iso": 2.0}


def pct(v, p):
    v = sorted(v)
    if not v:
        return float("nan")
    r = math.ceil(p * len(v))
    return v[max(r, 1) - 1]


def read_yizhan(out, name):
    res = {}
    path = os.path.join(out, name + ".yizhan.txt")
    if not os.path.exists(path):
        return res
    for line in open(path):
        if line.startswith("RESULT "):
            kv = dict(t.split("=", 1) for t in line.split()[1:])
            res[kv["kind"]] = kv
    return res


def read_pg(out, name):
    times, answers, cpu = {}, {}, {}
    path = os.path.join(out, name + ".pg.tsv")
    if not os.path.exists(path):
        return times, answers, cpu
    with open(path) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["kind"] == "cpu":
                cpu[r["qid"]] = float(r["ms"])
                continue
            times.setdefault(r["kind"], []).append(float(r["ms"]))
            answers[(r["kind"], int(r["qid"]))] = r["answer"]
    return times, answers, cpu


def read_results(out, name):
    res = {}
    path = os.path.join(out, name + ".results.csv")
    if os.path.exists(path):
        with open(path) as f:
            for r in csv.DictReader(f):
                res[int(r["qid"])] = r
    return res


def parse_hits(s):
    """'sid:ms;sid:ms' → [(sid, ms)]"""
    out = []
    for t in (s or "").split(";"):
        if ":" in t:
            a, b = t.split(":")
            out.append((int(a), float(b)))
    return out


def sanity(out, name, yres, pg_answers):
    lines = []
    path = os.path.join(out, name + ".pg_check.out")
    route, near = [], []
    if os.path.exists(path):
        for line in open(path):
            parts = line.rstrip("\n").split(",", 2)
            if len(parts) != 3 or parts[0] not in ("route", "nearest"):
                continue
            kind, qid, val = parts[0], int(parts[1]), parts[2]
            if qid not in yres:
                continue
            if kind == "route":
                route.append((qid, float(yres[qid]["route_ms"]), float(val) if val else None))
            else:
                near.append((qid, parse_hits(yres[qid]["nearest"]), parse_hits(val)))
    if route:
        ok = [(q, y, p) for q, y, p in route if p is not None]
        miss = len(route) - len(ok)
        rel = [abs(p - y) / y for q, y, p in ok if y > 0]
        ab = [abs(p - y) for q, y, p in ok]
        lines.append(f"- route durations, same snapped points (yizhan's): {len(ok)}/{len(route)} pairs "
                     f"compared, max relative difference {max(rel) * 100:.5f} %, max absolute "
                     f"{max(ab):.0f} ms" + (f", {miss} without a pgRouting answer" if miss else ""))
    if near:
        same, maxd = 0, 0.0
        for q, y, p in near:
            if [s for s, _ in y] == [s for s, _ in p]:
                same += 1
            for (_, a), (_, b) in zip(sorted(y, key=lambda t: t[1]), sorted(p, key=lambda t: t[1])):
                maxd = max(maxd, abs(a - b))
        lines.append(f"- nearest k=5, same snapped points: identical station lists in {same}/{len(near)} "
                     f"queries, max difference of the k-th time {maxd:.0f} ms")
    # with each engine's own snapping (the timed run)
    rel = []
    for (kind, qid), ans in pg_answers.items():
        if kind != "route" or qid not in yres or not ans or not ans.split("|")[0]:
            continue
        y = float(yres[qid]["route_ms"])
        p = float(ans.split("|")[0])
        if y > 0:
            rel.append(abs(p - y) / y)
    if rel:
        lines.append(f"- route durations, each engine snapping itself (pgRouting: KNN edge + "
                     f"ST_LineLocatePoint): median relative difference {pct(rel, 0.5) * 100:.3f} %, "
                     f"p90 {pct(rel, 0.9) * 100:.3f} %, max {max(rel) * 100:.3f} % over {len(rel)} pairs")
    return lines


UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}


def dur_ms(s):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", s)
    return float(m.group(1)) * UNIT[m.group(2)] if m else float("nan")


def read_wrk(out, name, kind):
    path = os.path.join(out, f"{name}.wrk.{kind}.txt")
    if not os.path.exists(path):
        return None
    txt = open(path).read()
    r = {"rps": float("nan"), "non2xx": 0, "errors": "none", "total": "?"}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", txt)
    if m:
        r["rps"] = float(m.group(1))
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+(\S+)", txt, re.M)
        r[p] = dur_ms(m.group(1)) if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", txt)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors:\s+(.*)", txt)
    if m:
        r["errors"] = m.group(1).strip()
    m = re.search(r"(\d+) requests in", txt)
    if m:
        r["total"] = m.group(1)
    m = re.search(r"server_cpu_s ([0-9.]+)", txt)
    r["cpu_ms"] = (float(m.group(1)) * 1e3 / int(r["total"])
                   if m and r["total"] != "?" and int(r["total"]) else float("nan"))
    return r


def f(x, d=3):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"


def main():
    out, names = sys.argv[1], sys.argv[2:]
    print(f"Machine: {os.cpu_count()} cores; " + open("/proc/loadavg").read().split(" ")[0] +
          " load average (1 min) at the end of the run.")
    vpath = os.path.join(out, "pg.versions")
    if os.path.exists(vpath):
        print("pgRouting side: " + open(vpath).read().strip().split(" on ")[0] + ".")
    print()
    for name in names:
        y = read_yizhan(out, name)
        pg_times, pg_answers, pg_cpu = read_pg(out, name)
        yres = read_results(out, name)
        n_y = next((v["n"] for v in y.values()), "?")
        n_p = len(pg_times.get("route", []))
        print(f"### {name} (e-bike; yizhan {n_y} queries per kind on one pinned core, "
              f"pgRouting the first {n_p} of them, same points)")
        print()
        print("| query (yizhan / pgRouting) | yizhan median ms | yizhan p90 ms | pgRouting median ms "
              "| pgRouting p90 ms | ratio yizhan/pgRouting, median | ratio, p90 | CPU mean ms: yizhan "
              "/ pgRouting backend | ratio, CPU mean |")
        print("|---|---|---|---|---|---|---|---|---|")
        for kind, label, pglabel in KINDS:
            yk = y.get(kind, {})
            ym, y9 = float(yk.get("median_ms", "nan")), float(yk.get("p90_ms", "nan"))
            yc = float(yk.get("cpu_mean_ms", "nan"))
            pc = pg_cpu.get(kind, float("nan"))
            pt = pg_times.get(kind, [])
            pm, p9 = pct(pt, 0.5), pct(pt, 0.9)
            print(f"| {label} / {pglabel} | {f(ym)} | {f(y9)} | {f(pm, 1)} | {f(p9, 1)} "
                  f"| {f(ym / pm if pt else float('nan'), 4)} | {f(y9 / p9 if pt else float('nan'), 4)} "
                  f"| {f(yc)} / {f(pc, 1)} | {f(yc / pc if pc > 0 else float('nan'), 4)} |")
        yi = y.get("iso", {})
        pv = []
        for (kind, qid), ans in pg_answers.items():
            if kind == "iso" and ans:
                parts = ans.split(";")
                if len(parts) == 3 and parts[2]:
                    pv.append(int(parts[2]))
        print()
        print(f"15-minute polygon, average vertex count: yizhan {yi.get('avg_vertices_15', '–')} "
              f"(5 min {yi.get('avg_vertices_5', '–')}, 10 min {yi.get('avg_vertices_10', '–')}); "
              f"pgRouting concave hull {f(sum(pv) / len(pv) if pv else float('nan'), 1)}.")
        print("Nodes settled per query (yizhan, mean): " +
              ", ".join(f"{k} {y[k].get('avg_settled', '–')}" for k, _, _ in KINDS if k in y) + ".")
        errs = {k: v.get("errors", "?") for k, v in y.items()}
        if any(e != "0" for e in errs.values()):
            print(f"yizhan query failures: {errs}")
        print()
        print("Sanity comparison (independent check of yizhan's routing):")
        print()
        for line in sanity(out, name, yres, pg_answers):
            print(line)
        print()
        print(f"HTTP, `yizhan serve --snapshot {name}.snap --threads 2`, wrk -t2 -c50 -d10s --latency, "
              f"every request a different query:")
        print()
        print("| endpoint | requests/s | median ms | p90 ms | p99 ms | requests | non-2xx | socket errors "
              "| server CPU ms/request | → req/s on 2 free cores |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for kind, label in (("nearest", "/api/nearest k=5 ebike"), ("route", "/api/route ebike"),
                            ("iso", "/api/isochrone 5,10,15 ebike")):
            w = read_wrk(out, name, kind)
            if not w:
                continue
            print(f"| {label} | {f(w['rps'], 0)} | {f(w['50'], 2)} | {f(w['90'], 2)} | {f(w['99'], 2)} "
                  f"| {w['total']} | {w['non2xx']} | {w['errors']} | {f(w['cpu_ms'], 3)} "
                  f"| {f(2000 / w['cpu_ms'] if w['cpu_ms'] > 0 else float('nan'), 0)} |")
        print()
        if name == "rnv_mannheim":
            print("Targets (rnv_mannheim):")
            print()
            print("| target | goal | measured (median, wall / CPU) | |")
            print("|---|---|---|---|")
            for kind, label, _ in KINDS:
                yk = y.get(kind, {})
                m, c = float(yk.get("median_ms", "nan")), float(yk.get("cpu_median_ms", "nan"))
                ok = "met" if m <= TARGETS[kind] else ("met on CPU time" if c <= TARGETS[kind] else "MISSED")
                print(f"| {label} | ≤ {TARGETS[kind]} ms | {f(m)} / {f(c)} ms | {ok} |")
            w = read_wrk(out, name, "nearest")
            if w:
                print(f"| HTTP nearest, 2 cores | ≥ 10 000 req/s | {f(w['rps'], 0)} req/s | "
                      f"{'met' if w['rps'] >= 10000 else 'MISSED'} |")
            print()


if __name__ == "__main__":
    main()
