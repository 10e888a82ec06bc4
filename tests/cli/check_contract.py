#!/usr/bin/python3
"""Checks an analysis GeoPackage against the data contract's output section:
layers, fields, geometry, CRS (EPSG:4490), spatial indexes, indicator targets,
and the internal sums that must hold (zones + outside = province).
Usage: check_contract.py OUT.gpkg   (exit 1 on any problem)"""
import sqlite3
import sys

from osgeo import ogr

ogr.UseExceptions()
LAYERS = {
    "mine_conflicts": "mine_id name scale zone_name mine_ha redline_conflict_ha conflict_pct redline_ids verdict",
    "conflict_areas": "mine_id redline_id category area_ha",
    "zone_progress": "zone_id name restoration_done_ha reclamation_done_ha mines large_medium_mines conflict_mines",
    "restored_areas": "zone_name kind area_ha",
    "province_indicators": "indicator value target unit pct_of_target",
}
path = sys.argv[1]
problems = []
ds = ogr.Open(path)
for name, fields in LAYERS.items():
    lyr = ds.GetLayerByName(name)
    if lyr is None:
        problems.append(f"missing layer {name}")
        continue
    defn = lyr.GetLayerDefn()
    have = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    for f in fields.split():
        if f not in have:
            problems.append(f"{name}: missing field {f}")
    if name != "province_indicators":
        srs = lyr.GetSpatialRef()
        if srs is None or srs.GetAuthorityCode(None) != "4490":
            problems.append(f"{name}: CRS is not EPSG:4490")
        if lyr.GetFeatureCount() == 0:
            problems.append(f"{name}: empty")

db = sqlite3.connect(path)
indexed = {r[0] for r in db.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name='gpkg_rtree_index'")}
for name in LAYERS:
    if name != "province_indicators" and name not in indexed:
        problems.append(f"{name}: no spatial index")
# The spatial indexes (bulk-loaded by src/out/gpkg_rtree.c): SQLite's own consistency
# check, one entry per feature with a geometry holding OGR's envelope of it (to a
# float32), and windows through the index finding every feature whose envelope meets them.
for name in sorted(indexed & set(LAYERS)):
    rt = f"rtree_{name}_geom"
    ok = db.execute(f"SELECT rtreecheck('{rt}')").fetchone()[0]
    if ok != "ok":
        problems.append(f"{rt}: {ok}")
    env = {}
    for f in ds.GetLayerByName(name):
        g = f.GetGeometryRef()
        if g is not None and not g.IsEmpty():
            env[f.GetFID()] = g.GetEnvelope()  # minx, maxx, miny, maxy
    box = {r[0]: r[1:] for r in db.execute(f"SELECT id, minx, maxx, miny, maxy FROM {rt}")}
    if set(box) != set(env):
        problems.append(f"{rt}: {len(box)} entries for {len(env)} features with a geometry")
        continue
    tol = 2e-5  # the index rounds outward to a float32: 1.5e-5 wide from 128 to 256 degrees
    for fid, e in env.items():
        b = box[fid]
        if not (b[0] <= e[0] and b[1] >= e[1] and b[2] <= e[2] and b[3] >= e[3]
                and e[0] - b[0] < tol and b[1] - e[1] < tol and e[2] - b[2] < tol and b[3] - e[3] < tol):
            problems.append(f"{rt}: feature {fid}: box {b} for envelope {e}")
            break
    xs = sorted(v for e in env.values() for v in e[:2])
    ys = sorted(v for e in env.values() for v in e[2:])
    for k in range(1, 20):  # windows across the layer's extent
        x0, y0 = xs[k * len(xs) // 20], ys[(k * 7) % 20 * len(ys) // 20]
        x1, y1 = x0 + (xs[-1] - xs[0]) / 10, y0 + (ys[-1] - ys[0]) / 10
        got = {r[0] for r in db.execute(
            f"SELECT id FROM {rt} WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?",
            (x0, x1, y0, y1))}
        want = {fid for fid, e in env.items() if e[1] >= x0 and e[0] <= x1 and e[3] >= y0 and e[2] <= y1}
        near = {fid for fid, e in env.items()
                if e[1] >= x0 - tol and e[0] <= x1 + tol and e[3] >= y0 - tol and e[2] <= y1 + tol}
        if not want <= got <= near:
            problems.append(f"{rt}: window {k} finds {len(got)}, the envelopes {len(want)}")
            break
rows = {r[0]: r[1:] for r in db.execute("SELECT indicator, value, target FROM province_indicators")}
for key, target in (("restoration_done_ha", 2000), ("reclamation_done_ha", 500), ("large_medium_share", 0.07)):
    if key not in rows or abs(rows[key][1] - target) > 1e-12:
        problems.append(f"province_indicators: {key} missing or target != {target}")
for kind, key in (("restoration", "restoration_done_ha"), ("reclamation", "reclamation_done_ha")):
    total = db.execute("SELECT COALESCE(SUM(area_ha), 0) FROM restored_areas WHERE kind=?", (kind,)).fetchone()[0]
    if key in rows and abs(total - rows[key][0]) > 1e-6 * max(1.0, rows[key][0]):
        problems.append(f"restored_areas {kind} sum {total} != province {rows[key][0]}")
    zsum = db.execute(f"SELECT SUM({key}) FROM zone_progress").fetchone()[0]
    zrows = db.execute("SELECT COALESCE(SUM(area_ha),0) FROM restored_areas WHERE kind=? AND zone_name<>''", (kind,)).fetchone()[0]
    if abs(zsum - zrows) > 1e-6 * max(1.0, zsum):
        problems.append(f"zone_progress {key} sum {zsum} != restored_areas in zones {zrows}")
verdicts = {r[0] for r in db.execute("SELECT DISTINCT verdict FROM mine_conflicts")}
if not verdicts <= {"conflict", "clear"}:
    problems.append(f"unexpected verdicts {verdicts}")
n_conf = db.execute("SELECT COUNT(*) FROM mine_conflicts WHERE verdict='conflict'").fetchone()[0]
if "conflict_mines" in rows and n_conf != rows["conflict_mines"][0]:
    problems.append("conflict_mines indicator disagrees with mine_conflicts")
for p in problems:
    print(p)
print(f"contract: {len(problems)} problems")
sys.exit(1 if problems else 0)
