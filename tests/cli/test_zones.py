#!/usr/bin/env python3
"""test_zones.py GREENMINE WORKDIR -- zone partitions compose exactly.

Runs `greenmine analyze --no-rasters` whole and once per zone partition (--zone NAME for
every zone, and --zone - for the rest of the province), on two data sets:

  demo     data/demo as shipped (its eight zones touch but do not overlap);
  overlap  data/demo with a ninth zone, Z09, first in the zones layer, overlapping
           浏阳市 (Z03) and 平江县 (Z06) and reaching beyond both -- a GeoPackage
           written here;

and adds the partitions' GeoPackages up: every mine in exactly one partition with the
whole run's row; each zone partition's zone_progress row is the whole run's row for
that zone (all fields, 1e-9 relative), '-' has none; the province's hectares and counts
are the sums of the partitions' (1e-9 relative); a partition's restored areas lie in
its zone (outside every zone for '-'). On `overlap` it also runs one tile
(--tile 1:113,28) whole and split by --zone, which must add up to the tile.

Then, independently of the engine (OGR/GEOS overlays and pyproj geodesic areas through
tests/integration/gmref.py): each mine's partition is its zone by the contract's rule
(largest part; a tie -- a mine inside two overlapping zones -- goes to the zone first in
the layer); and in `overlap` each zone partition's province share is the area of the
union of qualifying parcels inside the zone minus the zones before it in the layer, and
its zone row is the full clip to the zone (so the overlap counts in both zone rows but
once in the province).
"""
import datetime
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from osgeo import ogr, osr  # noqa: E402
import gmref  # noqa: E402

gm, work = sys.argv[1], sys.argv[2]
demo = os.path.join(HERE, "..", "..", "data", "demo")
os.makedirs(work, exist_ok=True)
fails = []
PERIOD = (datetime.date(2016, 1, 1), datetime.date(2020, 12, 31))
ZONE_FIELDS = ["zone_id", "name", "restoration_done_ha", "reclamation_done_ha", "mines",
               "large_medium_mines", "conflict_mines", "zone_ha"]
PROVINCE = ["restoration_done_ha", "reclamation_done_ha", "mines", "large_medium_mines",
            "conflict_mines", "redline_conflict_ha"]


def close(a, b, tol=1e-9):
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return a == b
    return abs(a - b) <= tol * max(abs(a), abs(b), 1.0)


def run(out, inputs, extra):
    subprocess.run([gm, "analyze", "--quiet", "--no-rasters", "--threads", "2", "-o", out]
                   + inputs + extra, check=True, stderr=subprocess.DEVNULL)
    ds = ogr.Open(out)
    mines = {f["mine_id"]: (f["mine_ha"], f["redline_conflict_ha"], f["zone_name"],
                            f["redline_ids"], f["verdict"], f["scale"],
                            f.GetGeometryRef() is not None)
             for f in ds.GetLayerByName("mine_conflicts")}
    zones = {f["zone_id"]: [f[k] for k in ZONE_FIELDS] for f in ds.GetLayerByName("zone_progress")}
    prov = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    restored = [(f["zone_name"], f["kind"], f.GetGeometryRef().Clone())
                for f in ds.GetLayerByName("restored_areas") if f.GetGeometryRef()]
    # the zones as the engine holds them (densified along their geodesics)
    shapes = {f["name"]: f.GetGeometryRef().Clone() for f in ds.GetLayerByName("zone_progress")}
    return mines, zones, prov, restored, shapes


def lonlat_zones(path):
    return [(z["zone_id"], z["name"], z["geom"]) for z in gmref.read_layer(path, "zones")]


