#!/usr/bin/python3
"""Expected results of greenmine's integration test, computed independently of the engine.

Reads the fixture (tests/integration/data) with OGR, reprojects every layer to CGCS2000
lon/lat (EPSG:4490, OAMS_TRADITIONAL_GIS_ORDER on both ends), repairs invalid geometries
with GEOS MakeValid(METHOD=STRUCTURE) keeping the polygonal parts, overlays with GEOS
(through OGR) and measures every area with pyproj's Geod(ellps="GRS80"), i.e.
GeographicLib's geod_polygonarea (polygon = |outer| - sum |holes|, summed over parts).
The rules are those of /work/shared/docs/contract.md ("Rules of the analysis").

It also recomputes everything with the shortcuts an implementation might take, and
prints how far each lands from the right figures with the checker's tolerance
(1e-6 relative, 1e-6 ha floor): every shortcut must miss at least one checked value,
otherwise this script exits 1 (the fixture would have no teeth).

Usage:  /usr/bin/python3 tests/integration/compute_expected.py [DATADIR] [-o expected.json]
        (default: tests/integration/data -> tests/integration/expected.json)
"""
import argparse
import datetime
import json
import os
import platform
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from osgeo import gdal, ogr, osr  # noqa: E402
import pyproj  # noqa: E402
import shapely  # noqa: E402

import gmref  # noqa: E402
from gmref import area_ha, inter, union_all, polygonal  # noqa: E402

PERIOD = (datetime.date(2016, 1, 1), datetime.date(2020, 12, 31))
TARGETS = {"restoration_done_ha": 2000.0, "reclamation_done_ha": 500.0,
           "large_medium_share": 0.07}


def load(datadir, repair_method="structure"):
    return {
        "zones": gmref.read_layer(os.path.join(datadir, "zones.gdb"), "zones",
                                  repair_method=repair_method),
        "redlines": gmref.read_layer(os.path.join(datadir, "redlines.gpkg"), "redlines",
                                     "redlines", repair_method=repair_method),
        "mines": gmref.read_layer(os.path.join(datadir, "mines.shp"), "mines",
                                  repair_method=repair_method),
        "parcels": gmref.read_layer(os.path.join(datadir, "parcels.geojson"), "parcels",
                                    repair_method=repair_method),
    }


DEFAULT = dict(
    area=lambda g: area_ha(g),       # geometry (in the data's space) -> hectares
    parcel_union=True,               # union of parcels (False: sum them)
    redline_union=True,              # mine ∩ union of red lines (False: sum per red line)
    legacy_required=True,            # restoration needs legacy = true
    unfinished_with_date=False,      # count planned / in-progress parcels that have a date
    undated_counts=False,            # count completed parcels without a date
    start_inclusive=True,
    end_inclusive=True,
    zone_rule="largest",             # largest | centroid | first
    province_from_zones=False,       # province = sum of the zones
    drop_empty_mines=False,          # forget mines with an empty geometry
    unknown_scale_as_small=False,    # a mine without scale counts in the denominator
    noise_ha=gmref.NOISE_HA,         # overlaps below this are zero
)


def qualifies(p, kind, o):
    if gmref.norm(gmref.KIND, p["kind"]) != kind:
        return False
    status = gmref.norm(gmref.STATUS, p["status"])
    date = gmref.parse_date(p["completed_on"])
    if status != "completed":
        if not (o["unfinished_with_date"] and date is not None):
            return False
    if date is None:
        if not (o["undated_counts"] and status == "completed"):
            return False
    else:
        lo = date >= PERIOD[0] if o["start_inclusive"] else date > PERIOD[0]
        hi = date <= PERIOD[1] if o["end_inclusive"] else date < PERIOD[1]
        if not (lo and hi):
            return False
    if kind == "restoration" and o["legacy_required"] and not gmref.truthy(p["legacy"]):
        return False
    return True


