#!/usr/bin/python3
"""The management fixture (tests/data/management) end to end, every figure
computed by hand in this file -- never taken from greenmine's own output.

  test_management_figures.py GREENMINE WORKDIR [PG:CONNINFO]

With a PG: connection (an empty PostGIS database), the registry is there
instead of a SpatiaLite file (tests/management/test_management_pg.sh).

Builds a registry: three snapshots (2017, 2018, 2019 year ends) of the
fixture's layers; the 12 licences, the example three-rate thresholds, the
events of 2017-2019; three corrections (a spot check entered as 'fail' that
was a pass, a three-rate figure mistyped, a self-assessment entered by
mistake and withdrawn); then a file of rule violations that must record
nothing. Then compares with the hand figures:

  - `progress --indicators --json/--csv --as-of D` for 2017-12-31,
    2018-12-31, 2019-06-30 and 2019-12-31, every area (province, 3 zones,
    2 cities, 3 counties);
  - `progress --json` hectares per snapshot and zone (closed-form areas);
  - `yearly --csv` (province 2019 and 2018, county 浏阳市, city 常德市 2019), and
    the HTML as Chromium renders it (figures in data-*, A4 print, one file);
  - `list --csv` and `list -o .gpkg` (who is listed on a date, only public
    columns, the boundaries' areas, the QGIS default style).

The licences, short names used below (county, city, zone by geometry):
  LY1 ...031001 coal L        浏阳市 长沙市 zone 浏阳市   existing
  LY2 ...052002 nonferrous M  浏阳市                      existing
  LY3 ...123003 nonmetal S    浏阳市                      existing
  LY4 ...180004 chemical M    浏阳市                      NEW, licensed 2018-03-01
  LX1 ...021005 nonmetal L    澧县 常德市 zone 澧县      existing
  LX2 ...130006 sand_gravel S 澧县                        existing
  LX3 ...180007 cement M      澧县                        NEW, licensed 2018-06-15
  LX4 ...090008 coal M        澧县                        existing
  SM1 ...070009 ferrous L     石门县 常德市 (no zone)     existing
  SM2 ...130010 precious M    石门县                      existing
  SM3 ...190011 stone S       石门县                      NEW, licensed 2019-02-01
  SM4 ...060012 chemical L    石门县                      existing
Zone 慈利县 holds no mine.
"""
import csv
import io
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "management")
fails = checks = 0

LIC = {
    "LY1": "C4301812009071120031001", "LY2": "C4301812010031120052002",
    "LY3": "C4301812011121120123003", "LY4": "C4301812018031120180004",
    "LX1": "C4307232008051120021005", "LX2": "C4307232012061120130006",
    "LX3": "C4307232018061120180007", "LX4": "C4307232009111120090008",
    "SM1": "C4307262007081120070009", "SM2": "C4307262013041120130010",
    "SM3": "C4307262019021120190011", "SM4": "C4307262006091120060012",
}


def check(ok, what):
    global fails, checks
    checks += 1
    if not ok:
        fails += 1
        print("FAIL " + what)
    return ok


def same(got, want, what, tol=0.0):
    if want is None or got is None:
        check(got is None and want is None, "%s: got %r, want %r" % (what, got, want))
    elif isinstance(want, float) or tol:
        check(abs(float(got) - want) <= tol + 1e-9, "%s: got %r, want %r" % (what, got, want))
    else:
        check(got == want, "%s: got %r, want %r" % (what, got, want))


# ---- closed-form areas ---------------------------------------------------
# A lon/lat rectangle's area on GRS 80 between two parallels: the authalic
# band formula, A = b^2/2 * dlon * [f(phi2) - f(phi1)],
# f(phi) = sin/(1 - e^2 sin^2) + 1/(2e) ln((1 + e sin)/(1 - e sin)).
# The engine joins the corners by geodesics; on these 200-600 m edges the
# geodesic lunes of the north and south edges cancel to < 0.01 m^2.
A_GRS80 = 6378137.0
F_GRS80 = 1 / 298.257222101
E2 = F_GRS80 * (2 - F_GRS80)
E = math.sqrt(E2)


def rect_ha(x0, y0, x1, y1):
    def f(phi):
        s = math.sin(math.radians(phi))
        return s / (1 - E2 * s * s) + math.log((1 + E * s) / (1 - E * s)) / (2 * E)
    b2 = A_GRS80 * A_GRS80 * (1 - E2)
    return b2 / 2 * math.radians(x1 - x0) * (f(y1) - f(y0)) / 1e4


P1 = rect_ha(113.600, 28.200, 113.602, 28.202)   # 浏阳市 restoration, 2017-06-30
P2 = rect_ha(111.800, 29.650, 111.802, 29.652)   # 澧县 reclamation, 2017-09-01
P3 = rect_ha(113.620, 28.200, 113.624, 28.202)   # 浏阳市 restoration, 2018-05-01
P4 = rect_ha(111.000, 29.350, 111.003, 29.352)   # 慈利县 restoration, 2018-10-01
P5 = rect_ha(111.750, 29.660, 111.753, 29.663)   # 澧县 restoration, in progress 2018, done 2019-07-01
P6 = rect_ha(111.450, 29.500, 111.454, 29.502)   # outside the zones, reclamation 2019-08-01
P3u7 = rect_ha(113.620, 28.200, 113.626, 28.202)  # P7 overlaps half of P3: counted once
# The union of P3 and P7 is not quite this one rectangle: the engine joins
# each input's corners by geodesics (50 m steps, then their union in lon/lat),
# so the union's long edges follow two arcs of 400 m spans, not one of 600 m;
# they part by at most a 400 m arc's sagitta, L^2 tan(phi) / 8N = 1.7 mm, over
# 600 m: at most 1 m^2. Figures that hold it are compared within 1e-4 ha.
UNION_TOL = 1e-4
# not counted ever: P8 (restoration, not legacy), P9 (completed 2015-12-31, before the period)
HECTARES = {  # (as_of, zone or None) -> (restoration, reclamation)
    ("2017-12-31", None): (P1, P2), ("2017-12-31", "浏阳市"): (P1, 0.0),
    ("2017-12-31", "澧县"): (0.0, P2), ("2017-12-31", "慈利县"): (0.0, 0.0),
    ("2018-12-31", None): (P1 + P3 + P4, P2), ("2018-12-31", "浏阳市"): (P1 + P3, 0.0),
    ("2018-12-31", "澧县"): (0.0, P2), ("2018-12-31", "慈利县"): (P4, 0.0),
    ("2019-12-31", None): (P1 + P3u7 + P4 + P5, P2 + P6),
    ("2019-12-31", "浏阳市"): (P1 + P3u7, 0.0), ("2019-12-31", "澧县"): (P5, P2),
    ("2019-12-31", "慈利县"): (P4, 0.0),
}
# a mine is a 0.005 x 0.005 degree square from its south-west corner
MINE_HA = {k: rect_ha(x, y, x + 0.005, y + 0.005) for k, (x, y) in {
    "LY1": (113.55, 28.15), "LY2": (113.58, 28.15), "LY3": (113.61, 28.15),
    "LX1": (111.70, 29.60), "LX2": (111.73, 29.60), "LX3": (111.76, 29.60),
    "SM1": (111.30, 29.58), "SM4": (111.36, 29.58)}.items()}


