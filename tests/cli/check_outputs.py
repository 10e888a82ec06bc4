#!/usr/bin/python3
"""Checks the outputs `greenmine analyze` writes beside the GeoPackage for
QGIS: both GDAL validators, the rasters' structure, the coverage sums against
independently computed vector areas, and the GeoPackage's styles, titles and
provenance.

Expected areas come from shapely unions of the GeoPackage's polygons and
pyproj's geodesic area (GeographicLib): nothing of the engine's raster code.

Usage: check_outputs.py OUTPUT_DIR INPUT_DIR   (prints per-zone figures)
"""
import glob
import hashlib
import json
import os
import sqlite3
import subprocess
import sys

import numpy as np
from osgeo import gdal, ogr, osr
from pyproj import Geod
from shapely import wkb
from shapely.ops import unary_union

gdal.UseExceptions()
out_dir, in_dir = sys.argv[1], sys.argv[2]
gpkg = os.path.join(out_dir, "greenmine.gpkg")
samples = "/usr/lib/python3/dist-packages/osgeo_utils/samples"
geod = Geod(ellps="GRS80")
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def geodesic_ha(geom):
    return abs(geod.geometry_area_perimeter(geom)[0]) / 1e4


# ---- validators -------------------------------------------------------------
for cmd in (["validate_gpkg.py", gpkg],
            ["validate_cloud_optimized_geotiff.py", os.path.join(out_dir, "restoration_coverage.tif")],
            ["validate_cloud_optimized_geotiff.py", os.path.join(out_dir, "redline_conflict.tif")]):
    p = subprocess.run(["/usr/bin/python3", os.path.join(samples, cmd[0]), cmd[1]],
                       capture_output=True, text=True)
    print(f"{cmd[0]} {os.path.basename(cmd[1])}: rc {p.returncode} {p.stdout.strip().splitlines()[:1]}")
    check(p.returncode == 0, f"{cmd[0]} {cmd[1]}: {p.stdout} {p.stderr}")

# ---- vector truth, lon/lat ----------------------------------------------------
ds = ogr.Open(gpkg)


def polygons(layer, where=None):
    lyr = ds.GetLayerByName(layer)
    lyr.SetAttributeFilter(where)
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        out.append((f, wkb.loads(bytes(g.ExportToWkb())) if g else None))
    lyr.SetAttributeFilter(None)
    return out


zones = {f.GetField("name"): g for f, g in polygons("zone_progress")}
restored = {}
for f, g in polygons("restored_areas", "zone_name <> ''"):
    restored.setdefault(f.GetField("zone_name"), []).append(g)

# ---- rasters --------------------------------------------------------------------
# Raster sums (fraction x cell area in the equal-area grid) against the
# geodesic areas of the vector unions: the fractions are exact, the cells
# Float32 (2^-24 relative each, rounding both ways), and the grid's straight
# edges between densified vertices differ from the geodesic by ~1e-9: the
# demo's sums agree to ~1e-8, so 1e-6 leaves room and still catches a lost
# or doubled row of cells (~1e-3).
SUM_TOL = 1e-6
def open_raster(name):
    r = gdal.Open(os.path.join(out_dir, name))
    b = r.GetRasterBand(1)
    check(b.DataType == gdal.GDT_Float32, f"{name}: not Float32")
    check(b.GetNoDataValue() == -9999, f"{name}: nodata {b.GetNoDataValue()}")
    check(b.GetBlockSize() == [512, 512], f"{name}: blocks {b.GetBlockSize()}")
    st = r.GetMetadata("IMAGE_STRUCTURE")
    check(st.get("COMPRESSION") == "DEFLATE" and st.get("PREDICTOR") == "3",
          f"{name}: compression {st}")
    check(b.GetOverviewCount() >= 3, f"{name}: {b.GetOverviewCount()} overviews")
    gt = r.GetGeoTransform()
    check(gt[2] == 0 and gt[4] == 0 and gt[1] == -gt[5], f"{name}: not north-up square cells")
    srs = r.GetSpatialRef()
    check("+proj=aea" in srs.ExportToProj4() and "+lat_1=25" in srs.ExportToProj4(),
          f"{name}: CRS {srs.ExportToProj4()}")
    # AVERAGE overviews stay within 0..1 (CUBIC would overshoot)
    for i in range(b.GetOverviewCount()):
        a = b.GetOverview(i).ReadAsArray()
        v = a[a != -9999]
        check(v.size == 0 or (v.min() >= 0 and v.max() <= 1), f"{name}: overview {i} outside 0..1")
    return r