def compute(data, **opts):
    o = dict(DEFAULT, **opts)
    A = o["area"]
    noise = o["noise_ha"]
    zones, redlines, mines, parcels = (data["zones"], data["redlines"], data["mines"],
                                       data["parcels"])
    red_union = union_all(r["geom"] for r in redlines)

    # ---- mines ----
    res_mines = {}
    for m in mines:
        g = m["geom"]
        if o["drop_empty_mines"] and g.IsEmpty():
            continue
        overlaps = {}
        for r in redlines:
            a = A(inter(g, r["geom"]))
            if (a >= noise) if noise > 0 else (a > 0):
                overlaps[r["redline_id"]] = {"area_ha": a, "category": r["category"]}
        if o["redline_union"]:
            conflict = A(inter(g, red_union))
        else:
            conflict = sum(v["area_ha"] for v in overlaps.values())
        if conflict < noise:
            conflict = 0.0
        zone_name, best = "", 0.0
        for z in zones:
            if o["zone_rule"] == "centroid":
                if not g.IsEmpty() and g.Centroid().Within(z["geom"]):
                    zone_name = z["name"]
                continue
            a = A(inter(g, z["geom"]))
            if o["zone_rule"] == "first":
                if a >= noise and not zone_name:
                    zone_name = z["name"]
            elif a >= noise and a > best:
                zone_name, best = z["name"], a
        res_mines[m["mine_id"]] = {
            "name": m["name"],
            "scale": gmref.norm(gmref.SCALE, m["scale"]) or "",
            "empty": g.IsEmpty(),
            "mine_ha": A(g),
            "redline_conflict_ha": conflict,
            "verdict": "conflict" if conflict > 0 else "clear",
            "redline_ids": sorted(overlaps),
            "zone_name": zone_name,
            "conflict_areas": {k: overlaps[k] for k in sorted(overlaps)},
        }

    # ---- parcels ----
    qual = {k: [p["geom"] for p in parcels if qualifies(p, k, o)]
            for k in ("restoration", "reclamation")}
    unions = {k: union_all(v) for k, v in qual.items()}

    def done(kind, clip=None):
        if o["parcel_union"]:
            g = unions[kind] if clip is None else inter(unions[kind], clip)
            return A(g)
        return sum(A(p if clip is None else inter(p, clip)) for p in qual[kind])

    # ---- zones ----
    res_zones = {}
    for z in zones:
        zm = [m for m in res_mines.values() if m["zone_name"] == z["name"]]
        res_zones[z["zone_id"]] = {
            "name": z["name"],
            "restoration_done_ha": done("restoration", z["geom"]),
            "reclamation_done_ha": done("reclamation", z["geom"]),
            "mines": len(zm),
            "large_medium_mines": sum(1 for m in zm if m["scale"] in ("large", "medium")),
            "conflict_mines": sum(1 for m in zm if m["verdict"] == "conflict"),
        }

    # ---- province ----
    prov = {}
    for kind in ("restoration", "reclamation"):
        key = kind + "_done_ha"
        prov[key] = (sum(z[key] for z in res_zones.values()) if o["province_from_zones"]
                     else done(kind))
    known = [m for m in res_mines.values()
             if m["scale"] or o["unknown_scale_as_small"]]
    lm = sum(1 for m in known if m["scale"] in ("large", "medium"))
    prov["large_medium_share"] = lm / len(known) if known else 0.0
    prov["mines"] = len(res_mines)
    prov["mines_with_known_scale"] = len(known)
    prov["large_medium_mines"] = lm
    return {"mines": res_mines, "zones": res_zones, "province": prov}


# ----- the values the checker compares ------------------------------------------------
def checked_values(res):
    """path -> value, for every value check_outputs.py compares."""
    out = {}
    for mid, m in res["mines"].items():
        for k in ("mine_ha", "redline_conflict_ha", "verdict", "zone_name", "name"):
            out["mine_conflicts[%s].%s" % (mid, k)] = m[k]
        out["mine_conflicts[%s].redline_ids" % mid] = ",".join(m["redline_ids"])
        for rid, ca in m["conflict_areas"].items():
            out["conflict_areas[%s,%s].area_ha" % (mid, rid)] = ca["area_ha"]
    for zid, z in res["zones"].items():
        for k in ("name", "restoration_done_ha", "reclamation_done_ha", "mines",
                  "large_medium_mines", "conflict_mines"):
            out["zone_progress[%s].%s" % (zid, k)] = z[k]
    for k in ("restoration_done_ha", "reclamation_done_ha", "large_medium_share"):
        out["province_indicators[%s].value" % k] = res["province"][k]
    return out


