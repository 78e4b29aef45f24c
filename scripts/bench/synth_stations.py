#!/usr/bin/env python3
"""synth_stations.py — synthetic stations for a dataset without any (rnv_mannheim).

Picks N distinct junctions of a mode's graph, read from `yizhan export-edges`
CSV, with a fixed seed, and writes them as a GeoJSON FeatureCollection of
points (id, name, services).  Same input and seed give the same file.

    synth_stations.py EDGES.csv OUT.geojson [N=60] [SEED=42]
"""
import csv
import json
import random
import sys


def main():
    edges, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
    nodes = {}
    with open(edges, newline="") as f:
        for r in csv.DictReader(f):
            nodes[int(r["source"])] = (float(r["x1"]), float(r["y1"]))
            nodes[int(r["target"])] = (float(r["x2"]), float(r["y2"]))
    ids = random.Random(seed).sample(sorted(nodes), n)
    feats = [{
        "type": "Feature",
        "properties": {"id": "synth-%d" % i, "name": "Synthetic station %d" % i},
        "geometry": {"type": "Point", "coordinates": list(nodes[v])},
    } for i, v in enumerate(ids)]
    with open(out, "w") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f)


if __name__ == "__main__":
    main()
