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
