#!/usr/bin/python3
"""tiles_peers.py — the peers' side of the tile benchmark (scripts/bench/tiles.sh).

  tiles_peers.py list DATA_DIR SEED N_Z16 OUT_LIST
      the fixed tile list: every z12 and z14 tile covering the data's box (the
      union of the extents of the prepared roads, boundaries and stations),
      then N_Z16 z16 tiles drawn at random (random.Random(SEED), without
      repetition) among the z16 tiles covering the same box; one Z/X/Y a line
  tiles_peers.py styles STYLE_JSON DATA_DIR OUT_DIR ZOOM…
      the Mapnik XML and MapServer mapfile for each zoom, made from yizhan's
      own style file (so the three draw the same layers, colours and widths)
  tiles_peers.py render mapnik|mapserver STYLE_DIR LIST OUT_DIR TIMINGS
      draws every listed tile one after the other in this one process and
      writes OUT_DIR/Z/X/Y.png; TIMINGS gets "Z/X/Y MS CPU_MS BYTES 0" per
      tile: drawing plus PNG encoding only, by the clock and in thread CPU
      time (as `yizhan seed --timings`)
  tiles_peers.py report OUT RUNS
      the Markdown tables from tiles.sh's outputs in OUT (medians of RUNS
      runs), and OUT/samples/: the busiest tile (largest yizhan PNG) of each
      zoom from each renderer

DATA_DIR holds roads.shp, boundaries.shp and stations.shp in EPSG:3857
(made by tiles.sh with ogr2ogr).  Run with Debian's /usr/bin/python3, which
has python3-mapnik, python3-mapscript and python3-gdal.
"""
import json
import math
import os
import random
import sys
import time

R = 6378137.0
HALF = math.pi * R  # 20037508.34…


def tile_bounds(z, x, y):
    """Web Mercator metres of tile z/x/y: (minx, miny, maxx, maxy)."""
    size = 2 * HALF / (1 << z)
    return (-HALF + x * size, HALF - (y + 1) * size, -HALF + (x + 1) * size, HALF - y * size)


def tile_range(box, z):
    """Columns and rows of the zoom-z tiles covering box (metres)."""
    n = 1 << z
    size = 2 * HALF / n

    def clamp(v):
        return max(0, min(n - 1, v))
    x0 = clamp(math.floor((box[0] + HALF) / size))
    x1 = clamp(math.floor((box[2] + HALF) / size))
    y0 = clamp(math.floor((HALF - box[3]) / size))
    y1 = clamp(math.floor((HALF - box[1]) / size))
    return x0, y0, x1, y1


def data_box(data_dir):
    from osgeo import ogr
    box = None
    for name in ("roads", "boundaries", "stations"):
        ds = ogr.Open(os.path.join(data_dir, name + ".shp"))
        minx, maxx, miny, maxy = ds.GetLayer(0).GetExtent()
        b = (minx, miny, maxx, maxy)
        box = b if box is None else (min(box[0], b[0]), min(box[1], b[1]),
                                     max(box[2], b[2]), max(box[3], b[3]))
    return box


