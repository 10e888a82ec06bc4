#!/usr/bin/python3
"""Three yearly snapshots for the registry tests, and their expected progress.

  fixture.py make DIR            writes DIR/{zones,mines,redlines}.gpkg and
                                 DIR/parcels_{2018,2019,2020}.gpkg (EPSG:4490)
  fixture.py check PROGRESS.json compares `greenmine progress --json` with the
                                 figures computed here by hand (exit 1 on a miss)

Every parcel is a lon/lat rectangle; the expected areas are the closed-form
ellipsoidal areas of such rectangles (authalic latitude band formula, as in
tests/unit/testutil.h band_area_ha), never the engine's. The only union is
P1 and P2, which overlap and together form one rectangle.
"""
import json
import math
import sys

A = 6378137.0
F = 1 / 298.257222101
STEP = 0.0005  # densify the parallels so that geodesic edges hug them


def band_ha(lon0, lat0, lon1, lat1):
    e2 = F * (2 - F)
    e = math.sqrt(e2)
    b = A * (1 - F)

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - e2 * s * s) + math.atanh(e * s) / e

    return b * b * math.radians(lon1 - lon0) / 2 * (q(lat1) - q(lat0)) / 1e4


def rect_wkt(lon0, lat0, lon1, lat1):
    k0, k1 = round(lon0 / STEP), round(lon1 / STEP)
    pts = [(k * STEP, lat0) for k in range(k0, k1 + 1)]
    pts += [(k * STEP, lat1) for k in range(k1, k0 - 1, -1)]
    pts.append(pts[0])
    return "POLYGON((" + ",".join("%.10f %.10f" % p for p in pts) + "))"


Z1 = (113.000, 28.000, 113.200, 28.200)  # 浏阳市, carries its own targets
Z2 = (113.300, 28.600, 113.500, 28.800)  # 平江县, none
P1 = (113.010, 28.010, 113.015, 28.015)
P2 = (113.013, 28.010, 113.018, 28.015)  # overlaps P1: union = U12
U12 = (113.010, 28.010, 113.018, 28.015)
P3a = (113.310, 28.610, 113.314, 28.614)
P3b = (113.310, 28.610, 113.316, 28.614)  # P3 grown in 2019
P4 = (113.050, 28.050, 113.054, 28.054)
P5 = (113.320, 28.620, 113.323, 28.623)
P7 = (113.330, 28.630, 113.335, 28.635)
P9 = (113.100, 28.100, 113.106, 28.104)
P10 = (113.700, 28.900, 113.703, 28.903)  # outside every zone
ZONE_TARGETS = {"浏阳市": (100.0, 20.0), "平江县": (None, None)}

# id, rect, kind, status, completed_on, legacy
Y2018 = [
    ("P1", P1, "restoration", "completed", "2017-05-01", 1),
    ("P2", P2, "restoration", "completed", "2018-06-30", 1),
    ("P3", P3a, "reclamation", "completed", "2018-12-31", 0),  # the period's last day
    ("P4", P4, "restoration", "in_progress", None, 1),
    ("P5", P5, "restoration", "completed", "2018-03-01", 0),  # not legacy: not counted
]
Y2019 = [
    ("P1", P1, "restoration", "completed", "2017-05-01", 1),
    ("P1", P1, "restoration", "completed", "2017-05-01", 1),  # duplicated in the file
    ("P2", P2, "restoration", "completed", "2018-06-30", 1),
    ("P3", P3b, "reclamation", "completed", "2018-12-31", 0),  # geometry changed
    ("P4", P4, "restoration", "completed", "2019-08-01", 1),  # attributes changed
    ("P5", P5, "restoration", "completed", "2018-03-01", 0),
    ("P7", P7, "restoration", "completed", "2019-03-01", 1),
    ("P8", P9, "reclamation", "completed", "2020-02-01", 0),  # completed after the as-of
]
Y2020 = [
    ("P1", P1, "restoration", "completed", "2017-05-01", 1),
    ("P2", P2, "restoration", "completed", "2018-06-30", 1),
    ("P3", P3b, "reclamation", "completed", "2018-12-31", 0),
    ("P4", P4, "restoration", "completed", "2019-08-01", 1),
    ("P7", P7, "restoration", "completed", "2019-03-01", 1),  # P5 dropped
    ("P8", P9, "reclamation", "completed", "2020-02-01", 0),
    ("P9", P9, "reclamation", "completed", "2020-12-31", 0),  # same place as P8: once
    ("P10", P10, "restoration", "completed", "2020-01-15", 1),
]

M1 = (113.100, 28.150, 113.110, 28.160)
M2 = (113.400, 28.700, 113.410, 28.706)
M3 = (113.150, 28.010, 113.154, 28.013)
R1 = (113.105, 28.150, 113.120, 28.170)  # covers the east half of M1


