#!/usr/bin/env python3
"""Build the bundled default dataset folder data/shanghai/.

Reads the shared real-data folder shanghai_center/ (OpenStreetMap extract of
central Shanghai, DataV district polygons converted to WGS84, and the named bus
stops of the extract) and writes:

  roads.osm.pbf       byte copy of shanghai_center.osm.pbf
  districts.geojson   the district polygons, properties reduced to id and name
  stations.geojson    ~80 DEMONSTRATION rest stations (驿站): positions of real
                      bus stops, invented names / addresses / phones / hours /
                      services, derived from the nearest named road
  dataset.conf        the dataset's config (see data/config.h)
  SOURCES.md          origin, licence, and how to regenerate

Python 3 standard library only, no network.  Deterministic: the same input
gives the same output bytes on every run (no `random`, no dict-order or
hash-seed dependence; all pseudo-random choices come from SHA-256 of a fixed
seed and the bus stop's OSM id).

Usage (from the repository root):
    python3 scripts/make-shanghai-dataset.py [SOURCE_DIR] [-o OUT_DIR] [-n COUNT]
SOURCE_DIR defaults to ../shared/data/shanghai_center relative to the repo root.
"""

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET

SEED = "yizhan-shanghai-demo-v1"
DEFAULT_COUNT = 80
MAX_ROAD_DIST_M = 100.0      # a station must lie this close to a named road
EDGE_MARGIN_M = 400.0        # ... and this far inside the road extract's bbox
MAX_PER_ROAD = 2             # at most this many stations named after one road
GRID_M = 200.0               # cell size of the road-segment grid

R_EARTH = 6371008.8

# SPEC §1, in this order
SERVICES = ["water", "hot_water", "charging", "microwave", "toilet", "wifi", "first_aid",
            "umbrella", "seating", "heating", "cooling", "repair", "reading", "legal_aid"]

# name suffix -> kind, with weights (per mille)
SUFFIXES = [
    ("暖新驿站", "暖新驿站", 300),
    ("新就业群体驿站", "暖新驿站", 100),
    ("工会驿站", "工会驿站", 250),
    ("户外劳动者服务站", "户外劳动者服务站", 170),
    ("爱心驿站", "爱心驿站", 180),
]

# opening hours (OSM opening_hours syntax) per kind, with weights
HOURS = {
    "暖新驿站": [("24/7", 55), ("Mo-Su 08:00-20:00", 25),
                 ("Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00", 12), ("Mo-Sa 10:00-22:00", 8)],
    "工会驿站": [("24/7", 25), ("Mo-Su 08:00-20:00", 25),
                 ("Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00", 40), ("Mo-Sa 10:00-22:00", 10)],
    "户外劳动者服务站": [("24/7", 40), ("Mo-Su 08:00-20:00", 35),
                         ("Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00", 20), ("Mo-Sa 10:00-22:00", 5)],
    "爱心驿站": [("24/7", 35), ("Mo-Su 08:00-20:00", 30),
                 ("Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00", 20), ("Mo-Sa 10:00-22:00", 15)],
}

# probability (per cent) that a station offers a service
SERVICE_P = {
    "water": 92, "hot_water": 50, "charging": 88, "microwave": 35, "toilet": 35, "wifi": 40,
    "first_aid": 25, "umbrella": 22, "seating": 90, "heating": 20, "cooling": 28,
    "repair": 12, "reading": 15, "legal_aid": 6,
}
SERVICE_P_KIND = {  # overrides per kind
    "工会驿站": {"legal_aid": 30, "reading": 30},
    "户外劳动者服务站": {"toilet": 60, "first_aid": 40},
    "暖新驿站": {"charging": 96, "microwave": 50},
}

HIGHWAY_RANK = {"primary": 0, "secondary": 1, "tertiary": 2, "primary_link": 3,
                "secondary_link": 4, "tertiary_link": 5, "unclassified": 6, "residential": 7}

