#!/usr/bin/python3
"""The report of one analyze run (report --gpkg), as Chromium rendered it
(--dump-dom), against the GeoPackage's own layers read with OGR.

  check_report_gpkg.py DOM.html GREENMINE.gpkg [ZONE]

The headline figures must equal province_indicators (or ZONE's zone_progress
row), the increments the same figures (one run: since the period start), the
table and the map's zones every zone_progress row, the conflict table the
mines of mine_conflicts with a conflict (in ZONE), the page's date the as_of
row; the page must say it holds one run and load nothing from outside.
Exit 1 on any difference.
"""
import re
import sys
from html.parser import HTMLParser

from osgeo import ogr

ogr.UseExceptions()


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures, self.cells, self.map, self.external = {}, {}, {}, []
        self.row, self.body, self.note, self.conflict_rows = None, {}, False, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k) and re.match(r"^(https?:)?//", a[k]):
                self.external.append(a[k])
        if tag == "link" or (tag == "script" and a.get("src")):
            self.external.append(tag)
        if tag == "body":
            self.body = a
        if a.get("data-note") == "single-run":
            self.note = True
        if "data-figure" in a:
            self.figures[a["data-figure"]] = a["data-value"]
        if tag == "path" and "data-zone" in a:
            self.map[a["data-zone"]] = (float(a["data-restoration-ha"]),
                                        float(a["data-reclamation-ha"]))
        if tag == "tr" and "data-mine-id" in a:
            self.conflict_rows += 1
        if tag == "tr" and "data-as-of" in a:
            self.row = (a["data-as-of"], a.get("data-zone") or None)
        if tag == "td" and "data-field" in a and self.row:
            self.cells[self.row + (a["data-field"],)] = float(a["data-value"])


def main(dom, gpkg, zone=None):
    page = Collect()
    page.feed(open(dom, encoding="utf-8").read())
    ds = ogr.Open(gpkg)
    ind = {f["indicator"]: f["value"] for f in ds.GetLayerByName("province_indicators")}
    zones = {f["name"]: f for f in ds.GetLayerByName("zone_progress")}
    conflicts = [f for f in ds.GetLayerByName("mine_conflicts")
                 if f["redline_conflict_ha"] > 0 and (zone is None or f["zone_name"] == zone)]
    as_of = "%04d-%02d-%02d" % (ind["as_of"] // 10000, ind["as_of"] // 100 % 100,
                                ind["as_of"] % 100)
    fails = checks = 0

    def same(got, want, what):
        nonlocal fails, checks
        checks += 1
        if got is None or abs(float(got) - want) > 5e-7 * max(1.0, abs(want)):
            fails += 1
            print("FAIL %s: page %s, GeoPackage %.6f" % (what, got, want))

    def check(cond, what):
        nonlocal fails, checks
        checks += 1
        if not cond:
            fails += 1
            print("FAIL " + what)

    if zone is None:
        head = {k: ind[k] for k in ("restoration_done_ha", "reclamation_done_ha",
                                    "conflict_mines")}
        same(page.figures.get("large_medium_share_pct"), 100 * ind["large_medium_share"],
             "headline large_medium_share")
    else:
        check(zone in zones, "zone %s in zone_progress" % zone)
        head = {k: zones[zone][k] for k in ("restoration_done_ha", "reclamation_done_ha",
                                            "conflict_mines")}
    for k, v in head.items():
        same(page.figures.get(k), v, "headline " + k)
    for k in ("restoration", "reclamation"):  # one run: the increment is all of it
        same(page.figures.get(k + "_increment_ha"), head[k + "_done_ha"],
             "headline %s_increment_ha" % k)
    same(page.figures.get("conflict_table_rows"), len(conflicts), "conflict table rows")
    same(page.conflict_rows, len(conflicts), "conflict table <tr>s")
    rows = [(None, ind)] if zone is None else []
    rows += [(n, f) for n, f in zones.items() if zone is None or n == zone]
    for name, f in rows:
        for k in ("restoration_done_ha", "reclamation_done_ha"):
            same(page.cells.get((as_of, name, k)), f[k], "table %s %s" % (name, k))
    same(len(page.cells), 4 * len(rows), "table cells")
    for name, f in zones.items():  # the map shows every zone, whichever report
        got = page.map.get(name)
        same(got and got[0], f["restoration_done_ha"], "map %s restoration" % name)
        same(got and got[1], f["reclamation_done_ha"], "map %s reclamation" % name)
    check(page.body.get("data-as-of") == as_of,
          "page as of %s, GeoPackage %s" % (page.body.get("data-as-of"), as_of))
    check(page.note, "the single-run note")
    check(not page.external, "the page refers to outside resources: %s" % page.external)
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails or checks == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
