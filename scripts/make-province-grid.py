#!/usr/bin/env python3
"""Generate a synthetic "province-sized" dataset folder for scaling benchmarks.

The network is a square street grid of about N OpenStreetMap nodes centred near
118.8E, 32.0N (Jiangsu-like latitude), ~100 m between junctions:

  * every grid row / column is a street; each street is cut into ways of at most
    10 blocks, cut at the same junctions on every street, so ways share nodes at
    junctions (ends and interior) like real OSM;
  * classes: every 10th street primary, every 10th (offset 5) secondary or
    tertiary, the rest residential with some blocks of unclassified,
    living_street, service (a share access=private), footway and cycleway;
    single blocks of highway=steps;
  * one-way streets (street index ending in 3 or 7) alternating direction, some
    of their ways written reversed with oneway=-1, a few oneway:bicycle=no;
  * irregularity: ~1.5 % of non-primary blocks removed (dead ends) and a few
    rectangular holes (lakes / parks) crossed only by primary roads;
  * junctions jittered by up to +-10 m on each axis; mid-block shape nodes
    (not junctions) are added until the node count is exactly N.

Writes into DIR:
  roads.osm          OSM XML 0.6, nodes (ascending ids) then ways, streamed
  roads.osm.pbf      `osmium cat` of roads.osm, when the osmium command exists
  stations.geojson   K stations at random grid junctions
  communities.geojson  20 x 20 square polygons covering the area
  dataset.conf       names the three sources (the .pbf when there is one)

Python 3 standard library only, no network.  Deterministic: one
random.Random(seed) drives every choice in a fixed order, so a given
(--nodes, --stations, --seed) always gives the same bytes.

Usage:
    python3 scripts/make-province-grid.py [--nodes N] [--stations K] [-o DIR] [--seed S]
                                          [--no-pbf] [--drop-osm]
Defaults: 2000000 nodes, 5000 stations, /tmp/province, seed 1.  Then e.g.
    ./yizhan serve /tmp/province
The generated data is never committed.
"""

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from array import array

R_EARTH = 6371008.8
CENTRE_LON, CENTRE_LAT = 118.8, 32.0
SPACING_M = 100.0          # between grid junctions
JITTER_M = 10.0            # +- on each axis
WAY_BLOCKS = 10            # ways are cut every 10 blocks
REMOVE_P = 0.015           # share of non-primary blocks removed
STEPS_P = 0.001            # share of residential blocks that are steps
JUNCTION_SHARE = 0.95      # junctions ~ this share of N, the rest are shape nodes
MAX_SHAPE = 3              # shape nodes per block at most
COMMUNITY_GRID = 20        # 20 x 20 = 400 communities

# block states
B_ROAD, B_REMOVED, B_STEPS = 0, 1, 2

# chunk classes of residential streets: (highway, weight per mille)
RES_MIX = [("residential", 820), ("unclassified", 30), ("living_street", 20),
           ("service", 60), ("footway", 40), ("cycleway", 30)]

SERVICES_BASE = ["water", "charging", "seating"]
SERVICES_EXTRA = ["hot_water", "toilet", "wifi", "microwave", "first_aid", "umbrella",
                  "heating", "cooling", "repair", "reading"]
KINDS = [("暖新驿站", 45), ("工会驿站", 25), ("户外劳动者服务站", 15), ("爱心驿站", 15)]


def weighted(rng, table):
    total = sum(w for _, w in table)
    u = rng.random() * total
    for v, w in table:
        if u < w:
            return v
        u -= w
    return table[-1][0]