# SPEC §2 speed table: which highway values each mode may use
MODE_HIGHWAYS = {
    "walk": {"trunk", "trunk_link", "primary", "secondary", "tertiary", "primary_link",
             "secondary_link", "tertiary_link", "unclassified", "residential", "living_street",
             "service", "road", "cycleway", "track", "path", "footway", "pedestrian", "steps"},
    "ebike": {"trunk", "trunk_link", "primary", "secondary", "tertiary", "primary_link",
              "secondary_link", "tertiary_link", "unclassified", "residential", "living_street",
              "service", "road", "cycleway", "track", "path", "footway", "pedestrian"},
    "car": {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "secondary",
            "tertiary", "primary_link", "secondary_link", "tertiary_link", "unclassified",
            "residential", "living_street", "service", "road"},
}
MODE_TAGS = {"walk": ("foot",), "ebike": ("bicycle",), "car": ("motor_vehicle", "motorcar")}

GOOD_NAME = re.compile(r"^[\u4e00-\u9fff]+(路|街|大道|弄|巷)$")
BAD_NAME = re.compile(r"隧道|地道|桥|出口|入口|环岛|车库|小区")


# ---------------------------------------------------------------- helpers

def uhash(*parts):
    """Deterministic uniform number in [0, 1) from the seed and parts."""
    h = hashlib.sha256("|".join([SEED] + [str(p) for p in parts]).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64


def pick(weighted, *parts):
    """Weighted deterministic choice from [(value, weight), ...]."""
    total = sum(w for _, w in weighted)
    u = uhash(*parts) * total
    for v, w in weighted:
        if u < w:
            return v
        u -= w
    return weighted[-1][0]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Frame:
    """Local equirectangular metric frame (metres), good to ~0.1 % over a city."""

    def __init__(self, lon0, lat0):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = math.radians(1.0) * R_EARTH * math.cos(math.radians(lat0))
        self.ky = math.radians(1.0) * R_EARTH

    def xy(self, lon, lat):
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    t = 0.0 if l2 == 0.0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / l2))
    qx, qy = ax + t * dx - px, ay + t * dy - py
    return math.sqrt(qx * qx + qy * qy)


def ring_contains(ring, x, y):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def geometry_contains(geom, lon, lat):
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    for rings in polys:
        if rings and ring_contains(rings[0], lon, lat) and \
                not any(ring_contains(h, lon, lat) for h in rings[1:]):
            return True
    return False


# ---------------------------------------------------------------- roads

def read_osm(path):
    nodes = {}
    ways = []  # (id, tags, [node ids])
    for _, el in ET.iterparse(path, events=("end",)):
        if el.tag == "node":
            nodes[int(el.get("id"))] = (float(el.get("lon")), float(el.get("lat")))
            el.clear()
        elif el.tag == "way":
            tags = {c.get("k"): c.get("v") for c in el if c.tag == "tag"}
            refs = [int(c.get("ref")) for c in el if c.tag == "nd"]
            if "highway" in tags:
                ways.append((int(el.get("id")), tags, refs))
            el.clear()
    return nodes, ways


def mode_allowed(mode, tags):
    if tags.get("highway") not in MODE_HIGHWAYS[mode] or tags.get("area") == "yes":
        return False
    own = [tags.get(t) for t in MODE_TAGS[mode] if tags.get(t) is not None]
    if any(v == "no" for v in own):
        return False
    if tags.get("access") in ("no", "private"):
        return any(v in ("yes", "designated", "permissive") for v in own)
    return True


def mode_direction(mode, tags):
    """(forward, backward) allowed."""
    if mode == "walk":
        return True, True
    if mode == "ebike" and (tags.get("oneway:bicycle") == "no" or
                            tags.get("cycleway", "").startswith("opposite")):
        return True, True
    ow = tags.get("oneway")
    if ow in ("yes", "true", "1") or tags.get("junction") in ("roundabout", "circular"):
        return True, False
    if ow in ("-1", "reverse"):
        return False, True
    return True, True