def compose(label, inputs, zones, extra=(), whole=None):
    """Runs every partition (with `extra` options), checks they add up to `whole`."""
    extra = list(extra)
    if whole is None:
        whole = run(f"{work}/{label}_whole.gpkg", inputs, extra)
    parts = {}
    for name in [z[1] for z in zones] + ["-"]:
        tag = "rest" if name == "-" else name
        parts[name] = run(f"{work}/{label}_{tag}.gpkg", inputs, extra + ["--zone", name])
    seen = {}
    geom = whole[4]  # the zones' regions as the engine cut the parcels
    for name, (m, z, p, restored, _) in parts.items():
        for k, v in m.items():
            if k in seen:
                fails.append(f"{label}: mine {k} in partitions {seen[k][0]} and {name}")
            seen[k] = (name, v)
            if v[2] != ("" if name == "-" else name) and not (name == "-" and v[2] is None):
                fails.append(f"{label}: mine {k} (zone {v[2]!r}) in partition {name}")
        zid = [z_[0] for z_ in zones if z_[1] == name]
        if name == "-":
            if z:
                fails.append(f"{label}: partition - has zone rows {sorted(z)}")
        elif set(z) != set(zid):
            fails.append(f"{label}: partition {name} has zone rows {sorted(z)}, want {zid}")
        else:
            for a, b, what in zip(z[zid[0]], whole[1][zid[0]], ZONE_FIELDS):
                if not close(a, b):
                    fails.append(f"{label}: zone {name} {what}: partition {a!r}, whole {b!r}")
        # restored areas inside the partition's region
        for zn, kind, g in restored:
            if name == "-":
                inside = sum(gmref.area_ha(gmref.inter(g, zg)) for zg in geom.values())
                if zn or inside > 1e-6:
                    fails.append(f"{label}: partition -: restored area {zn!r} {kind}, "
                                 f"{inside} ha inside the zones")
            else:
                out = gmref.area_ha(gmref.polygonal(g.Difference(geom[name])))
                if zn != name or out > 1e-6:
                    fails.append(f"{label}: partition {name}: restored area {zn!r} {kind}, "
                                 f"{out} ha outside the zone")
    if set(seen) != set(whole[0]):
        fails.append(f"{label}: partitions hold {len(seen)} mines, the whole run "
                     f"{len(whole[0])}; differing {sorted(set(seen) ^ set(whole[0]))[:5]}")
    for k in set(seen) & set(whole[0]):
        a, b = seen[k][1], whole[0][k]
        if not all(close(x, y) for x, y in zip(a, b)):
            fails.append(f"{label}: mine {k}: partition {seen[k][0]} {a} vs whole {b}")
    for k in PROVINCE:
        s = sum(p[2][k] for p in parts.values())
        if not close(s, whole[2][k]):
            fails.append(f"{label}: province {k}: sum of partitions {s!r}, whole {whole[2][k]!r}")
    print(f"{label}: {len(seen)} mines in {len(parts)} partitions; restoration "
          f"{whole[2]['restoration_done_ha']:.6f} ha whole, "
          f"{sum(p[2]['restoration_done_ha'] for p in parts.values()):.6f} summed")
    return whole, parts, {k: v[0] for k, v in seen.items()}


# ---- the fixture: the demo's zones and Z09 overlapping Z03 and Z06 ----------------------
def rectangle(x0, y0, x1, y1, step=0.0004):
    """A lon/lat rectangle with a vertex every `step` degrees (< 50 m), so that chords and
    geodesics agree and the reference's overlay matches the engine's."""
    ring = ogr.Geometry(ogr.wkbLinearRing)
    nx, ny = int(math.ceil((x1 - x0) / step)), int(math.ceil((y1 - y0) / step))
    pts = ([(x0 + (x1 - x0) * i / nx, y0) for i in range(nx)]
           + [(x1, y0 + (y1 - y0) * i / ny) for i in range(ny)]
           + [(x1 - (x1 - x0) * i / nx, y1) for i in range(nx)]
           + [(x0, y1 - (y1 - y0) * i / ny) for i in range(ny)] + [(x0, y0)])
    for x, y in pts:
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    return poly


demo_zones = lonlat_zones(f"{demo}/zones.geojson")
overlap_zones = [("Z09", "浏平交界", rectangle(113.45, 28.25, 113.85, 29.15))] + demo_zones
zpath = f"{work}/zones_overlap.gpkg"
if os.path.exists(zpath):
    os.remove(zpath)
srs = osr.SpatialReference()
srs.ImportFromEPSG(4490)
srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ds = ogr.GetDriverByName("GPKG").CreateDataSource(zpath)
lyr = ds.CreateLayer("zones", srs, ogr.wkbMultiPolygon)
lyr.CreateField(ogr.FieldDefn("编号", ogr.OFTString))
lyr.CreateField(ogr.FieldDefn("名称", ogr.OFTString))
for zid, name, g in overlap_zones:
    f = ogr.Feature(lyr.GetLayerDefn())
    f["编号"], f["名称"] = zid, name
    f.SetGeometry(ogr.ForceToMultiPolygon(g))
    lyr.CreateFeature(f)
ds = lyr = None

common = ["--mines", f"{demo}/mines.shp", "--redlines", f"{demo}/redlines.gpkg",
          "--parcels", f"{demo}/parcels.gpkg", "--allow-duplicate-ids"]  # the demo's repeated TBBH
compose("demo", common + ["--zones", f"{demo}/zones.geojson"], demo_zones)
ov_inputs = common + ["--zones", zpath]
ov_whole, ov_parts, ov_where = compose("overlap", ov_inputs, overlap_zones)
# --zone within --tile: the zone partitions of a tile add up to the tile
tile = ["--tile", "1:113,28"]
compose("tile", ov_inputs, overlap_zones, tile, run(f"{work}/tile_whole.gpkg", ov_inputs, tile))

