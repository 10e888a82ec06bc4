#!/usr/bin/env python3
"""test_tiles.py GREENMINE WORKDIR -- partitioned runs compose exactly.

Runs `greenmine analyze` on the demo data once whole and once per cell of a 1-degree
grid (--tile 1:COL,ROW over the data's extent, 2 threads), then adds the cells'
GeoPackages up: every mine with a geometry appears in exactly one cell with the same
row as in the whole run; zone hectares and counts and the province's hectares are the
sums of the cells' (within 1e-9 relative); a cell's restored areas lie inside it.
"""
import math
import os
import subprocess
import sys

from osgeo import ogr

gm, work = sys.argv[1], sys.argv[2]
demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "demo")
os.makedirs(work, exist_ok=True)
ins = ["--mines", f"{demo}/mines.shp", "--redlines", f"{demo}/redlines.gpkg",
       "--parcels", f"{demo}/parcels.gpkg", "--zones", f"{demo}/zones.geojson",
       "--allow-duplicate-ids"]  # the demo repeats some parcel ids (data/README.md)
fails = []


def run(out, extra):
    subprocess.run([gm, "analyze", "--quiet", "--no-rasters", "--threads", "2", "-o", out]
                   + ins + extra, check=True)
    ds = ogr.Open(out)
    mines = {f["mine_id"]: (f["mine_ha"], f["redline_conflict_ha"], f["zone_name"],
                            f["redline_ids"], f.GetGeometryRef() is not None, f["scale"])
             for f in ds.GetLayerByName("mine_conflicts")}
    zones = {f["name"]: [f["restoration_done_ha"], f["reclamation_done_ha"], f["mines"],
                         f["large_medium_mines"], f["conflict_mines"]]
             for f in ds.GetLayerByName("zone_progress")}
    prov = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    env = [f.GetGeometryRef().GetEnvelope() for f in ds.GetLayerByName("restored_areas")
           if f.GetGeometryRef()]
    return mines, zones, prov, env


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(abs(a), abs(b), 1.0)


whole = run(f"{work}/whole.gpkg", [])
with_geom = {k for k, v in whole[0].items() if v[4]}
seen, zsum, psum = {}, {}, {}
cells = [(c, r) for c in range(108, 115) for r in range(24, 31)]  # lon 108..115, lat 24..31: the demo
for c, r in cells:
    m, z, p, env = run(f"{work}/tile_{c}_{r}.gpkg", ["--tile", f"1:{c},{r}"])
    for k, v in m.items():
        if k in seen:
            fails.append(f"mine {k} in two cells")
        seen[k] = v
    for k, v in z.items():
        zsum[k] = [a + b for a, b in zip(zsum.get(k, [0] * 5), v)]
    for k in ("restoration_done_ha", "reclamation_done_ha", "mines", "large_medium_mines",
              "conflict_mines", "redline_conflict_ha"):
        psum[k] = psum.get(k, 0.0) + p[k]
    for e in env:  # minx, maxx, miny, maxy
        if e[0] < c - 1e-9 or e[1] > c + 1 + 1e-9 or e[2] < r - 1e-9 or e[3] > r + 1 + 1e-9:
            fails.append(f"cell {c},{r}: a restored area outside the cell {e}")

if set(seen) != with_geom:
    fails.append(f"mines: cells hold {len(seen)}, the whole run {len(with_geom)} with a geometry; "
                 f"differing: {sorted(set(seen) ^ with_geom)[:5]}")
for k in set(seen) & with_geom:
    a, b = seen[k], whole[0][k]
    if not (close(a[0], b[0]) and close(a[1], b[1]) and a[2] == b[2] and a[3] == b[3]):
        fails.append(f"mine {k}: cell {a} vs whole {b}")
for k, v in whole[1].items():
    s = zsum.get(k, [0] * 5)
    for i, what in enumerate(("restoration_ha", "reclamation_ha", "mines", "large_medium",
                              "conflict_mines")):
        if not close(s[i], v[i]):
            fails.append(f"zone {k} {what}: sum of cells {s[i]!r}, whole {v[i]!r}")
# counts over the mines with a geometry (a mine without one belongs to no cell)
rows = [whole[0][k] for k in with_geom]
expect = {"mines": len(rows),
          "large_medium_mines": sum(1 for v in rows if v[5] in ("large", "medium")),
          "conflict_mines": sum(1 for v in rows if v[1] > 0),
          "redline_conflict_ha": sum(v[1] for v in rows)}
for k, v in expect.items():
    if not close(psum[k], v, 1e-6):
        fails.append(f"province {k}: sum of cells {psum[k]!r}, whole run's mines {v!r}")
for k in ("restoration_done_ha", "reclamation_done_ha"):
    if not close(psum[k], whole[2][k]):
        fails.append(f"province {k}: sum of cells {psum[k]!r}, whole {whole[2][k]!r}")
    print(f"{k}: whole {whole[2][k]:.6f}, sum of {len(cells)} cells {psum[k]:.6f}")
if psum["restoration_done_ha"] <= 0:
    fails.append("nothing restored: the test would prove nothing")
print(f"{len(seen)} mines in {len(cells)} cells; {len(with_geom)} with a geometry in the whole run")
for f in fails[:20]:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
