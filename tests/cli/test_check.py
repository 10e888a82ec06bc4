#!/usr/bin/env python3
"""test_check.py -- `greenmine check` end to end against a second tool.

Builds red lines, a zone, existing mines and applications (a GeoPackage batch,
WKT, a corner-point file in Gauss-Kruger zone 37 with the zone prefix), runs
the command and compares its JSON with figures computed here by pyproj's Geod
(GeographicLib through PROJ) and shapely: areas to 1e-6 relative, distances
to 1 mm; then the buffer edge (1 cm under and over the distance), exit codes,
--gpkg and the table. Usage: test_check.py GREENMINE WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

from osgeo import ogr, osr
from pyproj import Geod, Transformer
from shapely.geometry import Polygon
from shapely.ops import unary_union

GM, WORK = sys.argv[1], sys.argv[2]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
geod = Geod(ellps="GRS80")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def rect(x0, y0, x1, y1, step=0.0005):
    """lon/lat rectangle, parallels densified on a global grid (geodesic
    chords then hug the parallels to ~1e-5 m)."""
    k0, k1 = round(x0 / step), round(x1 / step)
    bottom = [(k * step, y0) for k in range(k0, k1 + 1)]
    top = [(k * step, y1) for k in range(k1, k0 - 1, -1)]
    return Polygon(bottom + top)


def area_ha(g):
    return abs(geod.geometry_area_perimeter(g)[0]) / 1e4


def geodesic_edges(p, step=10.0):
    """p with points added ON its geodesic edges every <= step m: the same
    geodesic polygon, but shapely's overlay can no longer cut an edge off its
    geodesic (the engine does the same at 50 m)."""
    c = list(p.exterior.coords)
    out = []
    for (x0, y0), (x1, y1) in zip(c, c[1:]):
        n = max(1, int(geod.inv(x0, y0, x1, y1)[2] // step) + 1)
        out.append((x0, y0))
        out += geod.npts(x0, y0, x1, y1, n - 1) if n > 1 else []
    return Polygon(out)


def write(path, layer, fields, rows):
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    lyr = ds.CreateLayer(layer, srs, ogr.wkbPolygon)
    for f in fields:
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    for values, geom in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for f, v in zip(fields, values):
            feat.SetField(f, v)
        feat.SetGeometry(ogr.CreateGeometryFromWkt(geom.wkt))
        lyr.CreateFeature(feat)
    ds = None


# Red lines: R1 and R2 overlap each other; R3 stands alone to the east.
R1 = rect(112.00, 28.00, 112.02, 28.02)
R2 = rect(112.01, 28.00, 112.03, 28.02)
R3 = rect(112.05, 28.00, 112.06, 28.01)
write("redlines.gpkg", "redlines", ["红线编号", "名称", "类型"],
      [(("R1", "大围山国家级自然保护区", "nature_reserve"), R1),
       (("R2", "株树桥饮用水水源保护区", "water_source"), R2),
       (("R3", "道吾山国家森林公园", "forest_park"), R3)])
write("zones.gpkg", "zones", ["名称"], [(("浏阳市",), rect(111.9, 27.9, 112.1, 28.1, 0.01))])
M1 = rect(112.07, 28.00, 112.08, 28.01)
write("mines.gpkg", "mines", ["采矿许可证号"], [(("C4301812010000001",), M1)])

# Applications.
GAP = 0.001  # degrees of latitude between R1's top edge and NEAR's bottom
CONFLICT = rect(112.015, 28.005, 112.025, 28.015)
NEAR = rect(112.005, 28.02 + GAP, 112.015, 28.03)
TOUCH = rect(112.06, 28.00, 112.065, 28.01)  # shares R3's east edge
FAR = rect(112.00, 28.20, 112.01, 28.21)
write("apps.gpkg", "apps", ["mine_id"],
      [(("A-conflict",), CONFLICT), (("A-near",), NEAR), (("A-touch",), TOUCH),
       (("A-far",), FAR)])

# A corner-point file: a 600 m x 400 m rectangle in CGCS2000 3-degree zone 37
# (prefixed eastings), overlapping mine M1.
to_gk = Transformer.from_crs(4490, 4525, always_xy=True)
e0, n0 = to_gk.transform(112.074, 28.004)
corners = [(n0, e0), (n0, e0 + 600), (n0 + 400, e0 + 600), (n0 + 400, e0)]
with open("申请-矿区.txt", "w", encoding="utf-8") as f:
    f.write("点号,X坐标,Y坐标\n")
    for k, (x, y) in enumerate(corners + corners[:1]):
        f.write(f"J{k % 4 + 1},{x:.2f},{y:.2f}\n")
to_ll = Transformer.from_crs(4525, 4490, always_xy=True)
CORNER = geodesic_edges(Polygon([to_ll.transform(round(y, 2), round(x, 2)) for x, y in corners]))

redlines_union = unary_union([R1, R2, R3])
d_near = geod.inv(112.01, 28.02, 112.01, 28.02 + GAP)[2]


def run(*args):
    p = subprocess.run([GM, "check", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


base = ["--redlines", "redlines.gpkg", "--zones", "zones.gpkg", "--mines", "mines.gpkg"]

# ---- the batch, as JSON ----------------------------------------------------
rc, out, err = run(*base, "--buffer", "200", "--json", "apps.gpkg", "申请-矿区.txt")
check(rc == 3, f"batch exit {rc}, expected 3 ({err})")
res = {a["id"]: a for a in json.loads(out)["applications"]}
check(list(res) == ["A-conflict", "A-near", "A-touch", "A-far", "申请-矿区"], f"ids {list(res)}")
for a in res.values():
    for key in ("id", "verdict", "area_ha", "redline_overlap_ha", "overlap_pct", "redlines",
                "nearest_redline", "zone", "mine_overlaps"):
        check(key in a, f"{a['id']}: key {key} missing")


def close(a, b, rel=1e-6):
    return abs(a - b) <= rel * max(abs(b), 1e-9) + 1e-6


c = res["A-conflict"]
ov = area_ha(CONFLICT.intersection(redlines_union))
check(c["verdict"] == "conflict", f"conflict verdict {c['verdict']}")
check(close(c["area_ha"], area_ha(CONFLICT)), f"conflict area {c['area_ha']} vs {area_ha(CONFLICT)}")
check(close(c["redline_overlap_ha"], ov), f"overlap {c['redline_overlap_ha']} vs {ov}")
check(close(c["overlap_pct"], 100 * ov / area_ha(CONFLICT), 1e-5), "overlap_pct")
own = {r["id"]: r for r in c["redlines"]}
check(set(own) == {"R1", "R2"}, f"red lines hit {set(own)}")
check(close(own["R1"]["overlap_ha"], area_ha(CONFLICT.intersection(R1))), "R1 own overlap")
check(close(own["R2"]["overlap_ha"], area_ha(CONFLICT.intersection(R2))), "R2 own overlap")
check(own["R1"]["name"] == "大围山国家级自然保护区" and own["R1"]["category"] == "nature_reserve",
      "R1 name/category")
check(c["zone"] == "浏阳市", f"zone {c['zone']}")
check(c["nearest_redline"]["distance_m"] == 0, "conflict distance 0")

n = res["A-near"]
check(n["verdict"] == "near", f"near verdict {n['verdict']}")
check(n["redline_overlap_ha"] == 0 and n["redlines"] == [], "near has no overlap")
check(n["nearest_redline"]["id"] == "R1", f"nearest {n['nearest_redline']}")
check(abs(n["nearest_redline"]["distance_m"] - d_near) < 1e-3,
      f"distance {n['nearest_redline']['distance_m']} vs {d_near}")

t = res["A-touch"]
check(t["verdict"] == "near" and t["nearest_redline"]["distance_m"] == 0 and
      t["redline_overlap_ha"] == 0, f"touching: {t['verdict']} {t['nearest_redline']}")
check(t["mine_overlaps"] == [], "touch has no mine overlap")

f_ = res["A-far"]
check(f_["verdict"] == "clear" and f_["nearest_redline"] is None, f"far: {f_}")

k = res["申请-矿区"]
check(k["verdict"] == "clear", f"corner file verdict {k['verdict']}")
check(close(k["area_ha"], area_ha(CORNER)), f"corner area {k['area_ha']} vs {area_ha(CORNER)}")
check(abs(k["area_ha"] - 24.0) < 0.05, f"corner area {k['area_ha']} is not ~24 ha (GK scale)")
mo = area_ha(CORNER.intersection(M1))
check(len(k["mine_overlaps"]) == 1 and k["mine_overlaps"][0]["mine_id"] == "C4301812010000001"
      and close(k["mine_overlaps"][0]["overlap_ha"], mo), f"mine overlap {k['mine_overlaps']} vs {mo}")

# ---- the buffer edge: 1 cm under and over the distance ---------------------
near_wkt = NEAR.wkt
rc, out, _ = run("--redlines", "redlines.gpkg", "--buffer", f"{d_near + 0.01:.3f}", "--json", near_wkt)
check(rc == 3 and json.loads(out)["applications"][0]["verdict"] == "near", f"buffer d+1cm: rc {rc}")
rc, out, _ = run("--redlines", "redlines.gpkg", "--buffer", f"{d_near - 0.01:.3f}", "--json", near_wkt)
check(rc == 0 and json.loads(out)["applications"][0]["verdict"] == "clear", f"buffer d-1cm: rc {rc}")
# touching with no buffer: clear, exit 0
rc, out, _ = run("--redlines", "redlines.gpkg", "--json", TOUCH.wkt)
check(rc == 0 and json.loads(out)["applications"][0]["verdict"] == "clear", f"touch no buffer: {rc}")

# ---- --gpkg and the table -------------------------------------------------
rc, out, err = run(*base, "--buffer", "200", "--gpkg", "out/check.gpkg", "apps.gpkg")
check(rc == 3, f"gpkg run exit {rc} ({err})")
ds = ogr.Open("out/check.gpkg")
counts = {ds.GetLayer(i).GetName(): ds.GetLayer(i).GetFeatureCount() for i in range(ds.GetLayerCount())}
check(counts.get("applications") == 4 and counts.get("redline_overlaps") == 2 and
      counts.get("buffers") == 4 and counts.get("mine_overlaps") == 0, f"gpkg layers {counts}")
check(ds.GetLayerByName("applications").GetSpatialRef().GetAuthorityCode(None) == "4490", "gpkg CRS")
ds = None
check(not [f for f in os.listdir("out") if f.endswith(".tmp.gpkg")], "temporary file left")
check("浏阳市" in out and "A-conflict" in out and "conflict" in out, "table lacks zone/id")

# ---- only red lines near the applications are read (spatial filter) -----
rc, out, _ = run("--redlines", "redlines.gpkg", "--json", FAR.wkt)
check(json.loads(out)["redlines_read"] == 0, f"far application read {json.loads(out)['redlines_read']} red lines")
rc, out, _ = run("--redlines", "redlines.gpkg", "--json", CONFLICT.wkt)
check(json.loads(out)["redlines_read"] == 3, "conflict application did not read the 3 red lines")
# the same through a projected layer (Gauss-Kruger zone 37): the box is transformed
subprocess.run(["ogr2ogr", "-t_srs", "EPSG:4525", "redlines_gk.gpkg", "redlines.gpkg"], check=True)
rc, out, err = run("--redlines", "redlines_gk.gpkg", "--buffer", "200", "--json", NEAR.wkt, FAR.wkt)
gk = json.loads(out)
check(gk["redlines_read"] == 3 and gk["applications"][0]["verdict"] == "near" and
      abs(gk["applications"][0]["nearest_redline"]["distance_m"] - d_near) < 0.01,
      f"projected red lines: {gk['redlines_read']} read, {gk['applications'][0]} ({err})")

# ---- exit codes ------------------------------------------------------------
rc, out, _ = run("--redlines", "redlines.gpkg", FAR.wkt)
check(rc == 0, f"all clear: exit {rc}")
with open("bad.txt", "w") as f:
    f.write("1,3100000,37500000\n2,3100000\n3,3101000,37501000\n")
rc, out, err = run("--redlines", "redlines.gpkg", "bad.txt")
check(rc == 2 and "bad.txt line 2: missing coordinate" in err and err.count("\n") == 1,
      f"bad corner file: exit {rc}, stderr {err!r}")
rc, out, err = run("--redlines", "missing.gpkg", FAR.wkt)
check(rc == 2 and "missing.gpkg" in err, f"missing red lines: exit {rc} {err!r}")
rc, out, err = run("--redlines", "redlines.gpkg")
check(rc == 2 and "no APPLICATION" in err, f"no application: exit {rc} {err!r}")
rc, out, err = run("--redlines", "redlines.gpkg", "--buffer", "-5", FAR.wkt)
check(rc == 2, f"negative buffer: exit {rc}")

print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
