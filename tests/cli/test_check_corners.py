#!/usr/bin/env python3
"""test_check_corners.py -- `greenmine check` on the corner-point files of
tests/data/corners/ (issue 13): every accepted form must give the polygon
pyproj computes from the sample's own points, every refused one exit 2 with
the line and the reason.

Expected polygons: the points each sample was written from (samples.py),
transformed by pyproj to CGCS2000 lon/lat (degrees: d + m/60 + s/3600 by
hand); areas by pyproj's Geod on GRS 80. The engine's output polygon (its
--gpkg applications layer) must hold the same vertices to 1 mm and the same
area to 1e-6 relative. Usage: test_check_corners.py GREENMINE WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

from osgeo import ogr, osr
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

GM, WORK = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "corners")
sys.path.insert(0, DATA)
import samples  # noqa: E402

shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
geod = Geod(ellps="GRS80")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def gpkg(path, layer, fields, rows, epsg=4490):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPolygon)
    for f in fields:
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    for values, wkt in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for f, v in zip(fields, values):
            feat.SetField(f, v)
        feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(feat)
    ds = None


# One red line well away from the samples (the verdicts are not the point
# here), and one existing mine 30 km away: nothing near the applications.
RL = os.path.join(WORK, "redlines.gpkg")
gpkg(RL, "redlines", ["redline_id", "name", "category"],
     [(("R1", "某保护区", "nature_reserve"),
       "POLYGON((113.70 28.30,113.72 28.30,113.72 28.32,113.70 28.32,113.70 28.30))")])
MINES = os.path.join(WORK, "mines.gpkg")
gpkg(MINES, "mines", ["mine_id", "mine_name", "scale"],
     [(("C4300002010001", "远矿", "small"),
       "POLYGON((113.9 28.6,113.91 28.6,113.91 28.61,113.9 28.61,113.9 28.6))")])


def run(args):
    p = subprocess.run([GM, "check", "--redlines", RL] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def expected_polygon(crs, blocks):
    """lon/lat shapely geometry from the file's own points."""
    if crs == "EPSG:4490":  # (lat, lon) already in degrees
        to = lambda pts: [(lo, la) for la, lo in pts]  # noqa: E731
    else:
        t = Transformer.from_crs(crs, "EPSG:4490", always_xy=True)
        to = lambda pts: [t.transform(y, x) for x, y in pts]  # noqa: E731
    # counter-clockwise shells, clockwise holes: Geod sums signed ring areas
    polys = [orient(Polygon(to(b[0]), [to(h) for h in b[1:]]), 1.0) for b in blocks]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def rings(g):
    out = []
    for p in (g.geoms if g.geom_type == "MultiPolygon" else [g]):
        out.append(list(p.exterior.coords)[:-1])
        out += [list(r.coords)[:-1] for r in p.interiors]
    return out