def cmd_list(data_dir, seed, n16, out):
    box = data_box(data_dir)
    tiles = []
    for z in (12, 14):
        x0, y0, x1, y1 = tile_range(box, z)
        tiles += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    x0, y0, x1, y1 = tile_range(box, 16)
    rng = random.Random(int(seed))
    picked = rng.sample(range((x1 - x0 + 1) * (y1 - y0 + 1)), int(n16))
    w = x1 - x0 + 1
    tiles += [(16, x0 + i % w, y0 + i // w) for i in picked]
    lon = lambda mx: mx / R * 180 / math.pi
    lat = lambda my: math.degrees(2 * math.atan(math.exp(my / R)) - math.pi / 2)
    with open(out, "w") as f:
        f.write("# data box lon/lat %.6f,%.6f,%.6f,%.6f; z12 and z14 every tile, "
                "z16 %s random (seed %s)\n" % (lon(box[0]), lat(box[1]), lon(box[2]), lat(box[3]),
                                               n16, seed))
        for t in tiles:
            f.write("%d/%d/%d\n" % t)
    counts = {z: sum(1 for t in tiles if t[0] == z) for z in (12, 14, 16)}
    print("tiles_peers: %d tiles (z12 %d, z14 %d, z16 %d) in %s" %
          (len(tiles), counts[12], counts[14], counts[16], out), file=sys.stderr)


# ---- styles -----------------------------------------------------------------

def at_zoom(v, z):
    """A yizhan zoom number at zoom z (linear stops only, as the bench style has)."""
    if not isinstance(v, dict):
        return float(v)
    if v.get("base", 1) != 1:
        sys.exit("tiles_peers: only linear zoom functions are translated")
    stops = v["stops"]
    if z <= stops[0][0]:
        return float(stops[0][1])
    for (z0, a), (z1, b) in zip(stops, stops[1:]):
        if z <= z1:
            return a + (b - a) * (z - z0) / (z1 - z0)
    return float(stops[-1][1])


def visible(layer, z):
    return layer.get("minzoom", 0) <= z <= layer.get("maxzoom", 24)


def rgb(c):
    if len(c) != 7 or c[0] != "#":
        sys.exit("tiles_peers: colour %s: only #rrggbb is translated" % c)
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


MERC = ("+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m "
        "+nadgrids=@null +wktext +no_defs +over")


def check_layer(l):
    known = {"id", "type", "source", "minzoom", "maxzoom", "filter", "color", "width", "join",
             "cap", "radius", "stroke_color", "stroke_width", "description"}
    extra = set(l) - known
    if extra or l["type"] not in ("line", "circle"):
        sys.exit("tiles_peers: layer %s: %s not translated" % (l["id"], extra or l["type"]))


def mapnik_xml(style, data_dir, z):
    """One Mapnik map for zoom z: one layer per data file, one style per
    yizhan layer, in yizhan's order (roads: cache-features, one query)."""
    styles, layers = [], []
    per_source = {"road": [], "community": [], "station": []}
    order = []
    for l in style["layers"]:
        check_layer(l)
        if not visible(l, z):
            continue
        name = l["id"]
        if l["type"] == "line":
            filt = ""
            if "filter" in l:
                filt = "<Filter>%s</Filter>" % " or ".join(
                    "[highway] = '%s'" % c for c in l["filter"]["class"])
            sym = ('<LineSymbolizer stroke="%s" stroke-width="%.3f" stroke-linejoin="%s" '
                   'stroke-linecap="%s"/>' % (l["color"], at_zoom(l["width"], z),
                                               l.get("join", "round"), l.get("cap", "butt")))
        else:
            d = 2 * at_zoom(l["radius"], z)
            filt = ""
            sym = ('<MarkersSymbolizer marker-type="ellipse" width="%.3f" height="%.3f" '
                   'fill="%s" stroke="%s" stroke-width="%.3f" allow-overlap="true" '
                   'ignore-placement="true"/>' % (d, d, l["color"], l.get("stroke_color", "#000000"),
                                                  at_zoom(l.get("stroke_width", 0), z)))
        styles.append('<Style name="%s"><Rule>%s%s</Rule></Style>' % (name, filt, sym))
        src = l["source"]
        # consecutive yizhan layers of one source share one Mapnik layer
        if not order or order[-1][0] != src:
            order.append((src, []))
        order[-1][1].append(name)
    files = {"road": "roads", "community": "boundaries", "station": "stations"}
    for i, (src, names) in enumerate(order):
        layers.append(
            '<Layer name="%s-%d" srs="%s" cache-features="true">%s'
            '<Datasource><Parameter name="type">shape</Parameter>'
            '<Parameter name="file">%s</Parameter></Datasource></Layer>' %
            (src, i, MERC, "".join("<StyleName>%s</StyleName>" % n for n in names),
             os.path.join(data_dir, files[src])))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<Map srs="%s" background-color="%s" buffer-size="16">\n%s\n%s\n</Map>\n' %
            (MERC, style["background"], "\n".join(styles), "\n".join(layers)))


def mapfile(style, data_dir, z):
    """One MapServer map for zoom z: a LAYER per yizhan layer, in order;
    road classes as a CLASSITEM list expression; AGG PNG, RGBA, zlib 3."""
    out = ['MAP', '  NAME "bench_z%d"' % z, '  SIZE 256 256', '  UNITS METERS',
           '  EXTENT %.3f %.3f %.3f %.3f' % tile_bounds(z, 0, 0),
           '  IMAGECOLOR %d %d %d' % rgb(style["background"]),
           '  IMAGETYPE "pngrgba"',
           '  OUTPUTFORMAT', '    NAME "pngrgba"', '    DRIVER "AGG/PNG"',
           '    MIMETYPE "image/png"', '    IMAGEMODE RGBA', '    EXTENSION "png"',
           '    TRANSPARENT OFF', '    FORMATOPTION "COMPRESSION=3"', '  END',
           '  SYMBOL', '    NAME "circle"', '    TYPE ELLIPSE', '    FILLED TRUE',
           '    POINTS 1 1 END', '  END']
    files = {"road": "roads", "community": "boundaries", "station": "stations"}
    for l in style["layers"]:
        check_layer(l)
        if not visible(l, z):
            continue
        kind = "LINE" if l["type"] == "line" else "POINT"
        out += ['  LAYER', '    NAME "%s"' % l["id"], '    TYPE %s' % kind, '    STATUS ON',
                '    DATA "%s"' % os.path.join(data_dir, files[l["source"]])]
        if "filter" in l:
            out += ['    CLASSITEM "highway"']
        out += ['    CLASS']
        if "filter" in l:
            out += ['      EXPRESSION {%s}' % ",".join(l["filter"]["class"])]
        if l["type"] == "line":
            out += ['      STYLE', '        COLOR %d %d %d' % rgb(l["color"]),
                    '        WIDTH %.3f' % at_zoom(l["width"], z),
                    '        LINEJOIN %s' % l.get("join", "round").upper(),
                    '        LINECAP %s' % l.get("cap", "butt").upper(), '      END']
        else:
            out += ['      STYLE', '        SYMBOL "circle"',
                    '        SIZE %.3f' % (2 * at_zoom(l["radius"], z)),
                    '        COLOR %d %d %d' % rgb(l["color"]),
                    '        OUTLINECOLOR %d %d %d' % rgb(l.get("stroke_color", "#000000")),
                    '        WIDTH %.3f' % at_zoom(l.get("stroke_width", 0), z), '      END']
        out += ['    END', '  END']
    out += ['END', '']
    return "\n".join(out)


def cmd_styles(style_json, data_dir, out_dir, zooms):
    with open(style_json) as f:
        style = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    for z in zooms:
        with open(os.path.join(out_dir, "mapnik-z%d.xml" % z), "w") as f:
            f.write(mapnik_xml(style, data_dir, z))
        with open(os.path.join(out_dir, "mapserver-z%d.map" % z), "w") as f:
            f.write(mapfile(style, data_dir, z))


# ---- rendering --------------------------------------------------------------

def read_list(path):
    tiles = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                tiles.append(tuple(int(v) for v in line.split("/")))
    return tiles


def mapnik_renderer(style_dir, zooms):
    import mapnik
    maps = {}
    for z in zooms:
        m = mapnik.Map(256, 256)
        mapnik.load_map(m, os.path.join(style_dir, "mapnik-z%d.xml" % z))
        maps[z] = m

    def draw(z, x, y):
        m = maps[z]
        m.zoom_to_box(mapnik.Box2d(*tile_bounds(z, x, y)))
        im = mapnik.Image(256, 256)
        mapnik.render(m, im)
        return im.tostring("png32:z=3")
    return draw


def mapserver_renderer(style_dir, zooms):
    import mapscript
    maps = {z: mapscript.mapObj(os.path.join(style_dir, "mapserver-z%d.map" % z)) for z in zooms}

    def draw(z, x, y):
        m = maps[z]
        minx, miny, maxx, maxy = tile_bounds(z, x, y)
        # MapServer's extent runs between the centres of the corner pixels
        # (its own tile mode shrinks it by half a pixel the same way)
        h = (maxx - minx) / 256 / 2
        m.setExtent(minx + h, miny + h, maxx - h, maxy - h)
        return m.draw().getBytes()
    return draw


def cmd_render(which, style_dir, list_path, out_dir, timings):
    tiles = read_list(list_path)
    zooms = sorted({t[0] for t in tiles})
    draw = (mapnik_renderer if which == "mapnik" else mapserver_renderer)(style_dir, zooms)
    draw(*tiles[0])  # warm-up: open the files, as yizhan has loaded its data before timing
    t_all = time.perf_counter()
    with open(timings, "w") as tf:
        for z, x, y in tiles:
            t0, c0 = time.perf_counter(), time.thread_time()
            png = draw(z, x, y)
            ms, cpu_ms = (time.perf_counter() - t0) * 1e3, (time.thread_time() - c0) * 1e3
            d = os.path.join(out_dir, str(z), str(x))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "%d.png" % y), "wb") as f:
                f.write(png)
            tf.write("%d/%d/%d %.3f %.3f %d 0\n" % (z, x, y, ms, cpu_ms, len(png)))
    secs = time.perf_counter() - t_all
    print("tiles_peers: %s: %d tiles, %.2f s, %.1f tiles/s (with file writes)" %
          (which, len(tiles), secs, len(tiles) / secs), file=sys.stderr)