# ---- the indicators, by hand --------------------------------------------
def area(licences, listed, existing, new, built, rates, spot_year, spot_all, black, standing,
         industry=None):
    """One area's figures. existing = (large, medium, small) of the listed
    existing mines; rates = (mines, reported, judged, compliant); spot_* =
    (done, failed); standing = (none, assessed, verified, listed, blacklisted);
    industry = {code: (judged, compliant)} of the large and medium mines."""
    return dict(licences=licences, listed=listed, existing=existing, new=new, built=built,
                rates=rates, spot_year=spot_year, spot_all=spot_all, black=black,
                standing=standing, industry=industry or {})


EXPECTED = {
    # 2017-12-31: LY4, LX3, SM3 not yet licensed: 9 licences. Listed (batch
    # 2017-1, 12-15): LX1, SM4, both large and existing. LY1 self-assessed and
    # passed its verification (11-20): verified. LY2 and LX4 self-assessed
    # only: assessed. LY3, LX2, SM1, SM2: none. No new mine. Large + medium:
    # LY1 LY2 LX1 LX4 SM1 SM2 SM4 = 7, none reported three rates by then
    # (the 2017 figures came in March-April 2018). No spot check, no blacklist.
    "2017-12-31": {
        ("province", None): area(9, 2, (2, 0, 0), 0, 0, (7, 0, 0, 0), (0, 0), (0, 0), 0,
                                 (4, 2, 1, 2, 0)),
        ("zone", "浏阳市"): area(3, 0, (0, 0, 0), 0, 0, (2, 0, 0, 0), (0, 0), (0, 0), 0,
                               (1, 1, 1, 0, 0)),
        ("zone", "澧县"): area(3, 1, (1, 0, 0), 0, 0, (2, 0, 0, 0), (0, 0), (0, 0), 0,
                             (1, 1, 0, 1, 0)),
        ("zone", "慈利县"): area(0, 0, (0, 0, 0), 0, 0, (0, 0, 0, 0), (0, 0), (0, 0), 0,
                               (0, 0, 0, 0, 0)),
        ("city", "长沙市"): area(3, 0, (0, 0, 0), 0, 0, (2, 0, 0, 0), (0, 0), (0, 0), 0,
                               (1, 1, 1, 0, 0)),
        ("city", "常德市"): area(6, 2, (2, 0, 0), 0, 0, (5, 0, 0, 0), (0, 0), (0, 0), 0,
                               (3, 1, 0, 2, 0)),
        ("county", "浏阳市"): area(3, 0, (0, 0, 0), 0, 0, (2, 0, 0, 0), (0, 0), (0, 0), 0,
                                 (1, 1, 1, 0, 0)),
        ("county", "澧县"): area(3, 1, (1, 0, 0), 0, 0, (2, 0, 0, 0), (0, 0), (0, 0), 0,
                               (1, 1, 0, 1, 0)),
        ("county", "石门县"): area(3, 1, (1, 0, 0), 0, 0, (3, 0, 0, 0), (0, 0), (0, 0), 0,
                                 (2, 0, 0, 1, 0)),
    },
    # 2018-12-31: SM3 not yet licensed: 11. Listed: LY1 LY2 LX2 LX4 (06-30),
    # LY3 SM1 (12-20), LX1 SM4 = 8, all existing: large LY1 LX1 SM1 SM4,
    # medium LY2 LX4, small LY3 LX2. LY4 assessed (10-10); LX3 and SM2 none.
    # New: LY4, LX3, neither verified: 0 of 2. Three rates reported by then:
    # the 2017 figures of LY1 (82/86/62 vs coal 80/85/60: yes), LX1 (86/72/58
    # vs nonmetal 85/70/55: yes), SM4 (76/71/36 vs chemical 75/70/35: yes):
    # 3 of 3 among 9 large + medium. One spot check in 2018 (LX1, pass).
    "2018-12-31": {
        ("province", None): area(11, 8, (4, 2, 2), 2, 0, (9, 3, 3, 3), (1, 0), (1, 0), 0,
                                 (2, 1, 0, 8, 0),
                                 {"coal": (1, 1), "nonferrous": (0, 0), "chemical": (1, 1),
                                  "nonmetal": (1, 1), "cement": (0, 0), "ferrous": (0, 0),
                                  "precious": (0, 0)}),
        ("zone", "浏阳市"): area(4, 3, (1, 1, 1), 1, 0, (3, 1, 1, 1), (0, 0), (0, 0), 0,
                               (0, 1, 0, 3, 0)),
        ("zone", "澧县"): area(4, 3, (1, 1, 1), 1, 0, (3, 1, 1, 1), (1, 0), (1, 0), 0,
                             (1, 0, 0, 3, 0)),
        ("zone", "慈利县"): area(0, 0, (0, 0, 0), 0, 0, (0, 0, 0, 0), (0, 0), (0, 0), 0,
                               (0, 0, 0, 0, 0)),
        ("city", "长沙市"): area(4, 3, (1, 1, 1), 1, 0, (3, 1, 1, 1), (0, 0), (0, 0), 0,
                               (0, 1, 0, 3, 0)),
        ("city", "常德市"): area(7, 5, (3, 1, 1), 1, 0, (6, 2, 2, 2), (1, 0), (1, 0), 0,
                               (2, 0, 0, 5, 0)),
        ("county", "浏阳市"): area(4, 3, (1, 1, 1), 1, 0, (3, 1, 1, 1), (0, 0), (0, 0), 0,
                                 (0, 1, 0, 3, 0)),
        ("county", "澧县"): area(4, 3, (1, 1, 1), 1, 0, (3, 1, 1, 1), (1, 0), (1, 0), 0,
                               (1, 0, 0, 3, 0)),
        ("county", "石门县"): area(3, 2, (2, 0, 0), 0, 0, (3, 1, 1, 1), (0, 0), (0, 0), 0,
                                 (1, 0, 0, 2, 0)),
    },
    # 2019-06-30: 12 licences. LX4 blacklisted (spot check fail 04-10,
    # blacklisted 04-20), SM4 blacklisted (fail 05-08, blacklisted 05-20): both
    # lose the listing. Listed: LY1 LY2 LY3 LX1 LX2 SM1 = 6 (large LY1 LX1 SM1,
    # medium LY2, small LY3 LX2). LY4 verified (03-15 pass); LX3 (SA 04-01) and
    # SM2 (SA, then verification failed 05-10) assessed; SM3 none (its
    # self-assessment was withdrawn). New: LY4 LX3 SM3, built: LY4 = 1 of 3.
    # Three rates (the 2018 figures, March-April 2019), judged against the
    # example table: LY1 81/84/63 coal (84 < 85) no; LY2 87/82/55 nonferrous
    # yes; LY4 70/72/40 chemical (70 < 75) no; LX1 corrected 86.5/71/56 yes
    # (as entered, 84 < 85, it would be no); LX4 79/86/61 coal (79 < 80) no;
    # SM1 88/76/45 ferrous yes; SM2 90/86/31 precious yes; SM4 74/73/38
    # chemical (74 < 75) no; LX3 none. 4 of 8, 9 mines. Spot checks of 2019
    # up to 06-30: LX4 fail, SM4 fail, SM1 pass (entered as fail, corrected),
    # LX2 pass = 4, 2 failed; with 2018's LX1: 5, 2.
    "2019-06-30": {
        ("province", None): area(12, 6, (3, 1, 2), 3, 1, (9, 8, 8, 4), (4, 2), (5, 2), 2,
                                 (1, 2, 1, 6, 2),
                                 {"coal": (2, 0), "nonferrous": (1, 1), "ferrous": (1, 1),
                                  "precious": (1, 1), "chemical": (2, 0), "nonmetal": (1, 1),
                                  "cement": (0, 0)}),
        ("county", "澧县"): area(4, 2, (1, 0, 1), 1, 0, (3, 2, 2, 1), (2, 1), (3, 1), 1,
                               (0, 1, 0, 2, 1)),
        ("county", "石门县"): area(4, 1, (1, 0, 0), 1, 0, (3, 3, 3, 2), (2, 1), (2, 1), 1,
                                 (1, 1, 0, 1, 1)),
        ("city", "常德市"): area(8, 3, (2, 0, 1), 2, 0, (6, 5, 5, 3), (4, 2), (5, 2), 2,
                               (1, 2, 0, 3, 2)),
    },
    # 2019-12-31: SM4 verified again (09-10), lifted (10-01), listed again
    # (11-15, batch 2019-2); LX3 verified (08-10) and listed (11-15). Listed:
    # LY1 LY2 LY3 LX1 LX2 LX3 SM1 SM4 = 8; existing 7: large LY1 LX1 SM1 SM4,
    # medium LY2, small LY3 LX2 (LX3 is new). New built: LY4 (verified), LX3
    # (listed) = 2 of 3. Three rates unchanged since June: 4 of 8. Spot checks
    # of 2019: the 4 above + LY1 pass, LY2 pass, LY3 fail (09-20, not
    # blacklisted) = 7, 3 failed; all: 8, 3. Blacklisted: LX4.
    "2019-12-31": {
        ("province", None): area(12, 8, (4, 1, 2), 3, 2, (9, 8, 8, 4), (7, 3), (8, 3), 1,
                                 (1, 1, 1, 8, 1),
                                 {"coal": (2, 0), "nonferrous": (1, 1), "ferrous": (1, 1),
                                  "precious": (1, 1), "chemical": (2, 0), "nonmetal": (1, 1),
                                  "cement": (0, 0), "sand_gravel": (0, 0), "stone": (0, 0)}),
        ("zone", "浏阳市"): area(4, 3, (1, 1, 1), 1, 1, (3, 3, 3, 1), (3, 1), (3, 1), 0,
                               (0, 0, 1, 3, 0)),
        ("zone", "澧县"): area(4, 3, (1, 0, 1), 1, 1, (3, 2, 2, 1), (2, 1), (3, 1), 1,
                             (0, 0, 0, 3, 1)),
        ("zone", "慈利县"): area(0, 0, (0, 0, 0), 0, 0, (0, 0, 0, 0), (0, 0), (0, 0), 0,
                               (0, 0, 0, 0, 0)),
        ("city", "长沙市"): area(4, 3, (1, 1, 1), 1, 1, (3, 3, 3, 1), (3, 1), (3, 1), 0,
                               (0, 0, 1, 3, 0)),
        ("city", "常德市"): area(8, 5, (3, 0, 1), 2, 1, (6, 5, 5, 3), (4, 2), (5, 2), 1,
                               (1, 1, 0, 5, 1)),
        ("county", "浏阳市"): area(4, 3, (1, 1, 1), 1, 1, (3, 3, 3, 1), (3, 1), (3, 1), 0,
                                 (0, 0, 1, 3, 0),
                                 {"coal": (1, 0), "nonferrous": (1, 1), "chemical": (1, 0)}),
        ("county", "澧县"): area(4, 3, (1, 0, 1), 1, 1, (3, 2, 2, 1), (2, 1), (3, 1), 1,
                               (0, 0, 0, 3, 1),
                               {"coal": (1, 0), "nonmetal": (1, 1), "cement": (0, 0)}),
        ("county", "石门县"): area(4, 2, (2, 0, 0), 1, 0, (3, 3, 3, 2), (2, 1), (2, 1), 0,
                                 (1, 1, 0, 2, 0),
                                 {"ferrous": (1, 1), "precious": (1, 1), "chemical": (1, 0)}),
    },
}
STANDINGS = ("none", "assessed", "verified", "listed", "blacklisted")