def read_app(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("applications")
    f = lyr.GetNextFeature()
    from shapely import wkt as shapely_wkt
    g = shapely_wkt.loads(f.GetGeometryRef().ExportToWkt())
    fields = {k: f.GetField(k) for k in ("app_id", "area_ha", "datum_warning", "origin")}
    return g, fields


built = samples.build()
for name, (text, enc, expect, extra) in sorted(built.items()):
    path = os.path.join(DATA, name)
    with open(path, "rb") as fh:  # the committed file is what samples.py writes
        check(fh.read() == text.encode(enc), f"{name}: differs from samples.py's output")
    out = os.path.join(WORK, name + ".gpkg")
    rc, so, se = run(extra + ["--mines", MINES, "--gpkg", out, path])
    if expect[0] == "error":
        check(rc == 2, f"{name}: exit {rc}, expected 2 ({se.strip()})")
        err = [l for l in se.splitlines() if "error:" in l]
        check(len(err) == 1, f"{name}: expected one error line, got {se!r}")
        for needle in expect[1]:
            check(needle in se, f"{name}: error lacks {needle!r}: {se.strip()}")
        check(not os.path.exists(out), f"{name}: a GeoPackage was written")
        continue
    check(rc == 0, f"{name}: exit {rc} ({se.strip()})")
    if rc != 0:
        continue
    check("no features" not in se, f"{name}: warns 'no features' for the far mines: {se}")
    _, crs, blocks = expect
    want = expected_polygon(crs, blocks)
    got, fields = read_app(out)
    area = abs(geod.geometry_area_perimeter(want)[0]) / 1e4
    check(abs(fields["area_ha"] - area) <= 1e-6 * area,
          f"{name}: area {fields['area_ha']:.6f} ha, pyproj {area:.6f} ha")
    wr, gr = rings(want), rings(got)
    check(sorted(len(r) for r in wr) == sorted(len(r) for r in gr),
          f"{name}: ring sizes {sorted(len(r) for r in gr)}, expected {sorted(len(r) for r in wr)}")
    worst = 0.0
    allgot = [p for r in gr for p in r]
    for r in wr:
        for lo, la in r:
            d = min(geod.inv(lo, la, x, y)[2] for x, y in allgot)
            worst = max(worst, d)
    check(worst < 1e-3, f"{name}: a corner {worst:.4f} m from where pyproj puts it")
    print(f"ok {name}: {fields['area_ha']:.6f} ha (pyproj {area:.6f}), corners within "
          f"{worst * 1000:.3f} mm")

# Item 1: the declared Xian 1980 wins and the ballpark datum change is said,
# in the JSON, the table, the GeoPackage; a CGCS2000 file says nothing.
x80 = os.path.join(DATA, "exchange_xian80.txt")
rc, so, se = run(["--json", x80])
j = json.loads(so)["applications"][0]
check(j["transformation"] and j["transformation"]["ballpark"] is True,
      f"xian80: transformation {j['transformation']}")
check("Ballpark" in j["transformation"]["operation"], "xian80: PROJ's operation not named")
check(j["datum_warning"] and "few hundred metres" in j["datum_warning"],
      f"xian80: datum_warning {j['datum_warning']}")
check("Xian 1980" in j["crs"] and "坐标系=1980西安坐标系" in j["crs"], f"xian80: crs {j['crs']}")
check("ballpark" in se, f"xian80: no warning on stderr: {se}")
_, f80 = read_app(os.path.join(WORK, "exchange_xian80.txt.gpkg"))
check(f80["datum_warning"] and "ballpark" in f80["datum_warning"], "xian80: gpkg datum_warning")
rc, so, se = run([x80])
check("WARNING" in so and "ballpark" in so, "xian80: the table does not say ballpark")
# the same points as CGCS2000 would land elsewhere: the datum matters here
t80 = Transformer.from_crs("EPSG:2383", "EPSG:4490", always_xy=True)
t00 = Transformer.from_crs("EPSG:4547", "EPSG:4490", always_xy=True)
x, y = samples.X80[0]
d = geod.inv(*t80.transform(y, x), *t00.transform(y, x))[2]
check(d > 0.5, f"xian80: Xian and CGCS2000 readings only {d:.3f} m apart: the test cannot tell")
print(f"ok xian80: read as Xian 1980 (CGCS2000 would move the corners {d:.2f} m), ballpark said")
# --crs agreeing with the file: the same polygon; Xian without prefix: the prefix is dropped
for crs in ["EPSG:2362", "EPSG:2383"]:
    rc, so, se = run(["--json", "--crs", crs, x80])
    check(rc == 0, f"xian80 --crs {crs}: exit {rc} {se}")
    if rc == 0:
        a = json.loads(so)["applications"][0]["area_ha"]
        check(abs(a - j["area_ha"]) < 1e-6, f"xian80 --crs {crs}: area {a} vs {j['area_ha']}")
# --crs with another zone: exit 2, naming both
rc, so, se = run(["--crs", "EPSG:2382", x80])
check(rc == 2 and "EPSG:2382" in se and "zone prefix 38" in se, f"xian80 --crs 2382: {rc} {se}")
cg = os.path.join(DATA, "exchange_gbk.txt")
rc, so, se = run(["--json", cg])
j = json.loads(so)["applications"][0]
check(j["transformation"]["ballpark"] is False and j["datum_warning"] is None,
      f"exchange_gbk: CGCS2000 reported as {j['transformation']}")

# Item 2: the GBK file read as GBK; --encoding names another encoding
rc, so, se = run(["--encoding", "BIG5", cg])
check(rc == 2 and "read as BIG5" in se, f"--encoding BIG5 on a GBK file: exit {rc} {se}")

# Item 3: --dms / --decimal-degrees on the undeclared packed file
amb = os.path.join(DATA, "bad_packed_ambiguous.txt")
rc, so, se = run(["--json", "--dms", amb])
check(rc == 0, f"--dms: exit {rc} {se}")
if rc == 0:
    a = json.loads(so)["applications"][0]["area_ha"]
    want = abs(geod.geometry_area_perimeter(expected_polygon("EPSG:4490", [[samples.deg(
        samples.DMS_PTS)]]))[0]) / 1e4
    check(abs(a - want) <= 1e-6 * want, f"--dms: {a} ha, expected {want}")
rc, so, se = run(["--json", "--decimal-degrees", amb])
if rc == 0:
    a2 = json.loads(so)["applications"][0]["area_ha"]
    check(abs(a2 - want) > 1, "--decimal-degrees reads the same as --dms")
# a file stating 度分秒 with --decimal-degrees: a conflict, exit 2
rc, so, se = run(["--decimal-degrees", os.path.join(DATA, "exploration_packed_key.txt")])
check(rc == 2 and "坐标格式=度分秒" in se, f"--decimal-degrees vs 度分秒: {rc} {se}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("all corner-file checks passed")