def differences(wrong, right):
    """[(path, wrong value, right value, relative error)] of checked values that fail."""
    w, r = checked_values(wrong), checked_values(right)
    out = []
    for path in sorted(set(w) | set(r)):
        a, e = w.get(path), r.get(path)
        if isinstance(e, float) and isinstance(a, float):
            if not gmref.close(a, e):
                out.append((path, a, e, gmref.rel_err(a, e)))
        elif a != e:
            out.append((path, a, e, None))
    return out


def strip_holes(data):
    d = dict(data)
    for layer in ("redlines", "parcels"):
        rows = []
        for r in data[layer]:
            r = dict(r)
            g = ogr.Geometry(ogr.wkbMultiPolygon)
            for i in range(r["geom"].GetGeometryCount()):
                pg = ogr.Geometry(ogr.wkbPolygon)
                pg.AddGeometry(r["geom"].GetGeometryRef(i).GetGeometryRef(0))
                g.AddGeometry(pg)
            r["geom"] = polygonal(g.UnionCascaded()) if g.GetGeometryCount() else g
            rows.append(r)
        d[layer] = rows
    return d


def to_crs(data, code):
    d = {}
    for layer, rows in data.items():
        d[layer] = []
        for r in rows:
            r = dict(r)
            if not r["geom"].IsEmpty():
                r["geom"] = gmref.transform(r["geom"], 4490, code)
            d[layer].append(r)
    return d


