#!/usr/bin/python3
"""The report as Chromium rendered it (--dump-dom) against the registry's figures.

  check_report.py DOM.html PROGRESS.json [ZONE]

PROGRESS.json is `greenmine progress --json` of the same registry. The headline
figures (data-figure/data-value) must equal the latest snapshot's row of the
province (or ZONE), every row of the progress table (data-as-of, data-zone,
data-field/data-value) its series entry, and the page must load nothing from
outside the file. Exit 1 on any difference.
"""
import json
import re
import sys
from html.parser import HTMLParser


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures, self.cells, self.external, self.row = {}, {}, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k) and re.match(r"^(https?:)?//", a[k]):
                self.external.append(a[k])
        if tag == "link" or (tag == "script" and a.get("src")):
            self.external.append(tag)
        if "data-figure" in a:
            self.figures[a["data-figure"]] = a["data-value"]
        if tag == "tr" and "data-as-of" in a:
            self.row = (a["data-as-of"], a.get("data-zone") or None)
        if tag == "td" and "data-field" in a and self.row:
            self.cells[self.row + (a["data-field"],)] = float(a["data-value"])


def main(dom, progress, zone=None):
    page = Collect()
    page.feed(open(dom, encoding="utf-8").read())
    series = json.load(open(progress))["series"]
    fails = checks = 0

    def same(got, want, what):
        nonlocal fails, checks
        checks += 1
        if got is None or abs(float(got) - want) > 5e-7 * max(1.0, abs(want)):
            fails += 1
            print("FAIL %s: page %s, registry %.6f" % (what, got, want))

    mine = [r for r in series if r["zone"] == zone]
    if not mine:
        print("FAIL no series rows for %r" % zone)
        return 1
    last = mine[-1]
    for k in ("restoration_done_ha", "reclamation_done_ha", "restoration_increment_ha",
              "reclamation_increment_ha", "conflict_mines"):
        same(page.figures.get(k), last[k], "headline " + k)
    if zone is None:
        same(page.figures.get("large_medium_share_pct"), 100 * last["large_medium_share"],
             "headline large_medium_share")
        if last["green_mines"] is not None:
            same(page.figures.get("green_mines"), last["green_mines"], "headline green_mines")
    for r in series:
        if zone is not None and r["zone"] != zone:
            continue
        for k in ("restoration_done_ha", "reclamation_done_ha", "restoration_increment_ha",
                  "reclamation_increment_ha"):
            same(page.cells.get((r["as_of"], r["zone"], k)), r[k],
                 "table %s %s %s" % (r["as_of"], r["zone"], k))
    if page.external:
        fails += 1
        print("FAIL the page refers to outside resources: %s" % page.external)
    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails or checks == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
