#!/usr/bin/env python3
"""check_postgis.py -- data and comparator for test_check_postgis.sh.

  check_postgis.py make DIR
      writes a small deterministic data set into DIR: redlines.gpkg (irregular
      red lines overlapping in pairs, long-edged rectangles, two of them
      overlapping), zones.gpkg, mines.gpkg, apps.gpkg (applications inside a
      red line, across two overlapping ones, touching one, near ones,
      long-edged 1-3 km rectangles, far ones), corners/*.txt (corner-point
      files in CGCS2000 3-degree zone 37 with the zone prefix, one with two
      blocks and a hole) and corners_gk.gpkg (the same polygons in EPSG:4525,
      for PostGIS: ogr2ogr transforms them, not the engine).
  check_postgis.py compare ENGINE.json POSTGIS.json BUFFER
      compares `greenmine check --json` with the PostGIS figures
      (test_check_postgis.sql): area_ha, redline_overlap_ha, each red line's
      overlap_ha, mine overlaps, zone, verdict (1e-4 relative, 1e-6 ha floor:
      the JSON's precision) and the nearest red line's distance_m (1e-4
      relative or 0.05 m). Prints the largest differences with and without
      densifying in PostGIS; last line "N passed, M failed".
"""
import json
import math
import os
import random
import sys

REL = 1e-4
FLOOR_HA = 1e-6  # JSON hectares have 6 decimals; GM_NOISE_HA
DIST_ABS = 0.05
NOISE_HA = 1e-6