def versions():
    return {
        "generator": "tests/integration/compute_expected.py (independent of the engine)",
        "python": platform.python_version(),
        "gdal": gdal.__version__,
        "geos": "%d.%d.%d" % (ogr.GetGEOSVersionMajor(), ogr.GetGEOSVersionMinor(),
                              ogr.GetGEOSVersionMicro()),
        "proj": "%d.%d.%d" % (osr.GetPROJVersionMajor(), osr.GetPROJVersionMinor(),
                              osr.GetPROJVersionMicro()),
        "pyproj": pyproj.__version__,
        "pyproj_proj": pyproj.proj_version_str,
        "shapely": shapely.__version__,
        "area": "pyproj.Geod(ellps='GRS80').polygon_area_perimeter (GeographicLib "
                "geod_polygonarea); polygon = |outer| - sum |holes|",
        "overlay": "GEOS through OGR in EPSG:4490 lon/lat; MakeValid METHOD=STRUCTURE",
        "period": [PERIOD[0].isoformat(), PERIOD[1].isoformat()],
        "tolerance": {"relative": gmref.REL_TOL, "absolute_floor_ha": gmref.ABS_FLOOR_HA},
        "noise_ha": gmref.NOISE_HA,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("datadir", nargs="?", default=os.path.join(HERE, "data"))
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "expected.json"))
    args = ap.parse_args()

    data = load(args.datadir)
    right = compute(data)

    # ---- diagnostics on the fixture itself ----
    mines_by_id = {m["mine_id"]: m for m in data["mines"]}
    red_union = union_all(r["geom"] for r in data["redlines"])
    touch = mines_by_id["C4301812013051120095005"]["geom"]
    raw_noise = area_ha(inter(touch, red_union))
    print("touching mine: raw overlap with the red lines after the round trip = %.3g ha "
          "(< %.0e ha: clear)" % (raw_noise, gmref.NOISE_HA))

    # ---- shortcuts: every one must break at least one checked value ----
    gk_area = lambda g: gmref.transform(g, 4490, 4525).GetArea() / 1e4 if not g.IsEmpty() else 0.0  # noqa
    sphere_authalic = pyproj.Geod(a=6371008.8, b=6371008.8)
    sphere_pyproj = pyproj.Geod(ellps="sphere")
    shortcuts = [
        ("sum parcels instead of their union", dict(parcel_union=False)),
        ("sum mine x each red line, not x their union", dict(redline_union=False)),
        ("planar area in Gauss-Kruger EPSG:4525", dict(area=gk_area)),
        ("sphere R=6371008.8 (authalic)", dict(area=lambda g: area_ha(g, sphere_authalic))),
        ("sphere Geod(ellps='sphere') R=6370997", dict(area=lambda g: area_ha(g, sphere_pyproj))),
        ("ignore the legacy flag (restoration)", dict(legacy_required=False)),
        ("count planned/in-progress parcels with a date", dict(unfinished_with_date=True)),
        ("treat 2020-12-31 as outside the period", dict(end_inclusive=False)),
        ("treat 2016-01-01 as outside the period", dict(start_inclusive=False)),
        ("count completed parcels without a date", dict(undated_counts=True)),
        ("zone of a mine by its centroid", dict(zone_rule="centroid")),
        ("zone of a mine = first zone it touches", dict(zone_rule="first")),
        ("province = sum of the zones", dict(province_from_zones=True)),
        ("drop mines with an empty geometry", dict(drop_empty_mines=True)),
        ("count a mine without scale as small", dict(unknown_scale_as_small=True)),
        ("no 1e-6 ha noise threshold", dict(noise_ha=0.0)),
    ]
    rows = []
    for label, opts in shortcuts:
        rows.append((label, differences(compute(data, **opts), right)))
    rows.append(("repair with buffer(0) (drops a bow-tie lobe)",
                 differences(compute(load(args.datadir, "buffer0")), right)))
    rows.append(("ignore holes (red lines, parcels)",
                 differences(compute(strip_holes(data)), right)))

    # an allowed variant that must NOT change the figures: overlay in EPSG:4525
    gk = to_crs(data, 4525)
    variant = differences(compute(gk, area=lambda g: area_ha(gmref.transform(g, 4525, 4490))
                                  if not g.IsEmpty() else 0.0), right)
    w = checked_values(compute(gk, area=lambda g: area_ha(gmref.transform(g, 4525, 4490))
                               if not g.IsEmpty() else 0.0))
    r = checked_values(right)
    var_max = max((gmref.rel_err(w[k], r[k]) for k in r
                   if isinstance(r[k], float) and r[k] != 0), default=0.0)

    print()
    print("%-48s %7s  %-12s  %s" % ("shortcut", "values", "max rel err", "e.g."))
    print("-" * 120)
    toothless = []
    for label, diffs in rows:
        if not diffs:
            toothless.append(label)
            print("%-48s %7d  %-12s  NOT DETECTED" % (label, 0, "-"))
            continue
        num = [d for d in diffs if d[3] is not None]
        mx = max((d[3] for d in num), default=None)
        ex = max(num, key=lambda d: d[3]) if num else diffs[0]
        exs = ("%s %.6f vs %.6f" % (ex[0], ex[1], ex[2]) if ex[3] is not None
               else "%s %r vs %r" % (ex[0], ex[1], ex[2]))
        print("%-48s %7d  %-12s  %s" % (label, len(diffs),
                                         "%.3e" % mx if mx is not None else "(exact)", exs))
    print("-" * 120)
    print("%-48s %7d  %-12s  (allowed variant: must be 0 values off)"
          % ("overlay in EPSG:4525 instead of lon/lat", len(variant), "%.3e" % var_max))

    out = {
        "_header": versions(),
        "mines": right["mines"],
        "zones": right["zones"],
        "province": dict(right["province"], targets=TARGETS),
    }
    with open(args.output, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    p = right["province"]
    print()
    print("wrote %s: %d mines, %d zones; province restoration %.6f ha, reclamation %.6f ha, "
          "large/medium share %d/%d = %.6f" % (
              args.output, len(right["mines"]), len(right["zones"]),
              p["restoration_done_ha"], p["reclamation_done_ha"], p["large_medium_mines"],
              p["mines_with_known_scale"], p["large_medium_share"]))
    if toothless or variant:
        print("FAIL: undetectable shortcuts: %s; variant diffs: %d" % (toothless, len(variant)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