# ---- report -----------------------------------------------------------------

RENDERERS = [("yizhan", "yizhan"), ("mapnik", "Mapnik 3.1 (python3-mapnik)"),
             ("mapserver", "MapServer 8.0 (python3-mapscript)")]


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def read_times(path):
    rows = []
    with open(path) as f:
        for line in f:
            t, ms, cpu_ms, size, _ = line.split()
            z, x, y = (int(v) for v in t.split("/"))
            rows.append((z, x, y, float(cpu_ms), int(size), float(ms)))
    return rows


def wrk_figures(path):
    """requests/s, p50, p99, error lines, server CPU µs per request"""
    rps, p50, p99, errors, reqs, cpu = None, None, None, [], None, None
    with open(path) as f:
        for line in f:
            w = line.split()
            if line.startswith("Requests/sec:"):
                rps = float(w[1])
            elif w[:1] == ["50%"]:
                p50 = w[1]
            elif w[:1] == ["99%"]:
                p99 = w[1]
            elif len(w) > 2 and w[1:3] == ["requests", "in"]:
                reqs = int(w[0])
            elif w[:1] == ["server_cpu_s"]:
                cpu = float(w[1])
            elif "Non-2xx" in line or "Socket errors" in line:
                errors.append(line.strip())
    return rps, p50, p99, errors, (1e6 * cpu / reqs if cpu is not None and reqs else None)