def run(args, ok=(0,), **kw):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode not in ok:
        print("FAIL %s: exit %d\n%s" % (" ".join(args[1:4]), r.returncode,
                                        r.stderr.decode(errors="replace")))
        sys.exit(1)
    return r


def compare_area(got, want, what):
    same(got["licences"], want["licences"], what + " licences")
    same(got["listed"], want["listed"], what + " listed")
    e = got["listed_existing_by_scale"]
    same((e["large"], e["medium"], e["small"]), want["existing"], what + " listed existing L/M/S")
    same(got["listed_existing"], sum(want["existing"]), what + " listed existing")
    same(got["new_mines"], want["new"], what + " new mines")
    same(got["new_built"], want["built"], what + " new built")
    same(got["new_built_share"], want["built"] / want["new"] if want["new"] else None,
         what + " new built share", 1e-6)
    r = got["three_rates"]
    same((r["mines"], r["reported"], r["judged"], r["compliant"]), want["rates"],
         what + " three rates (mines, reported, judged, compliant)")
    m, _, j, c = want["rates"]
    same(r["share"], c / j if j else None, what + " three-rate share", 1e-6)
    same((got["spot_checks"], got["spot_checks_failed"]), want["spot_year"],
         what + " spot checks this year")
    same((got["spot_checks_all"], got["spot_checks_failed_all"]), want["spot_all"],
         what + " spot checks all")
    same(got["blacklisted"], want["black"], what + " blacklisted")
    same(tuple(got["by_standing"][s] for s in STANDINGS), want["standing"],
         what + " by standing")
    for ind, (j, c) in want["industry"].items():
        g = got["three_rates_by_industry"][ind]
        same((g["judged"], g["compliant"]), (j, c), "%s three rates %s" % (what, ind))


