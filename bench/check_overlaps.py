#!/usr/bin/env python3
"""check_overlaps.py -- greenmine's batch areas and red-line overlaps against pyproj
(Geod polygon areas) + shapely (overlay), the applications densified every STEP m
along their geodesic edges (default 10 m). Run in the make_data.py folder after
ogr2ogr -f CSV -lco GEOMETRY=AS_WKT red.csv redlines.gpkg / apps.csv apps.gpkg.
Usage: check_overlaps.py GREENMINE [STEP]
"""
import csv, json, math, subprocess, sys
from shapely import wkt as W
from shapely.geometry import Polygon
from shapely.ops import unary_union
from pyproj import Geod
csv.field_size_limit(10**9)
geod = Geod(ellps="GRS80")
STEP = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
def dens(p):
    c = list(p.exterior.coords); out = []
    for (x0, y0), (x1, y1) in zip(c, c[1:]):
        d = geod.inv(x0, y0, x1, y1)[2]; n = max(1, math.ceil(d / STEP))
        out.append((x0, y0)); out += geod.npts(x0, y0, x1, y1, n - 1) if n > 1 else []
    return Polygon(out)
out = subprocess.run([sys.argv[1],"check","--redlines","redlines.gpkg","--json","apps.gpkg"],capture_output=True,text=True).stdout
gm = {a["id"]: a for a in json.loads(out)["applications"]}
apps = {r["mine_id"]: dens(W.loads(r["WKT"])) for r in csv.DictReader(open("apps.csv"))}
reds = {r["红线编号"]: W.loads(r["WKT"]) for r in csv.DictReader(open("red.csv"))}
worst = 0; n = 0; wa = 0; wabs = 0
for k, a in gm.items():
    wa = max(wa, abs(abs(geod.geometry_area_perimeter(apps[k])[0]) / 1e4 - a["area_ha"]) / a["area_ha"])
    if a["verdict"] != "conflict": continue
    n += 1
    u = unary_union([reds[r["id"]] for r in a["redlines"]])
    ov = abs(geod.geometry_area_perimeter(apps[k].intersection(u))[0]) / 1e4
    r_ = abs(ov - a["redline_overlap_ha"]) / ov
    worst = max(worst, r_)
    wabs = max(wabs, abs(ov - a["redline_overlap_ha"]) * 1e4)
print(f"{n} conflicts; reference densified every {STEP} m along geodesics: worst relative difference overlap {worst:.2e} (absolute {wabs:.4f} m2; JSON has 6 decimals of ha = 0.01 m2), area {wa:.2e}")