# ---------------------------------------------------------------- make ------
def make(out):
    from osgeo import ogr, osr
    from pyproj import Transformer

    os.makedirs(os.path.join(out, "corners"), exist_ok=True)
    rng = random.Random(20240603)

    def create(path, layer, fields, epsg=4490):
        if os.path.exists(path):
            os.remove(path)
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        lyr = ds.CreateLayer(layer, srs, ogr.wkbUnknown)
        for f in fields:
            lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
        return ds, lyr

    def add(lyr, values, wkt):
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in enumerate(values):
            f.SetField(k, v)
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)

    def rect(x0, y0, x1, y1):
        """four corners only: long edges are geodesics to the engine"""
        return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"

    def blob(cx, cy, r, n=48):
        ph = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
        pts = []
        for k in range(n):
            t = 2 * math.pi * k / n
            rr = r * (1 + 0.25 * math.sin(3 * t + ph[0]) + 0.1 * math.sin(7 * t + ph[1])
                      + 0.05 * math.sin(17 * t + ph[2]))
            pts.append((cx + rr * math.cos(t) / math.cos(math.radians(cy)), cy + rr * math.sin(t)))
        pts.append(pts[0])
        return "POLYGON((" + ",".join(f"{x:.7f} {y:.7f}" for x, y in pts) + "))"

    def m2lon(m, lat):
        return m / (111320.0 * math.cos(math.radians(lat)))

    # ---- red lines
    CATS = ["nature_reserve", "water_source", "forest_park", "wetland_park", "scenic_area"]
    redlines = []  # (id, wkt)
    RA = (112.05, 28.05, 112.10, 28.08)  # ~4.9 x 3.3 km
    RB = (112.08, 28.06, 112.14, 28.10)  # overlaps RA
    RC = (112.25, 28.20, 112.31, 28.23)  # alone, 5.9 km edges
    for name, r in (("RA", RA), ("RB", RB), ("RC", RC)):
        redlines.append((name, rect(*r)))
    pairs = []
    for k, (cx, cy) in enumerate([(112.30, 28.06), (112.18, 28.15), (112.05, 28.22), (112.36, 28.27)]):
        r = rng.uniform(0.010, 0.018)
        t = rng.uniform(0, 2 * math.pi)
        c2 = (cx + 0.9 * r * math.cos(t) / math.cos(math.radians(cy)), cy + 0.9 * r * math.sin(t))
        redlines.append((f"P{k}a", blob(cx, cy, r)))
        redlines.append((f"P{k}b", blob(c2[0], c2[1], r * rng.uniform(0.8, 1.1))))
        pairs.append(((cx, cy), c2, r))
    ds, lyr = create(os.path.join(out, "redlines.gpkg"), "redlines", ["红线编号", "名称", "类型"])
    for i, (rid, wkt) in enumerate(redlines):
        add(lyr, (rid, f"红线{rid}", CATS[i % len(CATS)]), wkt)
    ds = None

    # ---- zones (the east one stops at 28.30: applications north of it lie in none)
    ds, lyr = create(os.path.join(out, "zones.gpkg"), "zones", ["名称"])
    add(lyr, ("浏阳市",), rect(111.90, 27.90, 112.20, 28.40))
    add(lyr, ("醴陵市",), rect(112.20, 27.90, 112.50, 28.30))
    ds = None

    # ---- existing mines
    mines = [("C4300002018001", (112.15, 28.02, 112.17, 28.04)),
             ("C4300002018002", (112.33, 28.12, 112.36, 28.14)),
             ("C4300002018003", (112.09, 28.04, 112.11, 28.055)),  # across RA's south edge
             ("C4300002018004", (112.22, 28.25, 112.24, 28.27))]
    ds, lyr = create(os.path.join(out, "mines.gpkg"), "mines", ["采矿许可证号"])
    for mid, r in mines:
        add(lyr, (mid,), rect(*r))
    ds = None

    # ---- applications
    apps = []

    def app(kind, wkt):
        apps.append((f"{kind}-{len(apps) + 1:02d}", wkt))

    def box(cx, cy, w_m, h_m):
        dx, dy = m2lon(w_m / 2, cy), h_m / 2 / 110900.0
        return rect(cx - dx, cy - dy, cx + dx, cy + dy)

    for (c1, c2, r) in pairs:  # inside one red line (its centre)
        app("inside", box(c1[0], c1[1], rng.uniform(200, 500), rng.uniform(200, 500)))
    app("inside", box(112.28, 28.215, 400, 300))
    for (c1, c2, r) in pairs:  # across two overlapping ones
        app("across", box((c1[0] + c2[0]) / 2, (c1[1] + c2[1]) / 2,
                          rng.uniform(1000, 2500), rng.uniform(1000, 2500)))
    app("across", rect(112.07, 28.065, 112.095, 28.075))  # RA x RB
    # touching: shared meridian edges (meridians are geodesics), a shared corner
    x0, y0, x1, y1 = RC
    app("touch", rect(x1, 28.205, x1 + 0.012, 28.215))
    x0a, y0a, x1a, y1a = RA
    app("touch", rect(x0a - 0.015, 28.055, x0a, 28.07))
    app("touch", rect(x1, y1, x1 + 0.01, y1 + 0.008))  # RC's NE corner only
    # on RC's top parallel: RC's 5.9 km top edge is a geodesic bowing ~0.3 m
    # north of the parallel, this 1 km edge far less: a real overlap (sliver)
    app("sliver", rect(112.275, y1, 112.285, y1 + 0.008))
    # under RC's bottom parallel: a gap of up to ~0.3 m, not touching
    app("gap", rect(112.275, y0 - 0.008, 112.285, y0))
    # near: east of meridian edges at 10-280 m
    for k in range(4):
        d = 10 + 90 * k
        app("near", rect(x1 + m2lon(d, 28.21), 28.201 + 0.006 * k, x1 + m2lon(d, 28.21) + 0.01,
                         28.204 + 0.006 * k))
    for k in range(3):
        d = 20 + 110 * k
        xs = RB[2] + m2lon(d, 28.08)
        app("near", rect(xs, 28.07 + 0.008 * k, xs + 0.008, 28.075 + 0.008 * k))
    for (c1, c2, r) in pairs:  # beside an irregular pair: near, clear or conflict
        t = rng.uniform(0, 2 * math.pi)
        rr = 1.45 * r
        cx, cy = c1[0] + rr * math.cos(t) / math.cos(math.radians(c1[1])), c1[1] + rr * math.sin(t)
        app("beside", box(cx, cy, rng.uniform(300, 700), rng.uniform(300, 700)))
    # long-edged rectangles, 1-3 km, anywhere in the region
    for k in range(24):
        cx, cy = rng.uniform(112.02, 112.38), rng.uniform(28.02, 28.30)
        app("long", box(cx, cy, rng.uniform(1000, 3000), rng.uniform(1000, 3000)))
    for mid, (a, b, c, d) in mines[:3]:  # over existing mines
        app("mine", box(c, (b + d) / 2, rng.uniform(1000, 2000), rng.uniform(800, 1500)))
    app("far", box(112.45, 28.45, 800, 600))
    app("far", box(112.20, 28.38, 1500, 900))
    ds, lyr = create(os.path.join(out, "apps.gpkg"), "apps", ["mine_id"])
    for aid, wkt in apps:
        add(lyr, (aid,), wkt)
    ds = None

    # ---- corner-point files, CGCS2000 3-degree zone 37 (CM 111E), prefixed eastings
    to_gk = Transformer.from_crs(4490, 4525, always_xy=True)
    files = []  # (stem, [blocks of [rings of (X, Y)]])

    def gk_rect(lon, lat, w, h):
        e, n = to_gk.transform(lon, lat)
        e, n = round(e, 2), round(n, 2)
        return [(n, e), (n, e + w), (n + h, e + w), (n + h, e)]

    spots = [(112.09, 28.07), (112.29, 28.22), (112.175, 28.145), (112.14, 28.11),
             (112.31, 28.19), (112.155, 28.025), (112.40, 28.02)]
    for k, (lon, lat) in enumerate(spots):
        files.append((f"申请-{k + 1:02d}", [[gk_rect(lon, lat, round(rng.uniform(1000, 3000), 2),
                                                    round(rng.uniform(1000, 3000), 2))]]))
    outer = gk_rect(112.11, 28.085, 2400.0, 1800.0)
    n0, e0 = outer[0]
    hole = [(n0 + 500, e0 + 600), (n0 + 500, e0 + 1400), (n0 + 1200, e0 + 1400), (n0 + 1200, e0 + 600)]
    files.append(("申请-双块段", [[outer, hole], [gk_rect(112.30, 28.05, 1200.0, 900.0)]]))

    ds, lyr = create(os.path.join(out, "corners_gk.gpkg"), "corners", ["mine_id"], 4525)
    for stem, blocks in files:
        lines = []
        for b, rings in enumerate(blocks):
            for h, ring in enumerate(rings):  # holes numbered from 101
                for k, (x, y) in enumerate(ring + ring[:1]):
                    lines.append(f"J{k % len(ring) + 1 + 100 * h} {x:.2f} {y:.2f}")
            lines.append(f"*,,+500,+200,,{b + 1}")
        with open(os.path.join(out, "corners", stem + ".txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        polys = []
        for rings in blocks:
            polys.append("(" + ",".join(
                "(" + ",".join(f"{y:.2f} {x:.2f}" for x, y in ring + ring[:1]) + ")"
                for ring in rings) + ")")
        add(lyr, (stem,), "MULTIPOLYGON(" + ",".join(polys) + ")")
    ds = None
    print(f"{len(redlines)} red lines, {len(apps)} applications, {len(files)} corner-point files -> {out}")


# ------------------------------------------------------------- compare ------
def compare(engine_path, pg_path, buffer_m):
    eng = {a["id"]: a for a in json.load(open(engine_path, encoding="utf-8"))["applications"]}
    pg = {a["id"]: a for a in json.load(open(pg_path, encoding="utf-8"))}
    passed = failed = 0
    worst = {"seg": (0.0, ""), "raw": (0.0, "")}
    worst_d = {"seg": (0.0, ""), "raw": (0.0, "")}
    verdicts = {}
    raw_verdict_diff = []

    def ok(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    def rel(a, b):
        return abs(a - b) / max(abs(a), abs(b)) if max(abs(a), abs(b)) > 0 else 0.0

    def track(key, aid, e, s, r):
        """largest relative difference, engine vs densified / plain PostGIS"""
        if s > FLOOR_HA and r < 1e-3 * s:  # a sliver (close_ha): listed apart
            return
        if max(abs(e), abs(s)) >= 1e-4:  # >= 1 m2: relative figures mean something
            if rel(e, s) > worst["seg"][0]:
                worst["seg"] = (rel(e, s), f"{aid} {key}")
            if rel(e, r) > worst["raw"][0]:
                worst["raw"] = (rel(e, r), f"{aid} {key}")

    slivers = []

    def close_ha(a, b, raw=None, what=""):
        # An overlap that exists only along geodesic edges (none between the
        # straight lon/lat edges, `raw`) is a sliver as wide as the bow of a
        # long edge; PostGIS segmentizes along great circles of a sphere, whose
        # bows are e'2 cos2(lat) (0.5 %) flatter than the ellipsoid's geodesics
        # the engine follows: such slivers get 1 % and are listed.
        if raw is not None and b > FLOOR_HA and raw < 1e-3 * b:
            slivers.append(f"{what} {a} vs {b:.6f} ({rel(a, b):.2e})")
            return abs(a - b) <= 1e-2 * max(abs(a), abs(b)) + FLOOR_HA
        return abs(a - b) <= REL * max(abs(a), abs(b)) + FLOOR_HA

    def verdict(overlap_ha, dist):
        if overlap_ha >= NOISE_HA:
            return "conflict"
        if buffer_m > 0 and dist is not None and dist <= buffer_m:
            return "near"
        return "clear"

    ok(set(eng) == set(pg), f"ids differ: engine only {sorted(set(eng) - set(pg))}, "
                            f"PostGIS only {sorted(set(pg) - set(eng))}")
    for aid in sorted(set(eng) & set(pg)):
        e, p = eng[aid], pg[aid]
        ok(close_ha(e["area_ha"], p["area_ha"]), f"{aid}: area_ha {e['area_ha']} vs {p['area_ha']}")
        track("area_ha", aid, e["area_ha"], p["area_ha"], p["area_ha"])
        ok(close_ha(e["redline_overlap_ha"], p["overlap_ha"], p["overlap_raw_ha"], f"{aid} overlap"),
           f"{aid}: redline_overlap_ha {e['redline_overlap_ha']} vs {p['overlap_ha']} "
           f"(not densified: {p['overlap_raw_ha']})")
        track("redline_overlap_ha", aid, e["redline_overlap_ha"], p["overlap_ha"], p["overlap_raw_ha"])
        # each red line's own overlap (PostGIS lists every red line it touches)
        own_e = {r["id"]: r["overlap_ha"] for r in e["redlines"]}
        own_p = {k: v for k, v in (p["redlines"] or {}).items()}
        for rid in sorted(set(own_e) | set(own_p)):
            s, r = own_p.get(rid, [0.0, 0.0])
            if rid not in own_e and s < NOISE_HA:
                continue  # touching only: the engine lists no red line
            ev = own_e.get(rid, 0.0)
            ok(close_ha(ev, s, r, f"{aid} {rid}"), f"{aid}: red line {rid} overlap_ha {ev} vs {s} (not densified: {r})")
            track(f"red line {rid}", aid, ev, s, r)
        # existing mines
        mo_e = {m["mine_id"]: m["overlap_ha"] for m in e["mine_overlaps"]}
        mo_p = {k: v for k, v in (p["mines"] or {}).items() if v[0] >= NOISE_HA}
        ok(set(mo_e) == set(mo_p), f"{aid}: mines {sorted(mo_e)} vs {sorted(mo_p)}")
        for mid in set(mo_e) & set(mo_p):
            ok(close_ha(mo_e[mid], mo_p[mid][0], mo_p[mid][1], f"{aid} {mid}"), f"{aid}: mine {mid} {mo_e[mid]} vs {mo_p[mid][0]}")
            track(f"mine {mid}", aid, mo_e[mid], mo_p[mid][0], mo_p[mid][1])
        ok(e["zone"] == p["zone"], f"{aid}: zone {e['zone']} vs {p['zone']}")
        # the nearest red line (PostGIS: over all red lines; the engine searches 5 km)
        nid, d_seg, d_raw = p["nearest"] if p["nearest"] else (None, None, None)
        ne = e["nearest_redline"]
        if d_seg is not None and d_seg < 4990:
            if ne is None:
                ok(False, f"{aid}: no nearest red line, PostGIS {nid} at {d_seg:.3f} m")
            else:
                de = ne["distance_m"]
                ok(abs(de - d_seg) <= max(REL * d_seg, DIST_ABS),
                   f"{aid}: distance_m {de} vs {d_seg:.4f} (not densified {d_raw:.4f})")
                ok(ne["id"] == nid or abs(de - d_seg) <= DIST_ABS,
                   f"{aid}: nearest {ne['id']} vs {nid}")
                for k, d in (("seg", d_seg), ("raw", d_raw)):
                    if abs(de - d) > worst_d[k][0]:
                        worst_d[k] = (abs(de - d), f"{aid} ({de:.3f} m)")
        elif d_seg is not None and d_seg > 5010:
            ok(ne is None, f"{aid}: nearest {ne} beyond the 5 km search radius ({d_seg:.1f} m)")
        v = verdict(p["overlap_ha"], d_seg)
        ok(e["verdict"] == v, f"{aid}: verdict {e['verdict']} vs {v}")
        verdicts[v] = verdicts.get(v, 0) + 1
        if verdict(p["overlap_raw_ha"], d_raw) != v:
            raw_verdict_diff.append(f"{aid} ({v} / not densified: {verdict(p['overlap_raw_ha'], d_raw)})")
    # the data set must exercise every verdict, else the test proves little
    for v, least in (("conflict", 10), ("near", 8), ("clear", 5)):
        ok(verdicts.get(v, 0) >= least, f"only {verdicts.get(v, 0)} {v} applications (want >= {least})")
    ok(any(m["mine_overlaps"] for m in eng.values()), "no application overlaps an existing mine")
    print("verdicts (PostGIS): " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    print(f"largest relative difference of hectares, engine vs PostGIS with ST_Segmentize(geog, 50): "
          f"{worst['seg'][0]:.2e} ({worst['seg'][1]})")
    print(f"largest relative difference of hectares, engine vs PostGIS without densifying:          "
          f"{worst['raw'][0]:.2e} ({worst['raw'][1]})")
    print(f"largest distance difference, densified: {worst_d['seg'][0]:.4f} m ({worst_d['seg'][1]}); "
          f"not densified: {worst_d['raw'][0]:.4f} m ({worst_d['raw'][1]})")
    print(f"overlaps only along geodesic edges, none between lon/lat lines (1 % tolerance): {len(slivers)}"
          + (" -- " + "; ".join(slivers) if slivers else ""))
    print(f"verdicts that PostGIS without densifying would give differently: {len(raw_verdict_diff)}"
          + (" -- " + ", ".join(raw_verdict_diff) if raw_verdict_diff else ""))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], float(sys.argv[4])))
    else:
        sys.exit(__doc__)
