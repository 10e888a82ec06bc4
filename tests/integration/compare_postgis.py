#!/usr/bin/python3
"""Compare greenmine's output (or expected.json) with the PostGIS geography reference.

Usage:
  /usr/bin/python3 tests/integration/compare_postgis.py OUT.gpkg postgis.json [--rel 1e-4]
      the engine's output GeoPackage against scripts/postgis_reference.sh's JSON, with the
      same checks as check_outputs.py but areas within 1e-4 relative (1e-6 ha floor).
  /usr/bin/python3 tests/integration/compare_postgis.py --json A.json B.json [--rel 1e-6]
      two reference JSON files against each other (e.g. expected.json vs postgis.json):
      every value check_outputs.py compares, plus the largest relative area difference.
Last line "N passed, M failed"; exit 1 if anything failed.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_outputs  # noqa: E402
import gmref  # noqa: E402


def flat(res):
    """The values check_outputs.py compares, keyed by path."""
    out = {}
    for mid, m in res["mines"].items():
        for k in ("name", "scale", "zone_name", "mine_ha", "redline_conflict_ha", "verdict"):
            out["mine_conflicts[%s].%s" % (mid, k)] = m[k]
        out["mine_conflicts[%s].redline_ids" % mid] = ",".join(m["redline_ids"])
        for rid, v in m["conflict_areas"].items():
            out["conflict_areas[%s,%s].area_ha" % (mid, rid)] = v["area_ha"]
            out["conflict_areas[%s,%s].category" % (mid, rid)] = v["category"]
    for zid, z in res["zones"].items():
        for k in ("name", "restoration_done_ha", "reclamation_done_ha", "mines",
                  "large_medium_mines", "conflict_mines"):
            out["zone_progress[%s].%s" % (zid, k)] = z[k]
    for k in ("restoration_done_ha", "reclamation_done_ha", "large_medium_share"):
        out["province_indicators[%s].value" % k] = res["province"][k]
    return out


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def compare_json(a_path, b_path, rel):
    with open(a_path, encoding="utf-8") as fh:
        a = flat(json.load(fh))
    with open(b_path, encoding="utf-8") as fh:
        b = flat(json.load(fh))
    passed = failed = 0
    worst = (0.0, None)
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if isinstance(x, float) or isinstance(y, float):
            if not (_num(x) and _num(y)):
                ok = False
            else:
                ok = gmref.close(float(x), float(y), rel)
                if y != 0:
                    worst = max(worst, (gmref.rel_err(float(x), float(y)), k))
        else:
            ok = x == y
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %r vs %r" % (k, x, y))
    print("largest relative area difference: %.3e (%s)" % worst)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="compare two JSON files")
    ap.add_argument("first")
    ap.add_argument("second")
    ap.add_argument("--rel", type=float, default=None)
    args = ap.parse_args()
    if args.json:
        return compare_json(args.first, args.second, args.rel or gmref.REL_TOL)
    return check_outputs.main([args.first, args.second, "--rel", str(args.rel or 1e-4)])


if __name__ == "__main__":
    sys.exit(main())