def cmd_report(out, runs):
    import shutil
    runs = int(runs)
    zooms = (12, 14, 16)
    fig = {}
    for key, _ in RENDERERS:
        per_run = []
        for r in range(1, runs + 1):
            rows = read_times(os.path.join(out, "%s.run%d.times" % (key, r)))
            d = {"all_tps": 1e3 * len(rows) / sum(t[3] for t in rows),
                 "all_wall": 1e3 * len(rows) / sum(t[5] for t in rows),
                 "n": len(rows), "bytes": sum(t[4] for t in rows) / len(rows)}
            for z in zooms:
                ms = [t[3] for t in rows if t[0] == z]
                d[z] = (median(ms), 1e3 * len(ms) / sum(ms), len(ms))
            per_run.append(d)
        fig[key] = {
            "all_tps": median([d["all_tps"] for d in per_run]),
            "all_wall": median([d["all_wall"] for d in per_run]),
            "n": per_run[0]["n"], "bytes": per_run[0]["bytes"],
            "runs_tps": [d["all_tps"] for d in per_run],
            "runs_wall": [d["all_wall"] for d in per_run],
        }
        for z in zooms:
            fig[key][z] = (median([d[z][0] for d in per_run]), median([d[z][1] for d in per_run]),
                           per_run[0][z][2])
    y = fig["yizhan"]
    n = {z: y[z][2] for z in zooms}
    print("Uncached: %d tiles (z12 %d, z14 %d, z16 %d), one at a time on one pinned core; per "
          "tile drawing + PNG encoding (Mapnik, MapServer: zlib level 3; yizhan: its own deflate, "
          "tiles/tilez.c, files smaller than the peers') in thread CPU time, tiles/s = tiles ÷ "
          "that time; median of %d runs.\n" % (y["n"], n[12], n[14], n[16], runs))
    print("| renderer | tiles/s, all | z12 median ms | z14 median ms | z16 median ms "
          "| z12 tiles/s | z14 tiles/s | z16 tiles/s | tiles/s by the clock | mean PNG bytes |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key, label in RENDERERS:
        f = fig[key]
        print("| %s | %.0f | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f |" %
              (label, f["all_tps"], f[12][0], f[14][0], f[16][0], f[12][1], f[14][1], f[16][1],
               f["all_wall"], f["bytes"]))
    for key, label in RENDERERS[1:]:
        f = fig[key]
        print("| **yizhan ÷ %s** | **%.2f×** | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× "
              "| %.2f× | |" %
              (label.split(" (")[0], y["all_tps"] / f["all_tps"],
               f[12][0] / y[12][0], f[14][0] / y[14][0], f[16][0] / y[16][0],
               y[12][1] / f[12][1], y[14][1] / f[14][1], y[16][1] / f[16][1],
               y["all_wall"] / f["all_wall"]))
    print("\n(ratios: tiles/s of yizhan over the peer's; for medians, the peer's ms over "
          "yizhan's — above 1 means yizhan is faster.)  tiles/s per run, all tiles, CPU | clock: " +
          "; ".join("%s %s | %s" % (k, " / ".join("%.0f" % v for v in fig[k]["runs_tps"]),
                                    " / ".join("%.0f" % v for v in fig[k]["runs_wall"]))
                    for k, _ in RENDERERS))

    split = os.path.join(out, "split.txt")
    if os.path.exists(split):
        with open(split) as f:
            rows = [l.split() for l in f.read().splitlines()[1:]]
        print("\nyizhan's time per tile, drawing against PNG encoding (mean thread CPU ms, "
              "build/release/tile_split, one run):\n")
        print("| zoom | tiles | of one colour (shared PNG, no encoding) | drawing, all tiles "
              "| encoding, tilez (served), the others | libdeflate level 1 | libdeflate level 0 (stored) |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s | %s | %s | %s | %s | %s |" % tuple(r))

    w = {}
    for who in ("nginx", "yizhan"):
        rs = [wrk_figures(os.path.join(out, "wrk.%s.run%d.txt" % (who, r))) for r in range(1, runs + 1)]
        w[who] = rs
    print("\nCached: wrk -t2 -c50, rotating through the %d tile URLs; median of %d runs.\n" %
          (y["n"], runs))
    print("| server | requests/s | runs | p50 latency | p99 latency | server CPU µs per request "
          "| errors |")
    print("|---|---|---|---|---|---|---|")
    meds, cpu = {}, {}
    for who, label in (("nginx", "nginx 1.22 (PNG files, sendfile, open_file_cache, 2 workers)"),
                       ("yizhan", "yizhan serve (memory cache, 2 threads)")):
        rs = w[who]
        meds[who] = median([r[0] for r in rs])
        cpu[who] = median([r[4] for r in rs])
        mid = sorted(rs, key=lambda r: r[0])[len(rs) // 2]
        errs = sorted({e for r in rs for e in r[3]})
        print("| %s | %.0f | %s | %s | %s | %.1f | %s |" %
              (label, meds[who], " / ".join("%.0f" % r[0] for r in rs), mid[1], mid[2], cpu[who],
               "; ".join(errs) or "none"))
    print("| **yizhan ÷ nginx** | **%.0f %%** | | | | %.2f× the CPU | |" %
          (100 * meds["yizhan"] / meds["nginx"], cpu["yizhan"] / cpu["nginx"]))

    # samples: the busiest tile of each zoom (largest yizhan PNG of run 1)
    rows = read_times(os.path.join(out, "yizhan.run1.times"))
    sd = os.path.join(out, "samples")
    os.makedirs(sd, exist_ok=True)
    for z in zooms:
        zz, x, yy = max((t for t in rows if t[0] == z), key=lambda t: (t[4], t[1], t[2]))[:3]
        for key, _ in RENDERERS:
            src = (os.path.join(out, "yizhan.run1", "map", str(zz), str(x), "%d.png" % yy)
                   if key == "yizhan" else
                   os.path.join(out, "%s.run1" % key, str(zz), str(x), "%d.png" % yy))
            shutil.copyfile(src, os.path.join(sd, "%s-%d-%d-%d.png" % (key, zz, x, yy)))


def main(argv):
    if len(argv) >= 6 and argv[1] == "list":
        cmd_list(argv[2], argv[3], argv[4], argv[5])
    elif len(argv) >= 6 and argv[1] == "styles":
        cmd_styles(argv[2], argv[3], argv[4], [int(z) for z in argv[5:]])
    elif len(argv) == 7 and argv[1] == "render" and argv[2] in ("mapnik", "mapserver"):
        cmd_render(argv[2], argv[3], argv[4], argv[5], argv[6])
    elif len(argv) == 4 and argv[1] == "report":
        cmd_report(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
