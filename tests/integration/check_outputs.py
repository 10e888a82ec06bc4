#!/usr/bin/python3
"""Compare greenmine's output GeoPackage with the independent expected values.

Usage:  /usr/bin/python3 tests/integration/check_outputs.py OUT.gpkg [expected.json]
            [--rel 1e-6] [--abs 1e-6]

expected.json defaults to the one beside this script (made by compute_expected.py).
Areas must agree within --rel relative (default 1e-6) with an absolute floor of --abs
hectares (default 1e-6); counts, verdicts, ids, names and zone names must be exact.
One check is counted per compared value; every failed check prints one line; the last
line is exactly "N passed, M failed"; the exit status is 1 when anything failed
(2 when the inputs cannot be read at all).

What is compared (layers of contract.md "Outputs"):
  mine_conflicts       one row per mine (also the empty one, mine_ha 0): name, scale,
                       zone_name, mine_ha, redline_conflict_ha, verdict, redline_ids
                       (comma-separated, sorted); no extra mines; layer CRS = EPSG:4490
  conflict_areas       per mine x red line overlap >= 1e-6 ha: area_ha, category;
                       no extra pairs (rows below 1e-6 ha are ignored as noise)
  zone_progress        per zone: name, restoration_done_ha, reclamation_done_ha, mines,
                       large_medium_mines, conflict_mines
  restored_areas       per zone and kind: the sum of area_ha = the zone's figure
  province_indicators  restoration_done_ha, reclamation_done_ha, large_medium_share:
                       value and target
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import gmref  # noqa: E402
from osgeo import gdal, osr  # noqa: E402


class Checker:
    def __init__(self, rel, floor):
        self.rel, self.floor = rel, floor
        self.passed = 0
        self.failed = 0
        self.lines = []
        self.worst = (0.0, "-")     # largest relative area difference seen, and where

    def fail(self, what, msg):
        self.failed += 1
        self.lines.append("FAIL %s: %s" % (what, msg))

    def ok(self):
        self.passed += 1

    def area(self, what, got, exp):
        try:
            got = None if got is None else float(got)
        except (TypeError, ValueError):
            return self.fail(what, "got %r, expected %.9f" % (got, exp))
        if got is not None and exp != 0 and got == got:
            self.worst = max(self.worst, (gmref.rel_err(got, exp), what))
        if got is not None and gmref.close(got, exp, self.rel, self.floor):
            return self.ok()
        if got is None:
            return self.fail(what, "missing, expected %.9f" % exp)
        self.fail(what, "got %.9f, expected %.9f (diff %.3g, rel %.3g)"
                  % (got, exp, got - exp, gmref.rel_err(got, exp)))

    def exact(self, what, got, exp):
        if got == exp:
            return self.ok()
        self.fail(what, "got %r, expected %r" % (got, exp))

    def count(self, what, got, exp):
        try:
            got = int(got) if got is not None and float(got) == int(float(got)) else got
        except (TypeError, ValueError):
            pass
        self.exact(what, got, exp)


def text(v):
    return "" if v is None else str(v).strip()


def ids(v):
    return [s.strip() for s in text(v).split(",") if s.strip()]


def check(gpkg, exp, rel=gmref.REL_TOL, floor=gmref.ABS_FLOOR_HA):
    c = Checker(rel, floor)
    ds = gdal.OpenEx(gpkg, gdal.OF_VECTOR)
    if ds is None:
        raise OSError("cannot open " + gpkg)

    # ---------------- mine_conflicts ----------------
    rows = gmref.read_output_layer(ds, "mine_conflicts")
    mines = exp["mines"]
    if rows is None:
        c.lines.append("FAIL: no layer mine_conflicts")
        rows = []
    else:
        lyr = ds.GetLayerByName("mine_conflicts")
        s = lyr.GetSpatialRef() if lyr is not None else None
        want = gmref.srs(4490)
        if s is not None and s.IsSame(want, ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES"]):
            c.ok()
        else:
            c.fail("mine_conflicts CRS", "got %s, expected EPSG:4490" %
                   (s.GetName() if s is not None else None))
    by_id = {}
    for r in rows:
        by_id.setdefault(text(r.get("mine_id")), []).append(r)
    for mid in sorted(mines):
        m = mines[mid]
        w = "mine_conflicts[%s]" % mid
        got = by_id.get(mid, [])
        if len(got) != 1:
            c.fail(w, "%d rows, expected 1" % len(got))
        r = got[0] if got else {}
        c.exact(w + ".name", text(r.get("name")) if r else None, m["name"])
        scale = gmref.norm(gmref.SCALE, r.get("scale")) or "" if r else None
        c.exact(w + ".scale", scale, m["scale"])
        c.exact(w + ".zone_name", text(r.get("zone_name")) if r else None, m["zone_name"])
        c.area(w + ".mine_ha", r.get("mine_ha"), m["mine_ha"])
        c.area(w + ".redline_conflict_ha", r.get("redline_conflict_ha"),
               m["redline_conflict_ha"])
        c.exact(w + ".verdict", text(r.get("verdict")) if r else None, m["verdict"])
        c.exact(w + ".redline_ids", ",".join(ids(r.get("redline_ids"))) if r else None,
                ",".join(m["redline_ids"]))
    extra = sorted(set(by_id) - set(mines))
    if extra:
        c.fail("mine_conflicts", "unexpected mines %s" % extra)
    else:
        c.ok()

    # ---------------- conflict_areas ----------------
    rows = gmref.read_output_layer(ds, "conflict_areas")
    if rows is None:
        c.lines.append("FAIL: no layer conflict_areas")
        rows = []
    pairs = {}
    for r in rows:
        try:
            a = float(r.get("area_ha"))
        except (TypeError, ValueError):
            a = float("nan")
        key = (text(r.get("mine_id")), text(r.get("redline_id")))
        p = pairs.setdefault(key, {"area_ha": 0.0, "category": set()})
        p["area_ha"] += a
        p["category"].add(text(r.get("category")))
    expected_pairs = {(mid, rid): v for mid, m in mines.items()
                      for rid, v in m["conflict_areas"].items()}
    for key in sorted(expected_pairs):
        v = expected_pairs[key]
        w = "conflict_areas[%s,%s]" % key
        p = pairs.get(key)
        c.area(w + ".area_ha", p["area_ha"] if p else None, v["area_ha"])
        c.exact(w + ".category", ",".join(sorted(p["category"])) if p else None,
                v["category"])
    extra = sorted(k for k, p in pairs.items()
                   if k not in expected_pairs and not p["area_ha"] < gmref.NOISE_HA)
    if extra:
        c.fail("conflict_areas", "unexpected overlaps %s" % extra)
    else:
        c.ok()

    # ---------------- zone_progress ----------------
    rows = gmref.read_output_layer(ds, "zone_progress")
    if rows is None:
        c.lines.append("FAIL: no layer zone_progress")
        rows = []
    zrows = {}
    for r in rows:
        zrows.setdefault(text(r.get("zone_id")), []).append(r)
    for zid in sorted(exp["zones"]):
        z = exp["zones"][zid]
        w = "zone_progress[%s]" % zid
        got = zrows.get(zid, [])
        if len(got) != 1:
            c.fail(w, "%d rows, expected 1" % len(got))
        r = got[0] if got else {}
        c.exact(w + ".name", text(r.get("name")) if r else None, z["name"])
        for k in ("restoration_done_ha", "reclamation_done_ha"):
            c.area(w + "." + k, r.get(k), z[k])
        for k in ("mines", "large_medium_mines", "conflict_mines"):
            c.count(w + "." + k, r.get(k), z[k])

    # ---------------- restored_areas ----------------
    rows = gmref.read_output_layer(ds, "restored_areas")
    if rows is None:
        c.lines.append("FAIL: no layer restored_areas")
        rows = []
    sums = {}
    for r in rows:
        kind = gmref.norm(gmref.KIND, r.get("kind")) or text(r.get("kind"))
        key = (text(r.get("zone_name")), kind)
        try:
            sums[key] = sums.get(key, 0.0) + float(r.get("area_ha"))
        except (TypeError, ValueError):
            sums[key] = float("nan")
    for zid in sorted(exp["zones"]):
        z = exp["zones"][zid]
        for kind in ("restoration", "reclamation"):
            c.area("restored_areas[%s,%s].area_ha" % (z["name"], kind),
                   sums.get((z["name"], kind), 0.0), z[kind + "_done_ha"])

    # ---------------- province_indicators ----------------
    rows = gmref.read_output_layer(ds, "province_indicators")
    if rows is None:
        c.lines.append("FAIL: no layer province_indicators")
        rows = []
    ind = {}
    for r in rows:
        ind.setdefault(text(r.get("indicator")), []).append(r)
    prov = exp["province"]
    for k in ("restoration_done_ha", "reclamation_done_ha", "large_medium_share"):
        w = "province_indicators[%s]" % k
        got = ind.get(k, [])
        if len(got) != 1:
            c.fail(w, "%d rows, expected 1" % len(got))
        r = got[0] if got else {}
        c.area(w + ".value", r.get("value"), prov[k])
        c.area(w + ".target", r.get("target"), prov["targets"][k])
    return c


def main(argv=None, default_rel=gmref.REL_TOL):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gpkg")
    ap.add_argument("expected", nargs="?", default=os.path.join(HERE, "expected.json"))
    ap.add_argument("--rel", type=float, default=default_rel)
    ap.add_argument("--abs", type=float, default=gmref.ABS_FLOOR_HA)
    args = ap.parse_args(argv)
    try:
        with open(args.expected, encoding="utf-8") as fh:
            exp = json.load(fh)
        c = check(args.gpkg, exp, args.rel, args.abs)
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        print("error: %s" % e)
        print("0 passed, 1 failed")
        return 2
    for line in c.lines:
        print(line)
    if c.lines and not c.failed:   # a missing layer with nothing expected in it
        c.failed += 1
    print("largest relative area difference: %.3e (%s)" % c.worst)
    print("%d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
