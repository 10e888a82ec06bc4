#!/usr/bin/env python3
"""test_limits.py -- resource limits (issue 15, docs/robustness.md): deeply
nested GeoJSON is refused clearly and quickly; a mine of 10^6 vertices is
analysed in bounded time, its area equal to pyproj's Geod (GeographicLib)
within 1e-6 relative (the contract's bound); a parcel layer of SLIVERS
slivers (100 m x 0.5 m, all counted, default 100,000) is analysed within
MAX_S seconds and MAX_MB of peak memory (defaults for the ASan debug build),
its restoration figure equal to the sum of the slivers' GeographicLib areas.
Usage: test_limits.py GREENMINE WORKDIR [SLIVERS [MAX_S [MAX_MB]]]
"""
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import time

from osgeo import ogr, osr
from pyproj import Geod

GM, WORK = sys.argv[1], sys.argv[2]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


POLY = ('{"type":"Polygon","coordinates":[[[112,28],[112.01,28],[112.01,28.01],[112,28.01],'
        '[112,28]]]}')
HEAD = ('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":'
        '"urn:ogc:def:crs:EPSG::4490"}},"features":[{"type":"Feature","properties":%s,'
        '"geometry":%s}]}')
open("redlines.geojson", "w").write(HEAD % ('{"redline_id":"R1"}', POLY.replace("112,", "112.2,")))
open("parcels.geojson", "w").write(HEAD % (
    '{"parcel_id":"P1","kind":"restoration","status":"completed","completed_on":"2018-01-01",'
    '"legacy":"1"}', POLY))
open("zones.geojson", "w").write(HEAD % ('{"zone_id":"Z1","name":"浏阳市"}', POLY.replace(
    "112.01", "112.5").replace("28.01", "28.5")))
OTHERS = ["--redlines", "redlines.geojson", "--parcels", "parcels.geojson", "--zones",
          "zones.geojson"]

# deep nesting: 5000 GeometryCollections, 100000 nested arrays in a property
deep_geom = '{"type":"GeometryCollection","geometries":[' * 5000 + POLY + "]}" * 5000
open("deep_geometry.geojson", "w").write(HEAD % ('{"mine_id":"C1","scale":"大型"}', deep_geom))
deep_prop = '{"mine_id":"C1","scale":"大型","x":%s}' % ("[" * 100000 + "]" * 100000)
open("deep_property.geojson", "w").write(HEAD % (deep_prop, POLY))
for name in ("deep_geometry", "deep_property"):
    t0 = time.monotonic()
    p = subprocess.run([GM, "analyze", "--no-rasters", "--mines", f"{name}.geojson", *OTHERS,
                        "-o", f"{name}/out.gpkg"], capture_output=True, timeout=300)
    took = time.monotonic() - t0
    err = p.stderr.decode()
    check(p.returncode == 2 and f"{name}.geojson" in err and len(err.strip().splitlines()) == 1,
          f"{name}: exit {p.returncode}, expected 2 with one line naming the file: {err[:300]}")
    check(took < 60, f"{name}: refused after {took:.1f} s")
    check(not os.path.exists(f"{name}/out.gpkg"), f"{name}: an output was written")

# one mine of 10^6 vertices: an ellipse about 2 km across
srs = osr.SpatialReference()
srs.ImportFromEPSG(4490)
ds = ogr.GetDriverByName("GPKG").CreateDataSource("bigmine.gpkg")
lyr = ds.CreateLayer("mines", srs, ogr.wkbPolygon)
for f in ("mine_id", "scale"):
    lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
n = 1000000
lons = [112.1 + 0.0102 * math.cos(2 * math.pi * i / n) for i in range(n)]
lats = [28.1 + 0.009 * math.sin(2 * math.pi * i / n) for i in range(n)]
ring = ogr.Geometry(ogr.wkbLinearRing)
for x, y in zip(lons, lats):
    ring.AddPoint_2D(x, y)
ring.CloseRings()
poly = ogr.Geometry(ogr.wkbPolygon)
poly.AddGeometry(ring)
feat = ogr.Feature(lyr.GetLayerDefn())
feat["mine_id"], feat["scale"] = "BIG", "大型"
feat.SetGeometry(poly)
lyr.CreateFeature(feat)
ds = None
want_ha = abs(Geod(ellps="GRS80").polygon_area_perimeter(lons, lats)[0]) / 1e4
t0 = time.monotonic()
p = subprocess.run([GM, "analyze", "--quiet", "--no-rasters", "--threads", "2", "--mines",
                    "bigmine.gpkg", *OTHERS, "-o", "big/out.gpkg"], capture_output=True,
                   timeout=900)
