#!/usr/bin/env python3
"""test_pages.py -- the check page in real headless Chromium (Debian's
/usr/bin/chromium, driven by playwright-core from npm, installed here from
package-lock.json; nothing downloads a browser).

Builds tests/cli's check fixtures plus a red line whose name is markup, asks
the CLI for the answers the page must show (expected.json), starts
`greenmine serve`, and runs pages.test.js: drop a corner-point file, paste WKT,
paste bad coordinates, draw a polygon, the result's URL, the print view as a
one-page A4 PDF. Screenshots land in WORKDIR/shots (docs/serve.md's pictures
are copies of them). Usage: test_pages.py GREENMINE WORKDIR
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

from osgeo import ogr

GM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
FIX = os.path.join(WORK, "fixtures")
SHOTS = os.path.join(WORK, "shots")
os.makedirs(SHOTS)

if not os.access("/usr/bin/chromium", os.X_OK):
    print("SKIP: /usr/bin/chromium is not installed")
    sys.exit(77)

subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "cli", "test_check.py"), GM, FIX],
               capture_output=True, text=True)
if not os.path.exists(os.path.join(FIX, "apps.gpkg")):
    sys.exit("fixtures were not built")
os.chdir(FIX)

# The red lines plus one whose id and name are markup.
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">红线'
shutil.copy("redlines.gpkg", "redlines_plus.gpkg")
ds = ogr.Open("redlines_plus.gpkg", 1)
lyr = ds.GetLayer(0)
feat = ogr.Feature(lyr.GetLayerDefn())
feat.SetField("红线编号", "X<b>1</b>")
feat.SetField("名称", HOSTILE_NAME)
feat.SetField("类型", "nature_reserve")
feat.SetGeometry(ogr.CreateGeometryFromWkt(
    "POLYGON((112.2 28.0,112.21 28.0,112.21 28.01,112.2 28.01,112.2 28.0))"))
lyr.CreateFeature(feat)
ds = None
HOSTILE_WKT = "POLYGON((112.205 28.005,112.215 28.005,112.215 28.015,112.205 28.015,112.205 28.005))"

ds = ogr.Open("apps.gpkg")
conflict_wkt = [f.GetGeometryRef().ExportToWkt() for f in ds.GetLayer(0)
                if f.GetField("mine_id") == "A-conflict"][0]
ds = None

layers = ["--redlines", "redlines_plus.gpkg", "--zones", "zones.gpkg", "--mines", "mines.gpkg"]


def cli(*args):
    p = subprocess.run([GM, "check", *layers, *args], capture_output=True, text=True)
    return p


expected = {
    "corner": json.loads(cli("--json", "申请-矿区.txt").stdout),
    "conflict": json.loads(cli("--buffer", "200", "--json", conflict_wkt).stdout),
    "conflict_wkt": conflict_wkt,
    "bad_message": cli("bad.txt").stderr.strip().removeprefix("greenmine: error: "),
    "hostile_wkt": HOSTILE_WKT,
    "hostile_name": HOSTILE_NAME,
    "sha256": hashlib.sha256(open("redlines_plus.gpkg", "rb").read()).hexdigest(),
}
assert expected["conflict"]["applications"][0]["verdict"] == "conflict"
with open("expected.json", "w", encoding="utf-8") as f:
    json.dump(expected, f, ensure_ascii=False)

# playwright-core from npm, as locked; it is told never to fetch a browser.
node = os.path.join(WORK, "node")
os.makedirs(node)
for n in ["package.json", "package-lock.json"]:
    shutil.copy(os.path.join(HERE, n), node)
env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=node, env=env,
                   capture_output=True, text=True)
if p.returncode != 0:
    sys.exit(f"npm ci failed: {p.stderr[-2000:]}")

srv = subprocess.Popen([GM, "serve", *layers, "--listen", "127.0.0.1:0"],
                       stdout=subprocess.PIPE, stderr=open(os.path.join(WORK, "serve.log"), "w"),
                       text=True)
m = re.match(r"greenmine serve: (http://127\.0\.0\.1:\d+)/", srv.stdout.readline())
if not m:
    srv.kill()
    sys.exit("serve did not start")
try:  # the server never outlives the test
    t = subprocess.run(["node", os.path.join(HERE, "pages.test.js"), m.group(1), FIX, SHOTS],
                       env=dict(env, NODE_PATH=os.path.join(node, "node_modules")), timeout=300)
finally:
    srv.terminate()
    rc = srv.wait(timeout=30)

# The progress page on a registry of the demo data: two snapshots of the
# eight zones (the parcels as of 2018 and as of 2020).
demo = os.path.join(HERE, "..", "..", "data", "demo")
reg = os.path.join(WORK, "demo.sqlite")
for args in (["--as-of", "2018-12-31", "--parcels", f"{demo}/parcels.gpkg", "--mines",
              f"{demo}/mines.shp", "--zones", f"{demo}/zones.geojson", "--redlines",
              f"{demo}/redlines.gpkg", "--allow-duplicate-ids"],
             ["--as-of", "2020-12-31", "--parcels", f"{demo}/parcels.gpkg",
              "--allow-duplicate-ids"]):
    subprocess.run([GM, "ingest", "-q", "--db", reg, *args], check=True)


def progress(*a):
    return subprocess.run([GM, "progress", "--db", reg, *a], check=True, capture_output=True,
                          text=True).stdout


pj = json.loads(progress("--json"))
zone = [s["zone"] for s in pj["series"] if s["zone"]][0]
with open(os.path.join(WORK, "progress_expected.json"), "w", encoding="utf-8") as f:
    json.dump({"json": pj, "csv": progress("--csv"), "zone_csv": progress("--zone", zone, "--csv"),
               "snapshots": 2}, f, ensure_ascii=False)
srv = subprocess.Popen([GM, "serve", "--demo", "--db", reg, "--listen", "127.0.0.1:0"],
                       stdout=subprocess.PIPE,
                       stderr=open(os.path.join(WORK, "serve_progress.log"), "w"), text=True)
m = re.match(r"greenmine serve: (http://127\.0\.0\.1:\d+)/", srv.stdout.readline())
if not m:
    srv.kill()
    sys.exit("serve --db did not start")
try:
    t2 = subprocess.run(["node", os.path.join(HERE, "progress.test.js"), m.group(1),
                         os.path.join(WORK, "progress_expected.json"), SHOTS],
                        env=dict(env, NODE_PATH=os.path.join(node, "node_modules")), timeout=300)
finally:
    srv.terminate()
    rc2 = srv.wait(timeout=30)

# --basemap: a site's own XYZ tile server (one here on loopback, answering a
# 256 px PNG for any z/x/y and counting what it was asked).
import http.server  # noqa: E402
import struct  # noqa: E402
import threading  # noqa: E402
import zlib  # noqa: E402


def png(w, h, rgb):
    raw = b"".join(b"\0" + bytes(rgb) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


TILE = png(256, 256, (200, 220, 240))
asked = []


class Tiles(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        asked.append(self.path)
        ok = re.fullmatch(r"/t/\d+/\d+/\d+\.png", self.path)
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "image/png")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if ok:
            self.wfile.write(TILE)

    def log_message(self, *a):
        pass


tiles = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
threading.Thread(target=tiles.serve_forever, daemon=True).start()
tile_prefix = f"http://127.0.0.1:{tiles.server_address[1]}/t/"
srv = subprocess.Popen([GM, "serve", *layers, "--basemap", tile_prefix + "{z}/{x}/{y}.png",
                        "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                       stderr=open(os.path.join(WORK, "serve_basemap.log"), "w"), text=True)
m = re.match(r"greenmine serve: (http://127\.0\.0\.1:\d+)/", srv.stdout.readline())
if not m:
    srv.kill()
    sys.exit("serve --basemap did not start")
try:
    t3 = subprocess.run(["node", os.path.join(HERE, "basemap.test.js"), m.group(1), tile_prefix],
                        env=dict(env, NODE_PATH=os.path.join(node, "node_modules")), timeout=300)
finally:
    srv.terminate()
    rc3 = srv.wait(timeout=30)
    tiles.shutdown()
if not asked or not all(re.fullmatch(r"/t/\d+/\d+/\d+\.png", a) for a in asked):
    print(f"FAIL: the tile server was asked {asked[:5]}")
    t3.returncode = 1

# The page's own weight (its HTML, JS and CSS; Leaflet aside) stays small.
web = os.path.join(HERE, "..", "..", "web")
own = sum(os.path.getsize(os.path.join(web, n)) for n in ["index.html", "app.js", "style.css",
                                                          "progress.html", "progress.js"])
ok = (t.returncode == 0 and rc == 0 and t2.returncode == 0 and rc2 == 0 and t3.returncode == 0 and
      rc3 == 0 and own < 150 * 1024)
if own >= 150 * 1024:
    print(f"FAIL: the page's own files are {own} bytes (limit 150 kB)")
if rc != 0 or rc2 != 0 or rc3 != 0:
    print(f"FAIL: serve exited {rc} / {rc2} / {rc3} (see {WORK}/serve*.log)")
sys.exit(0 if ok else 1)
