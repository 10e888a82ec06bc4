#!/usr/bin/env python3
"""check_distances.py -- greenmine's nearest-red-line distances against an
independent computation: pyproj's ellipsoidal azimuthal equidistant projection
centred on each application and shapely's planar distance, brute force over every
red line within 0.08 degree. Usage (in the make_data.py folder, after
ogr2ogr -f CSV -lco GEOMETRY=AS_WKT red.csv redlines.gpkg and apps.csv apps.gpkg):
check_distances.py GREENMINE [N]
"""
import json, subprocess, sys
import csv; csv.field_size_limit(10**9)
from pyproj import Transformer
from shapely import wkt as W
from shapely.ops import transform
out = subprocess.run([sys.argv[1],"check","--redlines","redlines.gpkg","--buffer","100","--json","apps.gpkg"],capture_output=True,text=True).stdout
gm = {a["id"]: a for a in json.loads(out)["applications"]}
apps = {r["mine_id"]: W.loads(r["WKT"]) for r in csv.DictReader(open("apps.csv"))}

reds = {r["红线编号"]: W.loads(r["WKT"]) for r in csv.DictReader(open("red.csv"))}
worst = 0
n = 0
for k, a in gm.items():
    nr = a["nearest_redline"]
    if not nr or nr["distance_m"] == 0: continue
    n += 1
    if n > (int(sys.argv[2]) if len(sys.argv) > 2 else 150): break
    g = apps[k]; c = g.centroid
    tr = Transformer.from_crs("EPSG:4490", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=GRS80", always_xy=True)
    gp = transform(tr.transform, g)
    best = min((gp.distance(transform(tr.transform, r)), rid) for rid, r in reds.items() if r.distance(g) < 0.08)
    d = abs(best[0] - nr["distance_m"])
    if d > worst: worst = d; print(k, nr, best)
print("checked", n, "worst abs diff", worst)