def zone_mask(r, geom_ll):
    """Cells the zone polygon touches (GDAL ALL_TOUCHED), in the raster's grid."""
    mem = gdal.GetDriverByName("MEM").Create("", r.RasterXSize, r.RasterYSize, 1, gdal.GDT_Byte)
    mem.SetGeoTransform(r.GetGeoTransform())
    mem.SetSpatialRef(r.GetSpatialRef())
    vds = ogr.GetDriverByName("Memory").CreateDataSource("")
    ll = osr.SpatialReference()
    ll.ImportFromEPSG(4490)
    ll.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = vds.CreateLayer("z", ll, ogr.wkbMultiPolygon)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkb(geom_ll.wkb))
    lyr.CreateFeature(f)
    gdal.RasterizeLayer(mem, [1], lyr, burn_values=[1], options=["ALL_TOUCHED=TRUE"])
    return mem.GetRasterBand(1).ReadAsArray().astype(bool)


cov = open_raster("restoration_coverage.tif")
a = cov.GetRasterBand(1).ReadAsArray()
cell_area = cov.GetGeoTransform()[1] ** 2
valid = a != -9999
check(valid.any() and (a[valid] >= 0).all() and (a[valid] <= 1).all(), "coverage: values outside 0..1")
print(f"coverage raster: {cov.RasterXSize} x {cov.RasterYSize}, {cov.GetGeoTransform()[1]:g} m cells, "
      f"{valid.sum()} data cells, {(a[valid] > 0).sum()} covered, {(a[valid] == 1).sum()} full")
# Zones that touch share boundary cells, and such a cell's value holds the
# restoration of both zones. So per zone: raster sum over the cells the zone
# touches, minus the other zones' restoration inside the cells it shares with
# them (computed here with shapely on those few cells, in the raster's CRS),
# must equal the geodesic area of the zone's own union. The uncorrected sum is
# printed too.
import shapely.ops
from pyproj import Transformer
from shapely.geometry import box
to_grid = Transformer.from_crs("EPSG:4490", cov.GetSpatialRef().ExportToWkt(), always_xy=True)
grid_union = {n: shapely.ops.transform(to_grid.transform, unary_union(p)) for n, p in restored.items()}
masks = {n: zone_mask(cov, g) for n, g in zones.items()}
gt = cov.GetGeoTransform()
worst = 0.0
for name, zgeom in sorted(zones.items()):
    pieces = restored.get(name, [])
    expected = geodesic_ha(unary_union(pieces)) if pieces else 0.0
    mask = masks[name]
    check(not (mask & ~valid).sum() > 0.001 * mask.sum(),
          f"{name}: {(mask & ~valid).sum()} zone cells are nodata")
    got = float(np.where(valid & mask, a, 0).astype(np.float64).sum()) * cell_area / 1e4
    others = np.zeros_like(mask)
    for n, m in masks.items():
        if n != name:
            others |= m
    shared = mask & others
    foreign = 0.0
    if shared.any():
        rows, cols = np.nonzero(shared)
        strip = unary_union([box(gt[0] + c * gt[1], gt[3] + (r + 1) * gt[5],
                                 gt[0] + (c + 1) * gt[1], gt[3] + r * gt[5])
                             for r, c in zip(rows, cols)])
        other_r = unary_union([g for n, g in grid_union.items() if n != name])
        if name in grid_union:
            other_r = other_r.difference(grid_union[name])
        foreign = strip.intersection(other_r).area / 1e4  # cells are disjoint
    raw = (got - expected) / expected if expected else got
    err = (got - foreign - expected) / expected if expected else got - foreign
    worst = max(worst, abs(err))
    print(f"  {name}: raster {got:.4f} ha ({shared.sum()} cells shared with a touching zone "
          f"hold {foreign:.4f} ha of its restoration), vector union {expected:.4f} ha, "
          f"error {err:+.2e} (uncorrected {100 * raw:+.3f} %)")
    check(abs(err) <= SUM_TOL, f"{name}: coverage sum {got - foreign:.6f} ha vs {expected:.6f} ha ({err:+.2e})")
total_expected = geodesic_ha(unary_union([g for gs in restored.values() for g in gs]))
total = float(np.where(valid, a, 0).astype(np.float64).sum()) * cell_area / 1e4
print(f"  all zones: raster {total:.4f} ha, vector {total_expected:.4f} ha, "
      f"error {(total - total_expected) / total_expected:+.2e}; worst zone {worst:.2e}")
check(abs(total - total_expected) <= SUM_TOL * total_expected, "coverage: province sum")
# outside every zone: nodata (a corner of the grid far from the zones)
far = cov.GetRasterBand(1).ReadAsArray(0, 0, 1, 1)[0, 0]
check(far == -9999 or zone_mask(cov, unary_union(list(zones.values())))[0, 0],
      "coverage: grid corner outside the zones is not nodata")
del a

