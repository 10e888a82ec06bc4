#!/usr/bin/python3
"""The report of one analyze run (report --gpkg), as Chromium rendered it
(--dump-dom), against the GeoPackage's own layers read with OGR.

  check_report_gpkg.py DOM.html GREENMINE.gpkg [ZONE]

The headline figures must equal province_indicators (or ZONE's zone_progress
row), the increments the same figures (one run: since the period start), the
table and the map's zones every zone_progress row, the conflict table the
mines of mine_conflicts with a conflict (in ZONE), the page's date the as_of
row; the page must say it holds one run and load nothing from outside.
Figures that must add up: the green mines by scale (plus those without a
recorded scale) to the total, and -- counted here from the demo's own
mines.shp when the run is the demo's -- to the mines flagged green; the zone
rows plus the "outside the zones" row to the province. The charts: ticks
evenly spaced by 1, 2, 2.5 or 5 times a power of ten, the target on a tick,
the pace line drawn to the date the target would be met (recomputed here from
the period start, the as-of date and the figures) when it will be missed.
Every table repeats its header on a printed page (<thead>).
Exit 1 on any difference.
"""
import datetime
import math
import os
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
        self.outside, self.chart, self.charts = {}, None, {}
        self.tables = self.theads = 0
        self.green_text, self.in_green = "", False

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
        if tag == "td" and "data-outside-field" in a:
            self.outside[a["data-outside-field"]] = float(a["data-value"])
        self.tables += tag == "table"
        self.theads += tag == "thead"
        if tag == "svg" and "data-chart" in a:
            self.chart = self.charts.setdefault(a["data-chart"], {"ticks": [], "grid": {}})
        if self.chart is not None:
            if tag == "text" and "data-tick" in a:
                self.chart["ticks"].append(float(a["data-tick"]))
            if tag == "line" and a.get("class") in ("target", "projection"):
                self.chart[a["class"]] = a
            if tag == "line" and "data-year" in a:
                self.chart["grid"][int(a["data-year"])] = float(a["x1"])
        if a.get("data-figure") == "green_mines":
            self.in_green = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self.chart = None
        if tag == "td" and self.in_green:
            self.in_green = False

    def handle_data(self, data):
        if self.in_green:
            self.green_text += data


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
    if zone is None:
        check_sums(page, ind, zones, same, check, gpkg)
    check_charts(page, ind, head, same, check, zone)
    check(page.tables > 0 and page.theads == page.tables,
          "%d tables, %d with a <thead>" % (page.tables, page.theads))
    check(page.body.get("data-as-of") == as_of,
          "page as of %s, GeoPackage %s" % (page.body.get("data-as-of"), as_of))
    check(page.note, "the single-run note")
    check(not page.external, "the page refers to outside resources: %s" % page.external)
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails or checks == 0 else 0


def check_sums(page, ind, zones, same, check, gpkg):
    # the zones and the outside row add up to the province
    for k in ("restoration_done_ha", "reclamation_done_ha"):
        outside = ind[k] - sum(f[k] for f in zones.values())
        same(page.outside.get(k), outside, "outside-the-zones row " + k)
    # green mines: by scale plus unknown scale = total
    if "green_mines" in ind:
        same(page.figures.get("green_mines"), ind["green_mines"], "headline green_mines")
        nums = [int(x) for x in re.findall(r"\d+", page.green_text)]
        check(len(nums) >= 4, "green mines text %r" % page.green_text)
        if len(nums) >= 4:
            total, parts = nums[0], nums[1:4] + nums[4:5]
            check(sum(parts) == total, "green mines %r do not add up" % page.green_text)
        demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../data/demo/mines.shp")
        if "demo" in gpkg and os.path.exists(demo):
            mines = ogr.Open(demo)  # kept open while its features are read
            flagged = [f for f in mines.GetLayer() if f["绿色矿山"] in ("是", "1", "true")]
            scales = [f["规模"] for f in flagged]
            want = [len(flagged), scales.count("大型"), scales.count("中型"), scales.count("小型")]
            unknown = want[0] - sum(want[1:])
            check(nums[:4] == want and (unknown == 0 or nums[4:5] == [unknown]),
                  "green mines %r, mines.shp %s + %d without a scale" % (page.green_text, want,
                                                                       unknown))
    else:
        check("green_mines" not in page.figures, "green mines shown but not in the GeoPackage")


def day(ymd):
    return datetime.date(int(ymd) // 10000, int(ymd) // 100 % 100, int(ymd) % 100)


def check_charts(page, ind, head, same, check, zone):
    targets = {"restoration": 2000.0, "reclamation": 500.0}
    for name, chart in page.charts.items():
        ticks = sorted(chart["ticks"])
        steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:])}
        check(ticks and ticks[0] == 0 and len(steps) == 1, "%s: ticks %s" % (name, ticks))
        if len(steps) == 1:
            step = steps.pop()
            mant = step / 10 ** math.floor(math.log10(step))
            check(any(abs(mant - m) < 1e-9 for m in (1, 2, 2.5, 5)),
                  "%s: tick step %g is not round" % (name, step))
        target = chart.get("target")
        if zone is None:
            check(target is not None and float(target["data-value"]) == targets[name],
                  "%s: target line %s" % (name, target))
        if target is not None:
            check(float(target["data-value"]) in ticks,
                  "%s: target %s not on a tick %s" % (name, target["data-value"], ticks))
        done = head[name + "_done_ha"]
        if target is None or done >= float(target["data-value"]) or done <= 0:
            check("projection" not in chart, "%s: a pace line for a met target" % name)
            continue
        # the pace since the period start, carried on to the target
        t = float(target["data-value"])
        start, as_of = day(ind["period_start"]), day(ind["as_of"])
        pace = done / (as_of - start).days
        met = as_of + datetime.timedelta(days=math.ceil((t - done) / pace))
        proj = chart.get("projection")
        if not check(proj is not None, "%s: no pace line though the target will be missed "
                     "(at this pace met %s)" % (name, met)):
            continue
        got = datetime.date.fromisoformat(proj["data-projected"])
        check(abs((got - met).days) <= 1, "%s: pace line to %s, expected %s" % (name, got, met))
        y_target = float(target["y1"])
        if float(proj["y2"]) != y_target:  # cut at the axis' end
            check(float(proj["y2"]) > y_target, "%s: the pace line overshoots" % name)
        x_next_year = chart["grid"].get(as_of.year + 1)
        check(x_next_year is not None and float(proj["x2"]) > x_next_year,
              "%s: the pace line ends at x %s, before the year after the as-of date (%s)"
              % (name, proj["x2"], x_next_year))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