took = time.monotonic() - t0
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
check(p.returncode == 0, f"10^6 vertices: exit {p.returncode}: {p.stderr[:300]!r}")
if p.returncode == 0:
    ds = ogr.Open("big/out.gpkg")
    got_ha = [f["mine_ha"] for f in ds.GetLayerByName("mine_conflicts")][0]
    ds = None
    check(abs(got_ha - want_ha) <= 1e-6 * want_ha,
          f"10^6 vertices: {got_ha!r} ha, GeographicLib {want_ha!r} ha")
print(f"10^6-vertex mine: {took:.1f} s, peak RSS {peak_mb:.0f} MB (this build)")

# a layer of slivers: 100 m x 0.5 m, 100 to a row, a row every metre (0.5 m apart), all
# completed legacy restoration, so every one is counted: the union, the rasters and the
# GeoPackage all see n features
SLIVERS = int(sys.argv[3]) if len(sys.argv) > 3 else 100000
MAX_S = float(sys.argv[4]) if len(sys.argv) > 4 else 600
MAX_MB = float(sys.argv[5]) if len(sys.argv) > 5 else 3000
open("mine_small.geojson", "w").write(HEAD % ('{"mine_id":"C1","scale":"大型"}',
                                             POLY.replace("112,", "112.3,")))
ds = ogr.GetDriverByName("GPKG").CreateDataSource("slivers.gpkg")
lyr = ds.CreateLayer("parcels", srs, ogr.wkbPolygon)
for f in ("parcel_id", "kind", "status", "completed_on", "legacy"):
    lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
lyr.StartTransaction()
COLS, DX, DY, ROW = 100, 0.001, 0.5 / 110574, 1.0 / 110574
geod = Geod(ellps="GRS80")
want_ha = 0.0
for i in range(SLIVERS):
    c, r = i % COLS, i // COLS
    x0, y0 = 112.0 + c * DX * 1.02, 28.0 + r * ROW
    xs, ys = [x0, x0 + DX, x0 + DX, x0], [y0, y0, y0 + DY, y0 + DY]
    if c == 0:  # every sliver of a row has the same shape: one area per row
        row_ha = abs(geod.polygon_area_perimeter(xs, ys)[0]) / 1e4
    want_ha += row_ha
    f = ogr.Feature(lyr.GetLayerDefn())
    f["parcel_id"], f["kind"], f["status"], f["completed_on"], f["legacy"] = (
        f"S{i}", "restoration", "completed", "2018-01-01", "1")
    f.SetGeometry(ogr.CreateGeometryFromWkt(
        "POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (xs[0], ys[0], xs[1], ys[1], xs[2], ys[2],
                                                    xs[3], ys[3], xs[0], ys[0])))
    lyr.CreateFeature(f)
lyr.CommitTransaction()
ds = None
t0 = time.monotonic()
p = subprocess.run(["/usr/bin/time", "-f", "peak_kb=%M", GM, "analyze", "--quiet", "--threads",
                    "2", "--mines", "mine_small.geojson", "--redlines", "redlines.geojson", "--parcels",
                    "slivers.gpkg", "--zones", "zones.geojson", "-o", "slivers/greenmine.gpkg"],
                   capture_output=True, timeout=MAX_S * 2)
took = time.monotonic() - t0
m = re.search(r"peak_kb=(\d+)", p.stderr.decode())
peak_mb = int(m.group(1)) / 1024 if m else float("nan")
check(p.returncode == 0, f"{SLIVERS} slivers: exit {p.returncode}: {p.stderr[-300:]!r}")
check(took <= MAX_S, f"{SLIVERS} slivers: {took:.1f} s, over {MAX_S} s")
check(peak_mb <= MAX_MB, f"{SLIVERS} slivers: peak {peak_mb:.0f} MB, over {MAX_MB} MB")
if p.returncode == 0:
    ds = ogr.Open("slivers/greenmine.gpkg")
    ind = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    ds = None
    got = ind.get("restoration_done_ha")
    check(got is not None and abs(got - want_ha) <= 1e-6 * want_ha,
          f"{SLIVERS} slivers: {got!r} ha, GeographicLib {want_ha!r} ha")
print(f"{SLIVERS} slivers: {took:.1f} s, peak RSS {peak_mb:.0f} MB (this build)")
print(f"test_limits: {len(failures)} failed")
sys.exit(1 if failures else 0)