def largest_scc(ways, mode):
    """Node ids of the largest strongly connected component of a mode's graph."""
    adj = {}
    for _, tags, refs in ways:
        if not mode_allowed(mode, tags):
            continue
        fw, bw = mode_direction(mode, tags)
        for a, b in zip(refs, refs[1:]):
            adj.setdefault(a, [])
            adj.setdefault(b, [])
            if fw:
                adj[a].append(b)
            if bw:
                adj[b].append(a)
    # iterative Tarjan, nodes in sorted order for determinism
    index, low, on_stack, stack = {}, {}, set(), []
    best = set()
    counter = 0
    for root in sorted(adj):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work[-1]
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = adj[v]
            if i < len(succ):
                work[-1] = (v, i + 1)
                w = succ[i]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > len(best):
                    best = comp
    return best


def good_road_name(tags):
    name = tags.get("name")
    if not name or tags.get("tunnel", "no") != "no" or tags.get("bridge", "no") != "no":
        return None
    if not GOOD_NAME.match(name) or BAD_NAME.search(name):
        return None
    return name


class RoadIndex:
    """Grid of named-road segments in a local metric frame."""

    def __init__(self, frame, nodes, ways):
        self.cells = {}
        self.extent = {}  # name -> [minx, miny, maxx, maxy]
        for wid, tags, refs in ways:
            name = good_road_name(tags)
            if name is None:
                continue
            rank = HIGHWAY_RANK.get(tags["highway"], 9)
            pts = [frame.xy(*nodes[r]) for r in refs]
            ext = self.extent.setdefault(name, [math.inf, math.inf, -math.inf, -math.inf])
            for x, y in pts:
                ext[0], ext[1] = min(ext[0], x), min(ext[1], y)
                ext[2], ext[3] = max(ext[2], x), max(ext[3], y)
            for (ax, ay), (bx, by) in zip(pts, pts[1:]):
                seg = (ax, ay, bx, by, name, rank, wid)
                for cx in range(int(math.floor(min(ax, bx) / GRID_M)),
                                int(math.floor(max(ax, bx) / GRID_M)) + 1):
                    for cy in range(int(math.floor(min(ay, by) / GRID_M)),
                                    int(math.floor(max(ay, by) / GRID_M)) + 1):
                        self.cells.setdefault((cx, cy), []).append(seg)

    def nearest(self, x, y):
        """(distance_m, name) of the nearest named road within GRID_M, else None.
        Near-ties (within 1 m) go to the higher road class, then the name."""
        cx, cy = int(math.floor(x / GRID_M)), int(math.floor(y / GRID_M))
        best = None
        for i in (-1, 0, 1):
            for j in (-1, 0, 1):
                for ax, ay, bx, by, name, rank, wid in self.cells.get((cx + i, cy + j), ()):
                    d = seg_dist(x, y, ax, ay, bx, by)
                    key = (round(d), rank, name, d)
                    if best is None or key < best:
                        best = key
        if best is None or best[3] > GRID_M:
            return None
        return best[3], best[2]


def quotas(weights, n):
    """Split n into integer parts proportional to weights (largest remainder)."""
    total = sum(weights)
    raw = [w * n / total for w in weights]
    q = [int(math.floor(r)) for r in raw]
    rest = sorted(range(len(weights)), key=lambda i: (-(raw[i] - q[i]), i))
    for i in rest[:n - sum(q)]:
        q[i] += 1
    return q