con = open_raster("redline_conflict.tif")
c = con.GetRasterBand(1).ReadAsArray()
cvalid = c != -9999
conflict_expected = geodesic_ha(unary_union([g for _, g in polygons("conflict_areas") if g]))
conflict = float(np.where(cvalid, c, 0).astype(np.float64).sum()) * con.GetGeoTransform()[1] ** 2 / 1e4
print(f"conflict raster: {conflict:.4f} ha, vector union of conflict_areas {conflict_expected:.4f} ha, "
      f"error {(conflict - conflict_expected) / conflict_expected:+.2e}")
check(abs(conflict - conflict_expected) <= SUM_TOL * conflict_expected, "conflict raster sum")
del c
for tif in ("restoration_coverage", "redline_conflict"):
    q = os.path.join(out_dir, tif + ".qml")
    check(os.path.exists(q) and "singlebandpseudocolor" in open(q, encoding="utf-8").read(),
          f"{q}: missing or not a pseudocolour style")

# ---- GeoPackage: styles, titles, provenance ------------------------------------
db = sqlite3.connect(gpkg)
rows = db.execute("SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                  "useAsDefault, styleQML FROM layer_styles").fetchall()
check(sorted(r[2] for r in rows) == sorted(["mine_conflicts", "conflict_areas", "zone_progress",
                                            "restored_areas", "province_indicators"]),
      f"layer_styles rows {[r[2] for r in rows]}")
for cat, schema, table, geomcol, default, qml in rows:
    check(cat == "" and schema == "", f"layer_styles {table}: catalog/schema {cat!r}/{schema!r}")
    check(geomcol == ("" if table == "province_indicators" else "geom"), f"{table}: geometry column {geomcol!r}")
    check(default == 1 and qml.startswith("<!DOCTYPE qgis"), f"{table}: default {default}")
check(db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
      == ("attributes",), "layer_styles not registered as attributes")
names = [r[0] for r in db.execute("SELECT name FROM gpkg_data_columns")]
check(len(names) == len(set(names)) and len(names) >= 25, f"gpkg_data_columns names: {len(names)}, unique {len(set(names))}")
check(db.execute("SELECT title FROM gpkg_data_columns WHERE table_name = 'mine_conflicts' AND "
                 "column_name = 'redline_conflict_ha'").fetchone() == ("红线冲突面积(公顷)",),
      "gpkg_data_columns: no title for redline_conflict_ha")
md = db.execute("SELECT m.metadata, m.mime_type, r.reference_scope FROM gpkg_metadata m JOIN "
                "gpkg_metadata_reference r ON r.md_file_id = m.id WHERE m.md_standard_uri = "
                "'urn:greenmine:provenance:1'").fetchall()
if check(len(md) == 1 and md[0][1] == "application/json" and md[0][2] == "geopackage",
         f"provenance rows {[(x[1], x[2]) for x in md]}"):
    prov = json.loads(md[0][0])
    check(prov["engine"] == "greenmine" and prov["engine_version"], "provenance: engine")
    check(prov["as_of"] and prov["period_start"] and prov["run_started"].endswith("Z"), "provenance: dates")
    check(prov["targets"]["restoration_done_ha"] == 2000, "provenance: targets")
    check([i["kind"] for i in prov["inputs"]] == ["mines", "redlines", "parcels", "zones"], "provenance: inputs")
    for i in prov["inputs"]:
        src = i["source"].split(":")[0] if not os.path.exists(i["source"]) else i["source"]
        stem = os.path.splitext(src)[0]
        files = sorted(glob.glob(stem + ".*"), key=os.path.basename) if src.endswith(".shp") else [src]
        digests = [hashlib.sha256(open(p, "rb").read()).hexdigest() for p in files]
        expected = digests[0] if len(files) == 1 else hashlib.sha256("".join(
            f"{d}  {os.path.basename(p)}\n" for d, p in zip(digests, files)).encode()).hexdigest()
        check(i["sha256"] == expected, f"provenance: {i['kind']} sha256 {i['sha256']} != {expected} ({files})")
        check(i["features"] > 0 and i["crs"] and i["layer"], f"provenance: {i['kind']} incomplete")
    print(f"provenance: greenmine {prov['engine_version']}, as of {prov['as_of']}, "
          + ", ".join(f"{i['kind']} {i['features']} [{i['crs']}] {i['sha256'][:12]}" for i in prov["inputs"]))
qgs = open(os.path.join(out_dir, "greenmine.qgs"), encoding="utf-8").read()
check("./greenmine.gpkg|layername=mine_conflicts" in qgs and "./restoration_coverage.tif" in qgs,
      "project: relative layer sources missing")

for p in problems:
    print("FAIL:", p)
print(f"check_outputs: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