def xml_attr(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def human(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0


class Grid:
    """Decisions about the network, made before anything is written."""

    def __init__(self, n_target, rng):
        self.rng = rng
        side = max(3, int(math.sqrt(n_target * JUNCTION_SHARE)))
        self.R = self.C = side
        R, C = self.R, self.C
        m_per_deg = math.radians(1.0) * R_EARTH
        self.dlat = SPACING_M / m_per_deg
        self.dlon = SPACING_M / (m_per_deg * math.cos(math.radians(CENTRE_LAT)))
        self.lat0 = CENTRE_LAT - (R - 1) / 2.0 * self.dlat
        self.lon0 = CENTRE_LON - (C - 1) / 2.0 * self.dlon
        jlat = JITTER_M / m_per_deg
        jlon = JITTER_M / (m_per_deg * math.cos(math.radians(CENTRE_LAT)))
        self.m_per_deg = m_per_deg

        # junction coordinates, row-major (i = row = latitude, j = column = longitude)
        rnd = rng.random
        lat = array("d", bytes(8 * R * C))
        lon = array("d", bytes(8 * R * C))
        k = 0
        for i in range(R):
            la = self.lat0 + i * self.dlat
            for j in range(C):
                lat[k] = la + (2.0 * rnd() - 1.0) * jlat
                lon[k] = self.lon0 + j * self.dlon + (2.0 * rnd() - 1.0) * jlon
                k += 1
        self.lat, self.lon = lat, lon

        # blocks: horizontal h[i*(C-1)+j] joins (i,j)-(i,j+1) on street (row) i;
        #         vertical   v[j*(R-1)+i] joins (i,j)-(i+1,j) on street (column) j
        self.hstate = bytearray((C - 1) * R)
        self.vstate = bytearray((R - 1) * C)

        # holes: rectangles with every non-primary block removed
        n_holes = max(1, (R * C) // 40000)
        for _ in range(n_holes):
            h = rng.randint(3, 12)
            w = rng.randint(3, 12)
            i0 = rng.randrange(1, max(2, R - h - 1))
            j0 = rng.randrange(1, max(2, C - w - 1))
            i1, j1 = min(R - 1, i0 + h), min(C - 1, j0 + w)
            for i in range(i0, i1 + 1):
                if self.street_class(i) != "primary":
                    for j in range(j0, j1):
                        self.hstate[i * (C - 1) + j] = B_REMOVED
            for j in range(j0, j1 + 1):
                if self.street_class(j) != "primary":
                    for i in range(i0, i1):
                        self.vstate[j * (R - 1) + i] = B_REMOVED

        # scattered removed blocks (dead ends) and steps
        self._scatter(self.hstate, R, C - 1)
        self._scatter(self.vstate, C, R - 1)

        # junctions in use: any kept block touches them
        used = bytearray(R * C)
        hs, vs = self.hstate, self.vstate
        for i in range(R):
            base = i * (C - 1)
            for j in range(C - 1):
                if hs[base + j] != B_REMOVED:
                    used[i * C + j] = 1
                    used[i * C + j + 1] = 1
        for j in range(C):
            base = j * (R - 1)
            for i in range(R - 1):
                if vs[base + i] != B_REMOVED:
                    used[i * C + j] = 1
                    used[(i + 1) * C + j] = 1
        self.used = used
        self.n_junctions = sum(used)

        # shape nodes: spread the rest of the node budget over kept blocks
        self.hshape = bytearray(len(hs))
        self.vshape = bytearray(len(vs))
        nh, nv = len(hs), len(vs)
        budget = max(0, n_target - self.n_junctions)
        capacity = MAX_SHAPE * (sum(1 for s in hs if s != B_REMOVED) + sum(1 for s in vs if s != B_REMOVED))
        budget = min(budget, capacity)
        self.n_shape = budget
        randrange = rng.randrange
        while budget:
            b = randrange(nh + nv)
            if b < nh:
                st, sh, k = hs, self.hshape, b
            else:
                st, sh, k = vs, self.vshape, b - nh
            if st[k] == B_REMOVED or sh[k] >= MAX_SHAPE:
                continue
            sh[k] += 1
            budget -= 1

    def _scatter(self, states, n_streets, length):
        rng = self.rng
        rnd = rng.random
        for s in range(n_streets):
            cls = self.street_class(s)
            if cls == "primary":
                continue
            base = s * length
            for b in range(length):
                u = rnd()
                if states[base + b] != B_ROAD:
                    continue
                if u < REMOVE_P:
                    states[base + b] = B_REMOVED
                elif cls == "residential" and u < REMOVE_P + STEPS_P:
                    states[base + b] = B_STEPS

    @staticmethod
    def street_class(s):
        r = s % 10
        if r == 0:
            return "primary"
        if r == 5:
            return "secondary" if (s // 10) % 2 == 0 else "tertiary"
        return "residential"

    @staticmethod
    def street_oneway(s):
        """0: two-way; +1 with increasing index; -1 against it (alternating)."""
        r = s % 10
        if r not in (3, 7):
            return 0
        n = 2 * (s // 10) + (1 if r == 7 else 0)
        return 1 if n % 2 == 0 else -1


def write_roads(path, g, rng, progress):
    """Stream OSM XML: nodes, then ways.  Returns (nodes, ways, way_stats)."""
    R, C = g.R, g.C
    lat, lon, used = g.lat, g.lon, g.used
    shape_base = R * C + 1
    mlat = JITTER_M * 0.8 / g.m_per_deg
    mlon = mlat / math.cos(math.radians(CENTRE_LAT))
    rnd = rng.random
    n_nodes = 0
    with open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        f.write('<osm version="0.6" generator="yizhan make-province-grid">\n')
        f.write(' <bounds minlat="%.7f" minlon="%.7f" maxlat="%.7f" maxlon="%.7f"/>\n' % (
            g.lat0 - g.dlat, g.lon0 - g.dlon, g.lat0 + R * g.dlat, g.lon0 + C * g.dlon))
        fmt = ' <node id="%d" version="1" lat="%.7f" lon="%.7f"/>\n'
        # junctions, ids 1..R*C (row-major)
        for i in range(R):
            out = []
            for k in range(i * C, (i + 1) * C):
                if used[k]:
                    out.append(fmt % (k + 1, lat[k], lon[k]))
            n_nodes += len(out)
            f.write("".join(out))
            if progress and i % 200 == 0:
                progress("nodes", i, R)
        # shape nodes, ids from R*C+1, in block order: horizontal streets, then vertical
        nid = shape_base
        for horizontal in (True, False):
            n_streets, length = (R, C - 1) if horizontal else (C, R - 1)
            shapes = g.hshape if horizontal else g.vshape
            for s in range(n_streets):
                out = []
                base = s * length
                for b in range(length):
                    n = shapes[base + b]
                    if not n:
                        continue
                    if horizontal:
                        a, z = s * C + b, s * C + b + 1
                    else:
                        a, z = b * C + s, (b + 1) * C + s
                    for t in range(1, n + 1):
                        u = t / (n + 1.0)
                        y = lat[a] + (lat[z] - lat[a]) * u + (2.0 * rnd() - 1.0) * mlat
                        x = lon[a] + (lon[z] - lon[a]) * u + (2.0 * rnd() - 1.0) * mlon
                        out.append(fmt % (nid, y, x))
                        nid += 1
                n_nodes += len(out)
                f.write("".join(out))
        assert nid - shape_base == g.n_shape

        # ways
        stats = {}
        wid = 1
        nid = shape_base
        for horizontal in (True, False):
            n_streets, length = (R, C - 1) if horizontal else (C, R - 1)
            states = g.hstate if horizontal else g.vstate
            shapes = g.hshape if horizontal else g.vshape
            for s in range(n_streets):
                cls = g.street_class(s)
                ow = g.street_oneway(s)
                name = ("纬%d路" if horizontal else "经%d路") % (s + 1)
                if horizontal:
                    def junction(b, s=s):
                        return s * C + b + 1
                else:
                    def junction(b, s=s):
                        return b * C + s + 1
                out = []
                base = s * length
                cur = [junction(0)]

                def flush(refs, highway=None):
                    nonlocal wid
                    if len(refs) < 2:
                        return
                    tags = way_tags(rng, cls, ow, name, highway)
                    # ow < 0: the street runs against node order -> reversed refs with
                    # oneway=yes, or natural order with oneway=-1 (and vice versa)
                    if "oneway" in tags and (ow < 0) != (tags["oneway"] == "-1"):
                        refs = refs[::-1]
                    hw = tags["highway"]
                    stats[hw] = stats.get(hw, 0) + 1
                    parts = [' <way id="%d" version="1">\n' % wid]
                    parts.extend(['  <nd ref="%d"/>\n' % r for r in refs])
                    parts.extend(['  <tag k="%s" v="%s"/>\n' % (k, xml_attr(v)) for k, v in tags.items()])
                    parts.append(" </way>\n")
                    out.append("".join(parts))
                    wid += 1

                for b in range(length):
                    st = states[base + b]
                    n = shapes[base + b]
                    if st == B_REMOVED:
                        flush(cur)
                        cur = [junction(b + 1)]
                        continue
                    mids = list(range(nid, nid + n))
                    nid += n
                    if st == B_STEPS:
                        flush(cur)
                        flush([junction(b)] + mids + [junction(b + 1)], highway="steps")
                        cur = [junction(b + 1)]
                        continue
                    cur.extend(mids)
                    cur.append(junction(b + 1))
                    if (b + 1) % WAY_BLOCKS == 0:
                        flush(cur)
                        cur = [junction(b + 1)]
                flush(cur)
                f.write("".join(out))
                if progress and s % 200 == 0:
                    progress("ways " + ("E-W" if horizontal else "N-S"), s, n_streets)
        f.write("</osm>\n")
    return n_nodes, wid - 1, stats


def way_tags(rng, cls, ow, name, highway):
    """Tags of one way on a street of class cls and one-way sense ow."""
    rnd = rng.random
    if highway == "steps":
        return {"highway": "steps"}
    if cls != "residential":
        tags = {"highway": cls, "name": name}
        if cls == "primary":
            tags["maxspeed"] = "60"
            tags["lanes"] = "4"
        elif cls == "secondary" and rnd() < 0.2:
            tags["maxspeed"] = "30"
        return tags
    hw = weighted(rng, RES_MIX)
    tags = {"highway": hw}
    if hw in ("residential", "unclassified", "living_street"):
        tags["name"] = name
    if hw == "service" and rnd() < 0.3:
        tags["access"] = "private"
        if rnd() < 0.15:
            tags["foot"] = "yes"
    if ow and hw not in ("footway", "cycleway"):
        # the street runs one way; its ways mostly say so with oneway=yes in
        # the street's sense, a few with reversed nodes and oneway=-1
        tags["oneway"] = "-1" if rnd() < 0.05 else "yes"
        if hw == "residential" and rnd() < 0.08:
            tags["oneway:bicycle"] = "no"
    return tags


def main():
    ap = argparse.ArgumentParser(description="Generate a synthetic province-sized grid dataset (benchmarks).")
    ap.add_argument("--nodes", type=int, default=2_000_000, help="OSM road nodes (default 2000000)")
    ap.add_argument("--stations", type=int, default=5000, help="stations (default 5000)")
    ap.add_argument("-o", "--out", default="/tmp/province",
                    help="output folder (default /tmp/province, outside the repository: the data is large)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--no-pbf", action="store_true", help="do not convert to .osm.pbf even if osmium exists")
    ap.add_argument("--drop-osm", action="store_true", help="delete roads.osm after a successful PBF conversion")
    args = ap.parse_args()
    if args.nodes < 100:
        sys.exit("make-province-grid: --nodes must be at least 100")
    if args.stations < 0:
        sys.exit("make-province-grid: --stations must be >= 0")

    t0 = time.monotonic()
    tty = sys.stderr.isatty()

    def progress(what, i, n):
        if tty:
            sys.stderr.write("\r%-12s %5.1f %%" % (what, 100.0 * i / max(1, n)))
            sys.stderr.flush()

    out = args.out
    os.makedirs(out, exist_ok=True)
    rng = random.Random(args.seed)

    g = Grid(args.nodes, rng)
    if tty:
        sys.stderr.write("grid %d x %d junctions, %d shape nodes\n" % (g.R, g.C, g.n_shape))
    osm_path = os.path.join(out, "roads.osm")
    n_nodes, n_ways, stats = write_roads(osm_path, g, rng, progress if tty else None)
    if tty:
        sys.stderr.write("\r" + " " * 30 + "\r")

    # --- PBF
    pbf_path = os.path.join(out, "roads.osm.pbf")
    roads_name = "roads.osm"
    if os.path.exists(pbf_path):
        os.remove(pbf_path)   # never leave a stale PBF next to a new XML
    if not args.no_pbf and shutil.which("osmium"):
        r = subprocess.run(["osmium", "cat", "--no-progress", "-O", "-o", pbf_path, osm_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.stderr.write("make-province-grid: osmium cat failed, keeping roads.osm only:\n%s" % r.stderr)
            if os.path.exists(pbf_path):
                os.remove(pbf_path)
        else:
            roads_name = "roads.osm.pbf"
            if args.drop_osm:
                os.remove(osm_path)

    # --- stations at random used junctions
    K = args.stations
    if K > g.n_junctions:
        sys.exit("make-province-grid: %d stations but only %d junctions" % (K, g.n_junctions))
    width = max(5, len(str(K)))
    chosen = []
    seen = set()
    RC = g.R * g.C
    while len(chosen) < K:
        k = rng.randrange(RC)
        if g.used[k] and k not in seen:
            seen.add(k)
            chosen.append(k)
    lines = []
    for n, k in enumerate(chosen, 1):
        i, j = divmod(k, g.C)
        kind = weighted(rng, KINDS)
        hours = "24/7" if rng.random() < 0.6 else "Mo-Su 08:00-20:00"
        base = [s for s in SERVICES_BASE if rng.random() < 0.85] or ["water"]
        extra = [s for s in SERVICES_EXTRA if rng.random() < 0.15]
        services = ",".join(base + extra)
        corner = rng.choice(["东北角", "东南角", "西北角", "西南角"])
        props = {
            "id": "P-%0*d" % (width, n),
            "name": "第%d号%s" % (n, kind),
            "kind": kind,
            "address": "合成省合成市纬%d路与经%d路交叉口%s" % (i + 1, j + 1, corner),
            "phone": "025-%d%07d" % (rng.randint(5, 8), rng.randrange(10 ** 7)),
            "hours": hours,
            "services": services,
        }
        lines.append('{"type": "Feature", "properties": %s, "geometry": {"type": "Point", '
                     '"coordinates": [%.7f, %.7f]}}' % (json.dumps(props, ensure_ascii=False),
                                                        g.lon[k], g.lat[k]))
    st_path = os.path.join(out, "stations.geojson")
    write_fc(st_path, "stations", lines)

    # --- communities: COMMUNITY_GRID^2 squares covering the area (+1 spacing margin)
    x0, x1 = g.lon0 - g.dlon, g.lon0 + g.C * g.dlon
    y0, y1 = g.lat0 - g.dlat, g.lat0 + g.R * g.dlat
    cw, ch = (x1 - x0) / COMMUNITY_GRID, (y1 - y0) / COMMUNITY_GRID
    lines = []
    n = 0
    for r in range(COMMUNITY_GRID):
        for c in range(COMMUNITY_GRID):
            n += 1
            ax, bx = x0 + c * cw, x0 + (c + 1) * cw
            ay, by = y0 + r * ch, y0 + (r + 1) * ch
            ring = [(ax, ay), (bx, ay), (bx, by), (ax, by), (ax, ay)]   # counter-clockwise
            props = {"id": "C-%03d" % n, "name": "第%d社区" % n, "population": rng.randint(2000, 30000)}
            lines.append('{"type": "Feature", "properties": %s, "geometry": {"type": "Polygon", '
                         '"coordinates": [[%s]]}}' % (json.dumps(props, ensure_ascii=False),
                                                      ", ".join("[%.7f, %.7f]" % p for p in ring)))
    co_path = os.path.join(out, "communities.geojson")
    write_fc(co_path, "communities", lines)
    n_comm = n

    # --- config
    conf = (
        "# yizhan dataset: synthetic province-sized grid (benchmark data, not real)\n"
        "# generated by scripts/make-province-grid.py --nodes %d --stations %d --seed %d\n"
        "name = 合成省级路网（基准测试用）\n"
        "demo = yes\n"
        "timezone = Asia/Shanghai\n"
        "\n[roads]\npath = %s\n"
        "\n[stations]\npath = stations.geojson\ncrs = EPSG:4326\n"
        "\n[communities]\npath = communities.geojson\ncrs = EPSG:4326\n"
    ) % (args.nodes, K, args.seed, roads_name)
    with open(os.path.join(out, "dataset.conf"), "w", encoding="utf-8", newline="\n") as f:
        f.write(conf)

    sizes = []
    for p in (osm_path, pbf_path, st_path, co_path):
        if os.path.exists(p):
            sizes.append("%s %s" % (os.path.basename(p), human(os.path.getsize(p))))
    print("make-province-grid: %d nodes (%d junctions, %d shape), %d ways, %d stations, %d communities; "
          "%s; %.1f s -> %s" % (n_nodes, g.n_junctions, g.n_shape, n_ways, K, n_comm,
                                ", ".join(sizes), time.monotonic() - t0, out))


def write_fc(path, name, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write('{"type": "FeatureCollection", "name": "%s", "features": [\n' % name)
        f.write(",\n".join(lines))
        f.write("\n]}\n")


if __name__ == "__main__":
    main()