def expected():
    """{as_of: {area: (restoration_ha, reclamation_ha)}}, area None = province."""
    a = band_ha
    s2018 = {None: (a(*U12), a(*P3a)), "浏阳市": (a(*U12), 0.0), "平江县": (0.0, a(*P3a))}
    s2019 = {None: (a(*U12) + a(*P4) + a(*P7), a(*P3b)),
             "浏阳市": (a(*U12) + a(*P4), 0.0), "平江县": (a(*P7), a(*P3b))}
    s2020 = {None: (a(*U12) + a(*P4) + a(*P7) + a(*P10), a(*P3b) + a(*P9)),
             "浏阳市": (a(*U12) + a(*P4), a(*P9)), "平江县": (a(*P7), a(*P3b))}
    return {"2018-12-31": s2018, "2019-12-31": s2019, "2020-12-31": s2020}


def write_layer(path, name, fields, rows):
    from osgeo import ogr, osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs, ogr.wkbPolygon)
    for f, t in fields:
        lyr.CreateField(ogr.FieldDefn(f, t))
    for attrs, rect in rows:
        feat = ogr.Feature(lyr.GetLayerDefn())
        for (f, _), v in zip(fields, attrs):
            if v is not None:
                feat.SetField(f, v)
        feat.SetGeometry(ogr.CreateGeometryFromWkt(rect_wkt(*rect)))
        lyr.CreateFeature(feat)
    ds = None


def make(d):
    from osgeo import ogr
    S, I, R = ogr.OFTString, ogr.OFTInteger, ogr.OFTReal
    write_layer(d + "/zones.gpkg", "zones",
                [("zone_id", S), ("name", S), ("restoration_target", R), ("reclamation_target", R)],
                [(("Z1", "浏阳市", 100.0, 20.0), Z1), (("Z2", "平江县", None, None), Z2)])
    mines = [(("M1", "一号矿", "large", "producing", 1), M1),
             (("M2", "二号矿", "medium", "producing", 0), M2),
             (("M3", "三号矿", "small", "producing", 1), M3)]
    write_layer(d + "/mines.gpkg", "mines",
                [("mine_id", S), ("name", S), ("scale", S), ("status", S), ("green", I)], mines)
    mines[1] = (("M2", "二号矿", "medium", "producing", 1), M2)  # converted in 2020
    write_layer(d + "/mines_2020.gpkg", "mines",
                [("mine_id", S), ("name", S), ("scale", S), ("status", S), ("green", I)], mines)
    write_layer(d + "/redlines.gpkg", "redlines",
                [("redline_id", S), ("name", S), ("category", S)],
                [(("HX1", "自然保护区", "nature_reserve"), R1)])
    for year, rows in (("2018", Y2018), ("2019", Y2019), ("2020", Y2020)):
        write_layer(d + "/parcels_%s.gpkg" % year, "parcels",
                    [("parcel_id", S), ("kind", S), ("status", S), ("completed_on", S),
                     ("legacy", I)],
                    [((i, k, s, c, l), r) for i, r, k, s, c, l in rows])


def check(path):
    series = json.load(open(path))["series"]
    exp = expected()
    fails = passed = 0
    prev = {}

    def close(got, want, what):
        nonlocal fails, passed
        if abs(got - want) <= 1e-7 * max(abs(want), 1e-3):
            passed += 1
        else:
            fails += 1
            print("FAIL %s: got %.9f, expected %.9f" % (what, got, want))

    seen = set()
    for row in series:
        key = (row["as_of"], row["zone"])
        want = exp[row["as_of"]][row["zone"]]
        seen.add(key)
        for k, name in enumerate(("restoration", "reclamation")):
            close(row[name + "_done_ha"], want[k], "%s %s %s_done_ha" % (key + (name,)))
            inc = want[k] - prev.get((row["zone"], k), 0.0)
            close(row[name + "_increment_ha"], inc, "%s %s %s_increment_ha" % (key + (name,)))
            prev[(row["zone"], k)] = want[k]
        tgt = ZONE_TARGETS.get(row["zone"], (2000.0, 500.0))
        for k, name in enumerate(("restoration", "reclamation")):
            if row[name + "_target_ha"] != tgt[k]:
                fails += 1
                print("FAIL %s %s target %r, expected %r" % (key + (name, row[name + "_target_ha"], tgt[k])))
        if row["zone"] is None:
            green = 2 if row["as_of"] < "2020" else 3
            if (row["green_mines"], row["mines"], row["large_medium_mines"]) != (green, 3, 2):
                fails += 1
                print("FAIL %s green/mines/large_medium %r" % (key, (row["green_mines"], row["mines"], row["large_medium_mines"])))
    want_keys = {(d, z) for d in exp for z in exp[d]}
    if seen != want_keys:
        fails += 1
        print("FAIL rows: got %s, expected %s" % (sorted(seen, key=str), sorted(want_keys, key=str)))
    print("%d passed, %d failed" % (passed, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2]))
    else:
        sys.exit(__doc__)
