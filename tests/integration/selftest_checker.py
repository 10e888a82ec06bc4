#!/usr/bin/python3
"""Self-test of check_outputs.py, without the engine.

Builds an engine-like output GeoPackage (EPSG:4490, the layers and fields of
contract.md "Outputs") from expected.json, runs the checker on it (everything must
pass), then on copies with one value changed each (exactly that check must fail).

Usage:  /usr/bin/python3 tests/integration/selftest_checker.py [expected.json]
        /usr/bin/python3 tests/integration/selftest_checker.py --write OUT.gpkg [expected.json]
Last line "N passed, M failed" counts the scenarios; exit 1 if any went wrong.
"""
import copy
import io
import json
import os
import sys
import tempfile
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_outputs  # noqa: E402
import gmref  # noqa: E402
from osgeo import gdal, ogr  # noqa: E402


def write_gpkg(path, exp):
    """An output GeoPackage like the engine's, filled from the expected values."""
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    s = gmref.srs(4490)

    def layer(name, gtype, fields):
        lyr = ds.CreateLayer(name, s if gtype != ogr.wkbNone else None, gtype)
        for n, t in fields:
            lyr.CreateField(ogr.FieldDefn(n, t))
        return lyr

    S, R, I = ogr.OFTString, ogr.OFTReal, ogr.OFTInteger
    lyr = layer("mine_conflicts", ogr.wkbMultiPolygon,
                [("mine_id", S), ("name", S), ("scale", S), ("zone_name", S), ("mine_ha", R),
                 ("redline_conflict_ha", R), ("conflict_pct", R), ("redline_ids", S),
                 ("verdict", S)])
    for mid, m in exp["mines"].items():
        f = ogr.Feature(lyr.GetLayerDefn())
        f["mine_id"], f["name"], f["scale"] = mid, m["name"], m["scale"]
        f["zone_name"], f["verdict"] = m["zone_name"], m["verdict"]
        f["mine_ha"], f["redline_conflict_ha"] = m["mine_ha"], m["redline_conflict_ha"]
        f["conflict_pct"] = (100.0 * m["redline_conflict_ha"] / m["mine_ha"]
                             if m["mine_ha"] else 0.0)
        f["redline_ids"] = ",".join(m["redline_ids"])
        lyr.CreateFeature(f)
    lyr = layer("conflict_areas", ogr.wkbMultiPolygon,
                [("mine_id", S), ("redline_id", S), ("category", S), ("area_ha", R)])
    for mid, m in exp["mines"].items():
        for rid, v in m["conflict_areas"].items():
            f = ogr.Feature(lyr.GetLayerDefn())
            f["mine_id"], f["redline_id"] = mid, rid
            f["category"], f["area_ha"] = v["category"], v["area_ha"]
            lyr.CreateFeature(f)
    # a noise row (touching only): must be ignored by the checker
    f = ogr.Feature(lyr.GetLayerDefn())
    f["mine_id"], f["redline_id"] = "C4301812013051120095005", "HX-430181-07"
    f["category"], f["area_ha"] = "water_source", 1.0e-10
    lyr.CreateFeature(f)
    lyr = layer("zone_progress", ogr.wkbMultiPolygon,
                [("zone_id", S), ("name", S), ("restoration_done_ha", R),
                 ("reclamation_done_ha", R), ("mines", I), ("large_medium_mines", I),
                 ("conflict_mines", I)])
    for zid, z in exp["zones"].items():
        f = ogr.Feature(lyr.GetLayerDefn())
        f["zone_id"] = zid
        for k in ("name", "restoration_done_ha", "reclamation_done_ha", "mines",
                  "large_medium_mines", "conflict_mines"):
            f[k] = z[k]
        lyr.CreateFeature(f)
    lyr = layer("restored_areas", ogr.wkbMultiPolygon,
                [("zone_name", S), ("kind", S), ("area_ha", R)])
    for z in exp["zones"].values():
        for kind in ("restoration", "reclamation"):
            f = ogr.Feature(lyr.GetLayerDefn())
            f["zone_name"], f["kind"] = z["name"], kind
            f["area_ha"] = z[kind + "_done_ha"]
            lyr.CreateFeature(f)
    lyr = layer("province_indicators", ogr.wkbNone,
                [("indicator", S), ("value", R), ("target", R), ("unit", S),
                 ("pct_of_target", R)])
    units = {"restoration_done_ha": "ha", "reclamation_done_ha": "ha",
             "large_medium_share": "ratio"}
    for k, unit in units.items():
        f = ogr.Feature(lyr.GetLayerDefn())
        v, t = exp["province"][k], exp["province"]["targets"][k]
        f["indicator"], f["value"], f["target"], f["unit"] = k, v, t, unit
        f["pct_of_target"] = 100.0 * v / t
        lyr.CreateFeature(f)
    ds = None


