#!/usr/bin/env python3
"""make_data.py -- deterministic province-scale benchmark data for `check`.

Writes into OUTDIR (a temporary folder; never committed):
  redlines.gpkg  N red lines (default 4000) over Hunan, irregular polygons of
                 V vertices each (default 300: 1.2 million vertices), EPSG:4490,
                 fields 红线编号/名称/类型, with the GeoPackage R-tree;
  apps.gpkg      M applications (default 1000), 0.3-2 km rectangles, field mine_id;
  one.wkt        the first application as WKT (the single cold-start case).
Usage: make_data.py OUTDIR [N V M]
"""
import math
import os
import random
import sys

from osgeo import ogr, osr

out = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
V = int(sys.argv[3]) if len(sys.argv) > 3 else 300
M = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
os.makedirs(out, exist_ok=True)
rng = random.Random(20171231)
LON0, LON1, LAT0, LAT1 = 108.8, 114.2, 24.7, 30.0
CATS = ["nature_reserve", "water_source", "forest_park", "wetland_park", "scenic_area"]
srs = osr.SpatialReference()
srs.ImportFromEPSG(4490)


def create(path, layer, fields):
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPolygon, ["SPATIAL_INDEX=YES"])
    for f in fields:
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    return ds, lyr


ds, lyr = create(os.path.join(out, "redlines.gpkg"), "redlines", ["红线编号", "名称", "类型"])
ds.StartTransaction()
vertices = 0
for i in range(N):
    clon, clat = rng.uniform(LON0, LON1), rng.uniform(LAT0, LAT1)
    r = rng.uniform(0.005, 0.04)  # 0.5-4 km
    phase = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for k in range(V):
        t = 2 * math.pi * k / V
        rr = r * (1 + 0.25 * math.sin(3 * t + phase[0]) + 0.1 * math.sin(7 * t + phase[1])
                  + 0.05 * math.sin(17 * t + phase[2]))
        ring.AddPoint_2D(clon + rr * math.cos(t) / math.cos(math.radians(clat)),
                         clat + rr * math.sin(t))
    ring.CloseRings()
    vertices += V
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField(0, f"HX{i + 1:05d}")
    f.SetField(1, f"红线{i + 1}号")
    f.SetField(2, CATS[i % len(CATS)])
    f.SetGeometry(poly)
    lyr.CreateFeature(f)
ds.CommitTransaction()
ds = None

ds, lyr = create(os.path.join(out, "apps.gpkg"), "apps", ["mine_id"])
ds.StartTransaction()
first = None
for i in range(M):
    lon, lat = rng.uniform(LON0, LON1), rng.uniform(LAT0, LAT1)
    w, h = rng.uniform(0.003, 0.02), rng.uniform(0.003, 0.02)
    wkt = f"POLYGON(({lon} {lat},{lon + w} {lat},{lon + w} {lat + h},{lon} {lat + h},{lon} {lat}))"
    first = first or wkt
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField(0, f"APP{i + 1:04d}")
    f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
    lyr.CreateFeature(f)
ds.CommitTransaction()
ds = None
with open(os.path.join(out, "one.wkt"), "w") as fp:
    fp.write(first + "\n")
print(f"{N} red lines, {vertices} vertices; {M} applications -> {out}")