# ---- bad NAMEs: exit 2, one line naming the zone and listing the zones, no output --------
for name, want in (("长沙市", ["长沙市", "Z03 浏阳市", "Z08 衡南县", "- for the rest"]),
                   ("", ["--zone"]), ("z03", ["z03", "Z03 浏阳市"])):
    out = f"{work}/bad.gpkg"
    r = subprocess.run([gm, "analyze", "--no-rasters", "-o", out, "--zone", name] + common
                       + ["--zones", f"{demo}/zones.geojson"], capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    errs = [ln for ln in lines if ln.startswith("greenmine: error:")]
    if r.returncode != 2 or len(errs) != 1 or not all(w in errs[0] for w in want) \
            or os.path.exists(out):
        fails.append(f"--zone {name!r}: exit {r.returncode}, errors {errs}")
    else:
        print(f"--zone {name!r}: {errs[0]}")
r = subprocess.run([gm, "demo", "--zone", "Z03", "-o", f"{work}/demo"], capture_output=True,
                   text=True)
if r.returncode != 2 or "--zone is for 'analyze'" not in r.stderr:
    fails.append(f"demo --zone: exit {r.returncode}, {r.stderr.strip()}")

# ---- the reference, independent of the engine -------------------------------------------
mines = gmref.read_layer(f"{demo}/mines.shp", "mines")
for m in mines:
    g, best, zone = m["geom"], gmref.NOISE_HA, "-"
    for _, name, zg in overlap_zones:  # in layer order: a tie stays with the first
        if g.IsEmpty() or not g.Intersects(zg):
            continue
        a = gmref.area_ha(gmref.inter(g, zg))
        if a > best * (1 + 1e-9):
            best, zone = a, name
    if ov_where.get(m["mine_id"]) != zone:
        fails.append(f"reference: mine {m['mine_id']} belongs to {zone}, "
                     f"the engine put it in {ov_where.get(m['mine_id'])}")
in_both = [m["mine_id"] for m in mines if not m["geom"].IsEmpty()
           and m["geom"].Within(overlap_zones[0][2]) and any(
               m["geom"].Within(z[2]) for z in overlap_zones[1:])]
if not in_both:
    fails.append("reference: no mine lies inside two zones: the tie rule is untested")


def qualifies(p, kind):
    date = gmref.parse_date(p["completed_on"])
    return (gmref.norm(gmref.KIND, p["kind"]) == kind and date is not None
            and gmref.norm(gmref.STATUS, p["status"]) == "completed"
            and PERIOD[0] <= date <= PERIOD[1]
            and (kind == "reclamation" or gmref.truthy(p["legacy"])))


parcels = gmref.read_layer(f"{demo}/parcels.gpkg", "parcels")
z09 = overlap_zones[0][2]
near = [z for z in overlap_zones if z[2].Intersects(z09)]  # Z09 and the zones it meets
tol = 2e-5  # relative: GEOS cuts on lon/lat chords, the engine on densified geodesics
for kind in ("restoration", "reclamation"):
    mp = ogr.Geometry(ogr.wkbMultiPolygon)
    for p in parcels:
        if qualifies(p, kind) and any(p["geom"].Intersects(z[2]) for z in near):
            for i in range(p["geom"].GetGeometryCount()):
                mp.AddGeometry(p["geom"].GetGeometryRef(i))
    u = gmref.polygonal(mp.UnionCascaded())
    twice = gmref.area_ha(gmref.inter(u, z09.Intersection(
        gmref.union_all(z[2] for z in near[1:]))))
    if twice < 1.0:
        fails.append(f"reference: only {twice} ha of {kind} in the overlap: the test has no teeth")
    before = ogr.Geometry(ogr.wkbMultiPolygon)
    for zid, name, zg in overlap_zones:
        if zg.Intersects(z09):
            clip = gmref.inter(u, zg)
            full, share = gmref.area_ha(clip), gmref.area_ha(gmref.polygonal(
                clip.Difference(before)) if not before.IsEmpty() else clip)
            row = ov_parts[name][1][zid][2 if kind == "restoration" else 3]
            prov = ov_parts[name][2][f"{kind}_done_ha"]
            if not gmref.close(row, full, tol, 1e-4):
                fails.append(f"reference: zone {name} {kind}: row {row}, full clip {full}")
            if not gmref.close(prov, share, tol, 1e-4):
                fails.append(f"reference: partition {name} {kind}: province {prov}, "
                             f"share {share} (full clip {full})")
            print(f"{kind:12s} {zid} {name}: zone row {row:.6f} (reference {full:.6f}), "
                  f"province share {prov:.6f} (reference {share:.6f})")
        before = gmref.polygonal(before.Union(zg))
    print(f"{kind}: {twice:.4f} ha lie in Z09 and another zone (counted in both zone rows, "
          f"once in the province)")
print(f"{len(in_both)} mines inside Z09 and another zone: {in_both[:5]}")

for f in fails[:30]:
    print("FAIL:", f)
sys.exit(1 if fails else 0)