def main(gm, work, pg=None):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(work)
    db = pg or os.path.join(work, "r.sqlite")
    env = dict(os.environ, GDAL_PAM_ENABLED="NO")

    def gm_run(*args, ok=(0,)):
        return run([gm] + list(args), ok=ok, env=env)

    d = lambda name: os.path.join(DATA, name)
    gm_run("ingest", "-q", "--db", db, "--as-of", "2017-12-31", "--parcels",
           d("parcels_2017.geojson"), "--mines", d("mines.geojson"), "--zones", d("zones.geojson"),
           "--redlines", d("redlines.geojson"))
    gm_run("ingest", "-q", "--db", db, "--as-of", "2018-12-31", "--parcels",
           d("parcels_2018.geojson"))
    gm_run("ingest", "-q", "--db", db, "--as-of", "2019-12-31", "--parcels",
           d("parcels_2019.geojson"))
    gm_run("licences", "import", "-q", "--db", db, d("licences.csv"), "--by", "test")
    gm_run("thresholds", "import", "-q", "--db", db, d("thresholds.csv"), "--by", "test",
           "--label", "示例 example, not the province's")
    for y in (2017, 2018, 2019):
        gm_run("events", "import", "-q", "--db", db, d("events_%d.csv" % y), "--by", "test")

    def event_id(lic, kind, pred=lambda e: True):
        out = gm_run("events", "list", "--db", db, "--licence", lic, "--json").stdout
        ids = [e["event_id"] for e in json.loads(out)["events"] if e["kind"] == kind and pred(e)]
        return str(ids[0])

    # the corrections (by the CLI, as a clerk would)
    gm_run("events", "add", "-q", "--db", db, "--licence", LIC["SM1"], "--kind", "spot_check",
           "--date", "2019-06-01", "--supersedes", event_id(LIC["SM1"], "spot_check"),
           "--result", "pass", "--draw", "2019-1", "--inspectors", "INS-01;INS-02",
           "--reason", "录入错误：结果为合格", "--by", "test")
    gm_run("events", "add", "-q", "--db", db, "--licence", LIC["LX1"], "--kind", "three_rates",
           "--date", "2019-04-10",
           "--supersedes", event_id(LIC["LX1"], "three_rates", lambda e: e["year"] == 2018),
           "--year", "2018", "--mining-recovery", "86.5", "--beneficiation-recovery", "71",
           "--utilisation", "56", "--reason", "回采率录入错误", "--by", "test")
    gm_run("events", "add", "-q", "--db", db, "--licence", LIC["SM3"], "--kind",
           "self_assessment", "--date", "2019-06-01",
           "--supersedes", event_id(LIC["SM3"], "self_assessment"), "--void", "--reason",
           "误录，撤回", "--by", "test")

    # ---- the rule violations: every row refused, nothing recorded --------
    before = gm_run("progress", "--db", db, "--indicators", "--json", "--as-of",
                    "2019-12-31").stdout
    def n_events():
        out = gm_run("events", "list", "--db", db, "--json").stdout
        return len(json.loads(out)["events"])
    n_before = n_events()
    r = gm_run("events", "import", "--db", db, d("events_violations.csv"), "--by", "test",
               ok=(2,))
    err = r.stderr.decode()
    for row, rule in ((2, "listing_needs_verification"), (3, "blacklisted_not_listed"),
                      (4, "licence_exists"), (5, "date_order"), (6, "not_in_future"),
                      (7, "fields")):
        check("row %d:" % row in err and rule in err, "violation row %d (%s) named" % (row, rule))
    same(n_events(), n_before, "events after the refused import")
    after = gm_run("progress", "--db", db, "--indicators", "--json", "--as-of",
                   "2019-12-31").stdout
    check(before == after, "indicators unchanged by the refused import")

    # ---- indicators, JSON and CSV ------------------------------------------
    for as_of, areas in EXPECTED.items():
        ind = json.loads(gm_run("progress", "--db", db, "--indicators", "--json", "--as-of",
                                as_of).stdout)
        same(ind["as_of"], as_of, "indicators as_of")
        got = {(a["level"], a["name"]): a for a in ind["areas"]}
        same(sorted(got), sorted([("province", None), ("zone", "浏阳市"), ("zone", "澧县"),
                                  ("zone", "慈利县"), ("city", "长沙市"), ("city", "常德市"),
                                  ("county", "浏阳市"), ("county", "澧县"),
                                  ("county", "石门县")]), as_of + " areas")
        for key, want in areas.items():
            if key in got:
                compare_area(got[key], want, "%s %s %s" % (as_of, key[0], key[1] or ""))
        # the CSV says the same
        rows = list(csv.DictReader(io.StringIO(gm_run(
            "progress", "--db", db, "--indicators", "--csv", "--as-of", as_of).stdout.decode())))
        for key, want in areas.items():
            row = [x for x in rows if x["level"] == key[0] and x["name"] == (key[1] or "")]
            same(len(row), 1, "%s csv row %s" % (as_of, key))
            if row:
                x = row[0]
                same((int(x["listed"]), int(x["rates_judged"]), int(x["rates_compliant"]),
                      int(x["spot_checks"]), int(x["spot_checks_failed"]), int(x["blacklisted"]),
                      int(x["new_built"])),
                     (want["listed"], want["rates"][2], want["rates"][3], want["spot_year"][0],
                      want["spot_year"][1], want["black"], want["built"]),
                     "%s csv %s" % (as_of, key))
    z = json.loads(gm_run("progress", "--db", db, "--indicators", "--json", "--as-of",
                          "2019-12-31", "--zone", "澧县").stdout)
    same([(a["level"], a["name"]) for a in z["areas"]], [("province", None), ("zone", "澧县")],
         "progress --zone keeps the province and that zone")
    base = json.loads(gm_run("progress", "--db", db, "--indicators", "--json", "--as-of",
                             "2019-12-31").stdout)["targets"]
    same(base["three_rates"], 0.85, "target three rates")
    same(base["three_rates_baseline_2015"], 0.5803, "baseline 2015")
    same(base["three_rates_baseline_2015_by_industry"],
         {"coal": 0.5661, "nonferrous": 0.7677, "ferrous": 0.6799, "precious": 0.8233,
          "chemical": 0.2833, "nonmetal": 0.3616}, "baseline by industry (the plan)")
    same((base["green_mines"], base["green_large"], base["green_medium"], base["green_small"]),
         (100, 35, 50, 15), "green mine targets")

    # ---- progress: the hectares unchanged, the indicators beside them ------
    prog = json.loads(gm_run("progress", "--db", db, "--json", "--as-of", "2019-12-31").stdout)
    for r in prog["series"]:
        want = HECTARES[(r["as_of"], r["zone"])]
        same(r["restoration_done_ha"], want[0], "ha restoration %s %s" % (r["as_of"], r["zone"]),
             UNION_TOL if r["as_of"] == "2019-12-31" else 2e-6)
        same(r["reclamation_done_ha"], want[1], "ha reclamation %s %s" % (r["as_of"], r["zone"]),
             2e-6)
    same(len(prog["series"]), 12, "series rows (3 snapshots x (province + 3 zones))")
    same(prog["indicators"]["areas"][0]["listed"], 8, "progress --json carries the indicators")
    text = gm_run("progress", "--db", db, "--as-of", "2019-12-31").stdout.decode()
    check("existing 7 of 100 (4 of 35 large, 1 of 50 medium, 2 of 15 small)" in text,
          "progress text: green mines against the target")
    check("new mines built to standard 2 of 3" in text, "progress text: new mines")

    # ---- yearly ---------------------------------------------------------------
    def yearly_csv(*args):
        out = gm_run("yearly", "--db", db, "--csv", *args).stdout.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(out)))
        return {(r["section"], r["key"]): r for r in rows}, rows

    def check_yearly(yr, want, end, what):
        y, rows = yr
        h = lambda k: y[("headline", k)]["value"]
        same(int(h("licences")), want["licences"], what + " licences")
        same(int(h("listed")), want["listed"], what + " listed")
        same((int(h("listed_existing_large")), int(h("listed_existing_medium")),
              int(h("listed_existing_small"))), want["existing"], what + " existing L/M/S")
        same((int(h("new_mines")), int(h("new_built"))), (want["new"], want["built"]),
             what + " new")
        same((int(h("rates_mines")), int(h("rates_reported")), int(h("rates_judged")),
              int(h("rates_compliant"))), want["rates"], what + " rates")
        same((int(h("spot_checks")), int(h("spot_checks_failed"))), want["spot_year"],
             what + " spot checks")
        same(int(h("blacklisted")), want["black"], what + " blacklisted")
        for k, v in end.items():
            same(tuple(sorted(r["key"] for r in rows if r["section"] == k)), tuple(sorted(v)),
                 "%s %s licences" % (what, k))

    # province 2019: listings LX3, SM4 (11-15); the 7 spot checks; blacklist
    # changes LX4 in (04-20), SM4 in (05-20), SM4 out (10-01); LX4 at year end
    yr = yearly_csv("--year", "2019")
    y = yr[0]
    check_yearly(yr, EXPECTED["2019-12-31"][("province", None)],
                 {"listings": [LIC["LX3"], LIC["SM4"]],
                  "spot_checks": [LIC[k] for k in ("LX4", "SM4", "SM1", "LX2", "LY1", "LY2",
                                                   "LY3")],
                  "blacklist_end": [LIC["LX4"]]}, "yearly 2019")
    same([(r["key"], r["label"], r["value"]) for r in yr[1] if r["section"] == "blacklist"],
         [(LIC["LX4"], "2019-04-20", "blacklisting"), (LIC["SM4"], "2019-05-20", "blacklisting"),
          (LIC["SM4"], "2019-10-01", "lifting")], "yearly 2019 blacklist changes, by date")
    # by status and industry / scale on 2019-12-31 (see the standings above)
    want_ind = {"coal.listed": 1, "coal.blacklisted": 1, "nonferrous.listed": 1,
                "ferrous.listed": 1, "precious.assessed": 1, "chemical.verified": 1,
                "chemical.listed": 1, "nonmetal.listed": 2, "sand_gravel.listed": 1,
                "cement.listed": 1, "stone.none": 1}
    same({k[1]: int(v["value"]) for k, v in y.items() if k[0] == "by_industry"}, want_ind,
         "yearly 2019 by industry")
    want_scale = {"large.listed": 4, "medium.assessed": 1, "medium.verified": 1,
                  "medium.listed": 2, "medium.blacklisted": 1, "small.none": 1,
                  "small.listed": 2}
    same({k[1]: int(v["value"]) for k, v in y.items() if k[0] == "by_scale"}, want_scale,
         "yearly 2019 by scale")
    # hectares of 2019: the province's, at 2019-12-31 less 2018-12-31
    h = lambda k: float(y[("headline", k)]["value"])
    same(h("restoration_done_ha"), HECTARES[("2019-12-31", None)][0], "yearly restoration", UNION_TOL)
    same(h("restoration_year_ha"), HECTARES[("2019-12-31", None)][0] -
         HECTARES[("2018-12-31", None)][0], "yearly restoration this year", UNION_TOL)
    same(h("reclamation_year_ha"), P6, "yearly reclamation this year", 2e-6)
    # province 2018: listings LY1 LY2 LX2 LX4 (06-30), LY3 SM1 (12-20); one
    # spot check (LX1); no blacklist change
    check_yearly(yearly_csv("--year", "2018"), EXPECTED["2018-12-31"][("province", None)],
                 {"listings": [LIC[k] for k in ("LY1", "LY2", "LX2", "LX4", "LY3", "SM1")],
                  "spot_checks": [LIC["LX1"]], "blacklist": [], "blacklist_end": []},
                 "yearly 2018")
    # county 浏阳市 2019: the zone of that name gives the hectares; this
    # year's restoration is the part of P7 outside P3
    ylr = yearly_csv("--year", "2019", "--county", "浏阳市")
    yl = ylr[0]
    check_yearly(ylr, EXPECTED["2019-12-31"][("county", "浏阳市")],
                 {"listings": [], "spot_checks": [LIC["LY1"], LIC["LY2"], LIC["LY3"]],
                  "blacklist": [], "blacklist_end": []}, "yearly 浏阳市")
    same(float(yl[("headline", "restoration_done_ha")]["value"]), P1 + P3u7,
         "yearly 浏阳市 restoration", UNION_TOL)
    same(float(yl[("headline", "restoration_year_ha")]["value"]), P3u7 - P3,
         "yearly 浏阳市 restoration this year", UNION_TOL)
    # city 常德市 2019: no zone of that name: no hectares, said so
    ycr = yearly_csv("--year", "2019", "--county", "常德市")
    yc = ycr[0]
    same(yc[("report", "level")]["value"], "city", "常德市 is taken as a city")
    check_yearly(ycr, EXPECTED["2019-12-31"][("city", "常德市")],
                 {"listings": [LIC["LX3"], LIC["SM4"]],
                  "spot_checks": [LIC[k] for k in ("LX4", "SM4", "SM1", "LX2")],
                  "blacklist_end": [LIC["LX4"]]}, "yearly 常德市")
    same(yc[("headline", "restoration_done_ha")]["value"], "", "常德市 has no hectares")
    r = gm_run("yearly", "--db", db, "--year", "2019", "--county", "长沙县", "-o", "x.html",
               ok=(2,))
    check(b"no licence in the registry names" in r.stderr and not os.path.exists("x.html"),
          "an unknown county is refused and writes nothing")

    # the HTML, rendered by Chromium
    gm_run("yearly", "-q", "--db", db, "--year", "2019", "-o", "年报.html")
    gm_run("yearly", "-q", "--db", db, "--year", "2019", "--county", "浏阳市", "-o", "liuyang.html")
    check_html(work, "年报.html", EXPECTED["2019-12-31"][("province", None)],
               HECTARES[("2019-12-31", None)], HECTARES[("2018-12-31", None)], "province")
    check_html(work, "liuyang.html", EXPECTED["2019-12-31"][("county", "浏阳市")],
               HECTARES[("2019-12-31", "浏阳市")], HECTARES[("2018-12-31", "浏阳市")], "浏阳市")

    # printed on a machine with no CJK font (one Latin font only), the yearly
    # report carries its text as with the machine's fonts: its own embedded
    # glyphs, not a system font, draw the Chinese (check_report_fonts.py says
    # why the harness keeps one Latin font rather than none)
    r = subprocess.run(["/usr/bin/python3",
                        os.path.join(HERE, "..", "registry", "check_report_fonts.py"), gm,
                        os.path.join(work, "fonts"), os.path.join(work, "年报.html"), "0.08"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600)
    check(r.returncode == 0, "the yearly report prints its Chinese with no CJK font installed:\n" +
          r.stdout.decode()[-800:])

    # ---- the public list ----------------------------------------------------
    check_list(gm_run, db)
    # ---- the desk's progress page ----------------------------------------------
    check_desk(gm, db, work, env, gm_run)
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails or not checks else 0


PUBLIC = ["licence_no", "mine_name", "enterprise", "credit_code", "industry", "mineral", "scale",
          "city", "county", "zone", "is_new", "batch", "listed_on", "verified_by", "verified_on",
          "last_spot_check", "spot_check_result", "credit_grade", "credit_year", "mine_ha",
          "list_as_of"]


def check_list(gm_run, db):
    # listed on 2019-12-31: LY1 LY2 LY3 LX1 LX2 LX3 SM1 SM4; on 2019-06-30
    # LX4 and SM4 are blacklisted (off the list) and LX3 not yet listed
    want = {"2019-12-31": ["LY1", "LY2", "LY3", "LX1", "LX2", "LX3", "SM1", "SM4"],
            "2019-06-30": ["LY1", "LY2", "LY3", "LX1", "LX2", "SM1"],
            "2017-12-31": ["LX1", "SM4"]}
    for as_of, keys in want.items():
        out = gm_run("list", "--db", db, "--as-of", as_of, "--csv").stdout.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(out)))
        same([r["licence_no"] for r in rows], sorted(LIC[k] for k in keys), "list " + as_of)
        if rows:
            same(list(rows[0].keys()), PUBLIC, "list columns (public fields only)")
    rows = {r["licence_no"]: r for r in csv.DictReader(io.StringIO(gm_run(
        "list", "--db", db, "--as-of", "2019-12-31", "--csv").stdout.decode("utf-8-sig")))}
    sm4 = rows[LIC["SM4"]]
    same((sm4["batch"], sm4["listed_on"], sm4["verified_on"], sm4["credit_grade"],
          sm4["last_spot_check"], sm4["spot_check_result"], sm4["zone"]),
         ("2019-2", "2019-11-15", "2019-09-10", "B", "2019-05-08", "fail", ""),
         "list: SM4 listed again in batch 2019-2")
    same((rows[LIC["LY1"]]["zone"], rows[LIC["LY1"]]["is_new"], rows[LIC["LX3"]]["is_new"]),
         ("浏阳市", "0", "1"), "list: zone and new")
    for k, ha in MINE_HA.items():
        same(float(rows[LIC[k]]["mine_ha"]), ha, "list: area of " + k, 2e-6)
    # one county's list: 澧县's three listed mines
    out = gm_run("list", "--db", db, "--as-of", "2019-12-31", "--county", "澧县",
                 "--csv").stdout.decode("utf-8-sig")
    same([r["licence_no"] for r in csv.DictReader(io.StringIO(out))],
         [LIC["LX1"], LIC["LX2"], LIC["LX3"]], "list --county 澧县")
    # usage errors: exit 2, nothing written
    for args in (["--csv", "-o", "x.gpkg"], ["--as-of", "2019-13-01"], ["--county", "长沙县"]):
        gm_run("list", "--db", db, *args, ok=(2,))
    gm_run("yearly", "--db", db, "-o", "y.html", ok=(2,))  # no --year
    check(not any(os.path.exists(f) for f in ("x.gpkg", "y.html")), "usage errors write nothing")
    gm_run("list", "-q", "--db", db, "--as-of", "2019-12-31", "-o", "名录.gpkg")
    con = sqlite3.connect("名录.gpkg")
    cols = [r[1] for r in con.execute("PRAGMA table_info(green_mine_list)")]
    same(cols, ["fid", "geom"] + PUBLIC, "gpkg columns")
    same(con.execute("SELECT count(*) FROM green_mine_list WHERE geom IS NOT NULL").fetchone()[0],
         8, "gpkg: 8 boundaries")
    same(con.execute("SELECT srs_id FROM gpkg_geometry_columns").fetchone()[0], 4490, "gpkg SRS")
    qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = 'green_mine_list' "
                      "AND useAsDefault").fetchone()
    check(qml and "categorizedSymbol" in qml[0] and "采矿许可证号" in qml[0],
          "gpkg default style (categorised, Chinese titles)")
    internal = ("entered_by", "entered_at", "event_id", "inspectors", "findings", "document")
    dump = "\n".join(str(r) for r in con.execute("SELECT * FROM green_mine_list"))
    check(not any(w in " ".join(cols) for w in internal) and "test" not in dump.split("'"),
          "gpkg holds nothing internal")
    con.close()
    # GDAL's validator, then QGIS itself (the default style applied, colours,
    # aliases, value maps, each mine drawn in its scale's colour); the QGIS
    # check must fail on a copy without the style
    v = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
    if os.path.exists(v):
        r = subprocess.run(["/usr/bin/python3", v, "名录.gpkg"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        check(r.returncode == 0, "validate_gpkg.py: " + r.stdout.decode()[-300:])
    has_qgis = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"],
                              stderr=subprocess.DEVNULL).returncode == 0
    if not has_qgis:
        print("note: QGIS (python3-qgis) is not installed: the list's QGIS check is skipped")
        return
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=os.path.abspath("xdg"))
    env.pop("LD_PRELOAD", None)
    os.makedirs("xdg", mode=0o700, exist_ok=True)
    qcheck = os.path.join(HERE, "..", "qgis", "check_list_qgis.py")
    r = subprocess.run(["/usr/bin/python3", qcheck, "名录.gpkg", "8"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    check(r.returncode == 0, "QGIS check of the list:\n" + r.stdout.decode()[-1500:])
    shutil.copy("名录.gpkg", "unstyled.gpkg")
    c = sqlite3.connect("unstyled.gpkg")
    c.execute("DELETE FROM layer_styles")
    c.commit()
    c.close()
    r = subprocess.run(["/usr/bin/python3", qcheck, "unstyled.gpkg", "8"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    check(r.returncode != 0 and b"default style was not applied" in r.stdout,
          "the QGIS check fails on the list without its default style")


def check_desk(gm, db, work, env, gm_run):
    """The progress page of greenmine serve in Chromium against the hand figures."""
    import re
    if not shutil.which("npm") or not shutil.which("node"):
        check(False, "node and npm are needed for the page test (scripts/deps.sh)")
        return
    serve = os.path.join(HERE, "..", "serve")
    exp = {"dates": {}, "rates": {}, "csv": {}}
    for as_of in ("2019-12-31", "2019-06-30", "2018-12-31"):
        rows = {}
        for (level, name), w in EXPECTED[as_of].items():
            rows["%s|%s" % (level, name or "")] = [
                str(w["licences"]), str(w["listed"]),
                "%d (%d/%d/%d)" % ((sum(w["existing"]),) + w["existing"]),
                "%d/%d" % (w["built"], w["new"]), "%d/%d" % (w["rates"][3], w["rates"][2]),
                "%d (%d)" % w["spot_year"], str(w["black"])]
        if len(rows) == 9:  # the dates with every area worked out by hand
            exp["dates"][as_of] = rows
            # the page lists the industries with large or medium mines or a
            # baseline: the fixture has no large or medium sand/gravel or stone mine
            exp["rates"][as_of] = {k: "%d/%d" % (c, j) for k, (j, c) in
                                   EXPECTED[as_of][("province", None)]["industry"].items()
                                   if k not in ("sand_gravel", "stone")}
            exp["csv"][as_of] = gm_run("progress", "--db", db, "--indicators", "--csv", "--as-of",
                                       as_of).stdout.decode()
    with open("desk_expected.json", "w", encoding="utf-8") as f:
        json.dump(exp, f, ensure_ascii=False)
    node = os.path.join(work, "node")
    os.makedirs(node, exist_ok=True)
    for n in ["package.json", "package-lock.json"]:
        shutil.copy(os.path.join(serve, n), node)
    nenv = dict(env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=node, env=nenv,
                       capture_output=True, text=True)
    if not check(p.returncode == 0, "npm ci: " + p.stderr[-500:]):
        return
    srv = subprocess.Popen([gm, "serve", "--demo", "--db", db, "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=open("serve.log", "w"), text=True,
                           env=env)
    m = re.match(r"greenmine serve: (http://127\.0\.0\.1:\d+)/", srv.stdout.readline())
    try:
        if check(m, "serve did not start"):
            t = subprocess.run(["node", os.path.join(serve, "indicators.test.js"), m.group(1),
                                "desk_expected.json", work],
                               env=dict(nenv, NODE_PATH=os.path.join(node, "node_modules")),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            check(t.returncode == 0, "the progress page's indicators:\n" +
                  t.stdout.decode()[-2000:])
    finally:
        srv.terminate()
        srv.wait(timeout=30)


class Page:
    """data-figure values and table cells of a page Chromium rendered."""

    def __init__(self, html):
        from html.parser import HTMLParser
        self.figures, self.cells, self.external = {}, {}, []
        page, table, row = self, [None], [None]

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                for k in ("src", "href"):
                    if a.get(k) and not a[k].startswith(("#", "data:")):
                        page.external.append(a[k])
                if "data-figure" in a:
                    page.figures[a["data-figure"]] = a["data-value"]
                if "data-table" in a:
                    table[0] = a["data-table"]
                if tag == "tr" and "data-row" in a:
                    row[0] = a["data-row"]
                if tag == "td" and "data-col" in a:
                    page.cells[(table[0], row[0], a["data-col"])] = a["data-value"]
        P().feed(html)


def check_html(work, name, want, ha_now, ha_before, what):
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chrome:
        check(False, "chromium is not installed (scripts/deps.sh)")
        return
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + os.path.join(work, "chrome")]
    url = "file://" + os.path.join(work, name)
    dom = subprocess.run([chrome] + flags + ["--dump-dom", url], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=120).stdout.decode()
    p = Page(dom)
    f = lambda k: p.figures.get(k)
    same(int(f("licences")), want["licences"], what + " page licences")
    same(int(f("listed")), want["listed"], what + " page listed")
    same((int(f("listed_existing_large")), int(f("listed_existing_medium")),
          int(f("listed_existing_small"))), want["existing"], what + " page existing L/M/S")
    same((int(f("new_built")), int(f("new_mines"))), (want["built"], want["new"]),
         what + " page new built")
    same((int(f("rates_compliant")), int(f("rates_judged"))), want["rates"][3:1:-1],
         what + " page three rates")
    same(float(f("rates_share")), want["rates"][3] / want["rates"][2], what + " page share", 1e-6)
    same((int(f("spot_checks")), int(f("spot_checks_failed"))), want["spot_year"],
         what + " page spot checks")
    same(int(f("blacklisted")), want["black"], what + " page blacklisted")
    same(float(f("restoration_done_ha")), ha_now[0], what + " page restoration", UNION_TOL)
    same(float(f("restoration_year_ha")), ha_now[0] - ha_before[0], what + " page +restoration",
         UNION_TOL)
    # the status tables add up to the licences, row by row and column by column
    for t in ("by_industry", "by_scale"):
        total = p.cells.get((t, "total", "total"))
        same(total and int(total), want["licences"], "%s page %s total" % (what, t))
        for s, n in zip(STANDINGS, want["standing"]):
            same(int(p.cells.get((t, "total", s), -1)), n, "%s page %s %s" % (what, t, s))
    same(p.external, [], what + " page loads nothing from outside")
    check("@font-face" in open(os.path.join(work, name), encoding="utf-8").read(),
          what + " embeds its font")
    # printed: A4, and the title and a figure are on the page
    pdf = os.path.join(work, name + ".pdf")
    subprocess.run([chrome] + flags + ["--no-pdf-header-footer", "--print-to-pdf=" + pdf, url],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    info = subprocess.run(["pdfinfo", pdf], stdout=subprocess.PIPE).stdout.decode()
    size = [l for l in info.splitlines() if l.startswith("Page size")]
    wh = [float(v) for v in size[0].split(":")[1].split("pts")[0].split(" x ")] if size else []
    check(len(wh) == 2 and abs(wh[0] - 595.3) < 1 and abs(wh[1] - 841.9) < 1,
          what + " prints on A4 (210 x 297 mm = 595.3 x 841.9 pt): %s" % size)
    pages = int([l for l in info.splitlines() if l.startswith("Pages")][0].split()[1])
    check(1 <= pages <= 4, what + " prints on 1-4 pages (%d)" % pages)
    txt = subprocess.run(["pdftotext", pdf, "-"], stdout=subprocess.PIPE).stdout.decode()
    check("年度绿色矿山建设工作报告" in txt, what + " title printed (text, not boxes)")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]),
                  sys.argv[3] if len(sys.argv) == 4 else None))