def run(gpkg, exp_path):
    buf = io.StringIO()
    with redirect_stdout(buf):
        rc = check_outputs.main([gpkg, exp_path])
    return rc, buf.getvalue().strip().splitlines()


def main():
    args = sys.argv[1:]
    if args and args[0] == "--write":
        exp_path = args[2] if len(args) > 2 else os.path.join(HERE, "expected.json")
        with open(exp_path, encoding="utf-8") as fh:
            write_gpkg(args[1], json.load(fh))
        return 0
    exp_path = args[0] if args else os.path.join(HERE, "expected.json")
    with open(exp_path, encoding="utf-8") as fh:
        exp = json.load(fh)
    mid_c = "C4301812009121120052002"     # over three overlapping red lines
    mutations = [
        ("mine_ha +2e-6 relative",
         lambda e: e["mines"][mid_c].__setitem__("mine_ha", e["mines"][mid_c]["mine_ha"] * (1 + 2e-6))),
        ("redline_conflict_ha = sum of overlaps",
         lambda e: e["mines"][mid_c].__setitem__(
             "redline_conflict_ha", sum(v["area_ha"] for v in e["mines"][mid_c]["conflict_areas"].values()))),
        ("verdict flipped",
         lambda e: e["mines"]["C4301812013051120095005"].__setitem__("verdict", "conflict")),
        ("zone_name by centroid",
         lambda e: e["mines"]["C4301812014081120106007"].__setitem__("zone_name", "浏阳市")),
        ("redline_ids unsorted",
         lambda e: e["mines"][mid_c].__setitem__("redline_ids", list(reversed(e["mines"][mid_c]["redline_ids"])))),
        ("zone restoration off by 0.01 ha (x2 layers)",
         lambda e: e["zones"]["430181"].__setitem__("restoration_done_ha", e["zones"]["430181"]["restoration_done_ha"] + 0.01)),
        ("zone conflict_mines + 1",
         lambda e: e["zones"]["431381"].__setitem__("conflict_mines", e["zones"]["431381"]["conflict_mines"] + 1)),
        ("province share without the empty mine",
         lambda e: e["province"].__setitem__("large_medium_share", 8 / 23)),
    ]
    ok = bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        gpkg = os.path.join(tmp, "out.gpkg")
        write_gpkg(gpkg, exp)
        rc, out = run(gpkg, exp_path)
        if rc == 0 and out[-1].endswith(" 0 failed"):
            ok += 1
            print("ok   exact copy of expected.json: %s" % out[-1])
        else:
            bad += 1
            print("FAIL exact copy of expected.json:\n  " + "\n  ".join(out[-10:]))
        base_passed = int(out[-1].split()[0])
        for label, mutate in mutations:
            e = copy.deepcopy(exp)
            mutate(e)
            write_gpkg(gpkg, e)   # the output carries the wrong value
            rc, out = run(gpkg, exp_path)
            nfail = 2 if "(x2 layers)" in label else 1   # zone_progress + restored_areas
            want = "%d passed, %d failed" % (base_passed - nfail, nfail)
            if rc == 1 and out[-1] == want and len(out) == nfail + 2:
                ok += 1
                print("ok   %-40s -> %s" % (label, out[0]))
            else:
                bad += 1
                print("FAIL %-40s -> rc %d, %s (want %s)" % (label, rc, out, want))
    print("%d passed, %d failed" % (ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    gdal.UseExceptions()
    sys.exit(main())