def house_number(ext, x, y, oid):
    """Invented house number that grows along the road the way Shanghai numbers
    do (east-west roads from the east end, north-south roads from the south end),
    about one number per 3 m, odd or even by the hash."""
    w, h = ext[2] - ext[0], ext[3] - ext[1]
    if w >= h:
        along = ext[2] - x
    else:
        along = y - ext[1]
    base = int(along / 3.0) + int(uhash(oid, "number") * 20)
    num = 2 * (base // 2) + (1 if uhash(oid, "parity") < 0.5 else 2)
    return max(1, num)


# ---------------------------------------------------------------- selection

def farthest_point_sample(cands, count, road_of):
    """Farthest-point sampling over cands [(osm_id, x, y, ...)], starting at the
    candidate closest to the candidates' bbox centre, ties by osm_id; at most
    MAX_PER_ROAD picks per road name."""
    xs = [c[1] for c in cands]
    ys = [c[2] for c in cands]
    mx, my = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    first = min(cands, key=lambda c: ((c[1] - mx) ** 2 + (c[2] - my) ** 2, c[0]))
    chosen = [first]
    per_road = {road_of[first[0]]: 1}
    dmin = {c[0]: (c[1] - first[1]) ** 2 + (c[2] - first[2]) ** 2 for c in cands}
    while len(chosen) < count:
        best = None
        for c in cands:
            if per_road.get(road_of[c[0]], 0) >= MAX_PER_ROAD:
                continue
            key = (dmin[c[0]], -c[0])
            if dmin[c[0]] > 0 and (best is None or key > best[0]):
                best = (key, c)
        if best is None:
            break
        c = best[1]
        chosen.append(c)
        per_road[road_of[c[0]]] = per_road.get(road_of[c[0]], 0) + 1
        for o in cands:
            d = (o[1] - c[1]) ** 2 + (o[2] - c[2]) ** 2
            if d < dmin[o[0]]:
                dmin[o[0]] = d
    return chosen


# ---------------------------------------------------------------- output

def dump_feature_collection(name, features):
    """GeoJSON text, one feature per line (like GDAL writes it)."""
    lines = ['{', '"type": "FeatureCollection",', '"name": %s,' % json.dumps(name),
             '"features": [']
    for i, f in enumerate(features):
        sep = "," if i + 1 < len(features) else ""
        lines.append(f + sep)
    lines += [']', '}']
    return "\n".join(lines) + "\n"


def feature_text(props, geometry_text):
    return '{ "type": "Feature", "properties": %s, "geometry": %s }' % (
        json.dumps(props, ensure_ascii=False), geometry_text)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description="Build data/shanghai/ (demo stations) from shanghai_center/.")
    ap.add_argument("source", nargs="?", default=os.path.join(root, "..", "shared", "data", "shanghai_center"),
                    help="the shanghai_center data folder (default: ../shared/data/shanghai_center from the repo root)")
    ap.add_argument("-o", "--out", default=os.path.join(root, "data", "shanghai"),
                    help="output folder (default: data/shanghai in the repo)")
    ap.add_argument("-n", "--count", type=int, default=DEFAULT_COUNT, help="number of stations (default 80)")
    args = ap.parse_args()

    src = os.path.normpath(args.source)
    out = os.path.normpath(args.out)
    f_pbf = os.path.join(src, "shanghai_center.osm.pbf")
    f_osm = os.path.join(src, "shanghai_center.osm")
    f_dist = os.path.join(src, "shanghai_districts_wgs84.geojson")
    f_stops = os.path.join(src, "stations_candidates_busstops.geojson")
    for p in (f_pbf, f_osm, f_dist, f_stops):
        if not os.path.isfile(p):
            sys.exit("make-shanghai-dataset: missing input %s" % p)
    os.makedirs(out, exist_ok=True)

    # --- roads: byte copy
    shutil.copyfile(f_pbf, os.path.join(out, "roads.osm.pbf"))

    # --- districts: keep id and name, geometry as is
    with open(f_dist, encoding="utf-8") as f:
        dist = json.load(f)
    districts = []
    dfeats = []
    for feat in dist["features"]:
        p = feat.get("properties") or {}
        props = {"id": p.get("id"), "name": p.get("name")}
        districts.append((props["name"], feat["geometry"]))
        dfeats.append(feature_text(props, json.dumps(feat["geometry"], separators=(", ", ": "))))
    write_text(os.path.join(out, "districts.geojson"), dump_feature_collection("districts", dfeats))

    # --- road network
    nodes, ways = read_osm(f_osm)
    lons = [c[0] for c in nodes.values()]
    lats = [c[1] for c in nodes.values()]
    bbox = (min(lons), min(lats), max(lons), max(lats))
    frame = Frame((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    bx0, by0 = frame.xy(bbox[0], bbox[1])
    bx1, by1 = frame.xy(bbox[2], bbox[3])
    index = RoadIndex(frame, nodes, ways)
    core = None
    for mode in ("walk", "ebike", "car"):
        scc = largest_scc(ways, mode)
        core = scc if core is None else core & scc
    plain_node = set()  # nodes on a way that is neither tunnel nor bridge
    for _, tags, refs in ways:
        if tags.get("tunnel", "no") == "no" and tags.get("bridge", "no") == "no":
            plain_node.update(refs)

    # --- candidates: bus stops inside the extract, on the connected core network,
    #     in a district, near a named road
    with open(f_stops, encoding="utf-8") as f:
        stops = json.load(f)["features"]
    cands = []
    road_of = {}
    dist_of = {}
    district_of = {}
    seen = set()
    for st in stops:
        oid = int(st["properties"]["osm_id"])
        lon, lat = st["geometry"]["coordinates"][:2]
        if oid in seen:
            continue
        seen.add(oid)
        x, y = frame.xy(lon, lat)
        if not (bx0 + EDGE_MARGIN_M <= x <= bx1 - EDGE_MARGIN_M and
                by0 + EDGE_MARGIN_M <= y <= by1 - EDGE_MARGIN_M):
            continue
        if oid not in core or oid not in plain_node:
            continue
        near = index.nearest(x, y)
        if near is None or near[0] > MAX_ROAD_DIST_M:
            continue
        dname = next((n for n, g in districts if geometry_contains(g, lon, lat)), None)
        if dname is None:
            continue
        road_of[oid] = near[1]
        dist_of[oid] = near[0]
        district_of[oid] = dname
        cands.append((oid, x, y, lon, lat))
    cands.sort()
    chosen = farthest_point_sample(cands, args.count, road_of)
    # number the stations west-to-east in bands from north to south (reading order)
    band = 1500.0
    chosen.sort(key=lambda c: (-math.floor(c[2] / band), c[1], c[0]))

    # --- names: road + (section when a road has two stations) + suffix
    by_road = {}
    for c in chosen:
        by_road.setdefault(road_of[c[0]], []).append(c)
    section = {}
    for road, group in by_road.items():
        if len(group) < 2:
            continue
        ext = index.extent[road]
        if ext[2] - ext[0] >= ext[3] - ext[1]:
            labels = ["西段", "中段", "东段"] if len(group) == 3 else ["西段", "东段"]
            group = sorted(group, key=lambda c: (c[1], c[0]))
        else:
            labels = ["北段", "中段", "南段"] if len(group) == 3 else ["北段", "南段"]
            group = sorted(group, key=lambda c: (-c[2], c[0]))
        for c, lab in zip(group, labels):
            section[c[0]] = lab

    # kinds by quota (exact mix), in an order shuffled by the hash
    suffix_of = {}
    quota = quotas([w for _, _, w in SUFFIXES], len(chosen))
    order = sorted(chosen, key=lambda c: (uhash(c[0], "kind"), c[0]))
    k = 0
    for (s, kd, _), q in zip(SUFFIXES, quota):
        for c in order[k:k + q]:
            suffix_of[c[0]] = (s, kd)
        k += q

    features = []
    used_names, used_phones, used_addr = set(), set(), set()
    for i, (oid, x, y, lon, lat) in enumerate(chosen):
        road = road_of[oid]
        suffix, kind = suffix_of[oid]
        name = road + section.get(oid, "") + suffix
        n = 2
        while name in used_names:  # cannot happen with MAX_PER_ROAD <= 3; kept as a guard
            name = road + section.get(oid, "") + "二三四五六七八九"[n - 2] + suffix
            n += 1
        used_names.add(name)

        num = house_number(index.extent[road], x, y, oid)
        addr = "上海市%s%s%d号" % (district_of[oid], road, num)
        while addr in used_addr:
            num += 2
            addr = "上海市%s%s%d号" % (district_of[oid], road, num)
        used_addr.add(addr)

        k = 0
        while True:
            phone = "021-6%07d" % int(uhash(oid, "phone", k) * 10 ** 7)
            if phone not in used_phones:
                break
            k += 1
        used_phones.add(phone)

        hours = pick(HOURS[kind], oid, "hours")

        p = dict(SERVICE_P)
        p.update(SERVICE_P_KIND.get(kind, {}))
        if hours == "24/7":
            p["charging"] = max(p["charging"], 95)
        score = {s: uhash(oid, "svc", s) for s in SERVICES}
        svc = [s for s in SERVICES if score[s] * 100 < p[s]]
        if len(svc) < 3:  # add the most likely missing ones
            for s in sorted((s for s in SERVICES if s not in svc), key=lambda s: (-p[s], s)):
                svc.append(s)
                if len(svc) >= 3:
                    break
        if len(svc) > 8:  # keep the 8 most typical for this station
            keep = sorted(svc, key=lambda s: (score[s] * 100 - p[s], s))[:8]
            svc = [s for s in svc if s in keep]
        svc = [s for s in SERVICES if s in svc]

        props = {
            "id": "SH-%03d" % (i + 1),
            "name": name,
            "kind": kind,
            "address": addr,
            "phone": phone,
            "hours": hours,
            "services": ",".join(svc),
            "demo": True,
        }
        geom = '{ "type": "Point", "coordinates": [ %.7f, %.7f ] }' % (lon, lat)
        features.append((props, feature_text(props, geom), lon, lat, oid))

    write_text(os.path.join(out, "stations.geojson"),
               dump_feature_collection("stations", [f[1] for f in features]))

    # --- dataset.conf
    conf = """# yizhan dataset: central Shanghai (demonstration stations)
# generated by scripts/make-shanghai-dataset.py — edit the script, not this file
name = 上海市中心城区（演示数据）
demo = yes
timezone = Asia/Shanghai

[roads]
path = roads.osm.pbf

[stations]
path = stations.geojson
crs = EPSG:4326

[communities]
path = districts.geojson
crs = EPSG:4326
"""
    write_text(os.path.join(out, "dataset.conf"), conf)

    # --- SOURCES.md
    slon = [f[2] for f in features]
    slat = [f[3] for f in features]
    kinds = {}
    for f in features:
        kinds[f[0]["kind"]] = kinds.get(f[0]["kind"], 0) + 1
    sums = {n: sha256_file(os.path.join(out, n))
            for n in ("roads.osm.pbf", "districts.geojson", "stations.geojson")}
    sources = f"""# data/shanghai — the bundled default dataset (central Shanghai)

Generated by `scripts/make-shanghai-dataset.py`; do not edit the files by hand.

**The stations are DEMONSTRATION data.** Their positions are those of real bus stops
(OpenStreetMap `public_transport=stop_position` nodes) chosen as a spatially spread sample;
their names, kinds, addresses (house numbers), phone numbers, opening hours and services
are INVENTED by the script. They are not real 驿站 and must not be shown as such: the
dataset is flagged `demo = yes` in `dataset.conf` and every station has `"demo": true`.

## Files

| file | what | origin |
|---|---|---|
| `roads.osm.pbf` | OSM road network of central 上海 (drive network: primary…residential and links; no motorways, service roads or footways), OSM state 2025-08-09 | byte copy of `shanghai_center.osm.pbf` from the shared data folder `shanghai_center/`, converted with `osmium cat` from `shanghai_center.osm` (repository jbnu55343/scm_deeponet, path `shanghai_center.osm`, commit 19e7a4b146d1258fb420caed91b2c3402a032d97, Overpass API output, `osm_base` 2025-08-09T07:00:26Z) |
| `districts.geojson` | {len(dfeats)} district (区) polygons intersecting the extract, used as the communities layer; properties `id` (adcode) and `name` only | `shanghai_districts_wgs84.geojson` (shared folder), itself Aliyun DataV GeoAtlas via repository lyhmyd1211/GeoMapData_CN, path `province/310000.json`, commit 4871c5a3a37003dd3fac7387cf2e6c6e9e7767b5, converted GCJ-02 → WGS84 (iterative inverse); geometry unchanged here, the `level` property dropped |
| `stations.geojson` | {len(features)} DEMONSTRATION rest stations, fields id, name, kind, address, phone, hours (OSM `opening_hours`), services, demo | generated: positions from `stations_candidates_busstops.geojson` (named bus stop nodes of the same OSM file); everything else invented, see below |
| `dataset.conf` | the dataset's config (sources, CRS, time zone, demo flag) | generated |

sha256: roads.osm.pbf `{sums['roads.osm.pbf']}`, districts.geojson `{sums['districts.geojson']}`,
stations.geojson `{sums['stations.geojson']}`.

## Licence

- Roads and bus-stop positions: © OpenStreetMap contributors, ODbL 1.0
  (<https://www.openstreetmap.org/copyright>). Attribution "© OpenStreetMap contributors"
  is required wherever tiles or results are shown.
- District polygons: Aliyun DataV GeoAtlas (Amap) data, published without a licence in the
  source repository — reference data for development and demonstration only.
- The invented station attributes carry no rights.

## How the stations were made

1. Candidates: the {len(stops)} named bus stops of the extract, kept when they lie at least
   {EDGE_MARGIN_M:.0f} m inside the road data's bbox ({bbox[0]:.7f},{bbox[1]:.7f} – {bbox[2]:.7f},{bbox[3]:.7f}),
   on the largest connected part of the walk, e-bike and car networks (SPEC §2 rules),
   not on a bridge or in a tunnel, inside a district polygon (own point-in-polygon test) and
   within {MAX_ROAD_DIST_M:.0f} m of a named road (nearest segment in a local metric frame,
   grid-indexed; tunnels, bridges, ramps and numbered lanes excluded): {len(cands)} candidates.
   The extract joins 浦东 to 浦西 only through river tunnels closed to bicycles and pedestrians,
   so 浦东 is not part of the walk / e-bike networks and gets no stations.
2. Farthest-point sampling of {len(features)} of them (start: the candidate nearest the middle; ties by
   OSM id; at most {MAX_PER_ROAD} stations per road), numbered `SH-001`… in reading order
   (north-to-south bands of 1.5 km, west to east).
3. Attributes from SHA-256 of a fixed seed (`{SEED}`) and the stop's OSM id:
   name = nearest named road + (东段/西段 or 北段/南段 when a road has two stations) + one of
   暖新驿站 / 新就业群体驿站 / 工会驿站 / 户外劳动者服务站 / 爱心驿站, `kind` = 暖新驿站
   (also for 新就业群体驿站), 工会驿站, 户外劳动者服务站 or 爱心驿站; address
   `上海市<district><road><n>号` with an invented house number (growing along the road:
   east-west roads from the east end, north-south roads from the south end); phone `021-6xxxxxxx` (invented);
   hours from 24/7, `Mo-Su 08:00-20:00`, `Mo-Fr 07:00-21:00; Sa,Su 09:00-18:00`,
   `Mo-Sa 10:00-22:00`; 3–8 services from SPEC §1's list (most with water, charging, seating).

Stations bbox: {min(slon):.7f},{min(slat):.7f} – {max(slon):.7f},{max(slat):.7f}.
Kinds: {", ".join("%s %d" % (k, v) for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))}.

## Regenerate

From the repository root (Python 3 standard library only, no network; deterministic —
the same input gives byte-identical output):

    python3 scripts/make-shanghai-dataset.py [path/to/shanghai_center] [-o data/shanghai]

The source folder defaults to `../shared/data/shanghai_center` relative to the repository root.
"""
    write_text(os.path.join(out, "SOURCES.md"), sources)

    print("make-shanghai-dataset: %d stations (from %d candidates of %d bus stops), %d districts, "
          "%d roads nodes / %d ways -> %s" % (len(features), len(cands), len(stops), len(dfeats),
                                              len(nodes), len(ways), os.path.relpath(out)))


if __name__ == "__main__":
    main()
