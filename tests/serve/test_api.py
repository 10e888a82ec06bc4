#!/usr/bin/env python3
"""test_api.py -- `greenmine serve`'s API against the CLI, and hostile input.

Builds the check fixtures of tests/cli (test_check.py leaves them in its work
folder), starts `greenmine serve` on them, and for each application form (a
GeoPackage upload, the corner-point file as a raw body and as a multipart
field, WKT and GeoJSON text, a zipped shapefile; buffers 0 and 200 m; red lines
in CGCS2000 lon/lat and in Gauss-Kruger) compares POST /api/check with
`greenmine check --json` on the same input field by field -- the figures must
be equal, not close. Then bad and hostile input: the CLI's own message for a
bad corner file, oversize bodies, a polygon over the vertex limit, a broken
zip, markup in data values and pasted text, path names in upload file names,
16 concurrent checks; the server must keep answering.
Usage: test_api.py GREENMINE WORKDIR
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile

from osgeo import ogr

GM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
FIX = os.path.join(WORK, "fixtures")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# The fixtures of tests/cli/test_check.py (its own checks run too; we only
# need the files it leaves).
p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "cli", "test_check.py"), GM, FIX],
                   capture_output=True, text=True)
if not os.path.exists(os.path.join(FIX, "apps.gpkg")):
    print(p.stdout, p.stderr)
    sys.exit("fixtures were not built")
os.chdir(FIX)

# A red line whose attribute values are markup (for the hostile part).
ds = ogr.GetDriverByName("GPKG").CreateDataSource("hostile.gpkg")
from osgeo import osr  # noqa: E402

srs = osr.SpatialReference()
srs.ImportFromEPSG(4490)
lyr = ds.CreateLayer("redlines", srs, ogr.wkbPolygon)
for f in ["红线编号", "名称", "类型"]:
    lyr.CreateField(ogr.FieldDefn(f, ogr.OFTString))
feat = ogr.Feature(lyr.GetLayerDefn())
HOSTILE_NAME = '<img src=x onerror="alert(1)">"\\</script>'
feat.SetField("红线编号", "X<b>1</b>")
feat.SetField("名称", HOSTILE_NAME)
feat.SetField("类型", "nature_reserve")
feat.SetGeometry(ogr.CreateGeometryFromWkt(
    "POLYGON((112.2 28.0,112.21 28.0,112.21 28.01,112.2 28.01,112.2 28.0))"))
lyr.CreateFeature(feat)
ds = None

# The applications as WKT and GeoJSON text, read back from apps.gpkg.
apps = {}
ds = ogr.Open("apps.gpkg")
for f in ds.GetLayer(0):
    apps[f.GetField("mine_id")] = f.GetGeometryRef().Clone()
ds = None

# A zipped shapefile of the applications.
subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "apps_shp", "apps.gpkg"], check=True)
with zipfile.ZipFile("apps_shp.zip", "w") as z:
    for n in sorted(os.listdir("apps_shp")):
        z.write(os.path.join("apps_shp", n), n)


RUNNING = []


@__import__("atexit").register
def _stop_all():
    """No server outlives the test, even when it fails half-way."""
    for p in RUNNING:
        if p.poll() is None:
            p.kill()


class Server:
    def __init__(self, *args):
        self.log = open(os.path.join(WORK, f"serve-{uuid.uuid4().hex[:6]}.log"), "w")
        self.p = subprocess.Popen([GM, "serve", "--listen", "127.0.0.1:0", *args],
                                  stdout=subprocess.PIPE, stderr=self.log, text=True)
        RUNNING.append(self.p)
        line = self.p.stdout.readline()
        m = re.match(r"greenmine serve: (http://127\.0\.0\.1:\d+)/", line)
        if not m:
            self.p.kill()
            sys.exit(f"serve did not start: {line!r}")
        self.url = m.group(1)

    def stop(self):
        self.p.terminate()
        rc = self.p.wait(timeout=30)
        self.log.close()
        return rc


def http(srv, path, body=None, headers=None, method=None):
    req = urllib.request.Request(srv.url + path, data=body, headers=headers or {},
                                 method=method or ("POST" if body is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def send_big(srv, path, body):
    """Sends body, tolerating a server that answers and closes before the
    end (as it should when the body is over the limit); returns the status
    and the body of its answer."""
    import socket
    host, port = srv.url[len("http://"):].split(":")
    s = socket.create_connection((host, int(port)), timeout=60)
    s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
              "Content-Type: text/plain\r\nConnection: close\r\n\r\n".encode())
    try:
        for i in range(0, len(body), 65536):
            s.sendall(body[i:i + 65536])
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.1 (\d+)", head)
    return (int(m.group(1)) if m else 0), rest


def multipart(fields):
    """fields: (name, filename or None, bytes)."""
    b = uuid.uuid4().hex
    out = b""
    for name, fname, data in fields:
        out += f"--{b}\r\n".encode()
        disp = f'form-data; name="{name}"' + (f'; filename="{fname}"' if fname else "")
        out += f"Content-Disposition: {disp}\r\n".encode()
        if fname:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += f"--{b}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={b}"}


def cli(*args):
    p = subprocess.run([GM, "check", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def same(api_body, cli_out, what, ignore=()):
    """Field by field: the API's object equals the CLI's, values exactly."""
    try:
        a, c = json.loads(api_body), json.loads(cli_out)
    except ValueError as e:
        check(False, f"{what}: not JSON ({e}): {api_body[:200]!r} / {cli_out[:200]!r}")
        return None

    def walk(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            check(set(x) == set(y), f"{what}: keys at {path}: {sorted(x)} != {sorted(y)}")
            for k in x:
                if k in y and k not in ignore:
                    walk(x[k], y[k], f"{path}.{k}")
        elif isinstance(x, list) and isinstance(y, list):
            check(len(x) == len(y), f"{what}: length at {path}: {len(x)} != {len(y)}")
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, f"{path}[{i}]")
        else:
            check(x == y and type(x) is type(y), f"{what}: {path}: API {x!r} != CLI {y!r}")

    walk(a, c, "")
    check(len(a["applications"]) > 0, f"{what}: no application")
    return a


# ---- the API equals the CLI -------------------------------------------------
layers = ["--redlines", "redlines.gpkg", "--zones", "zones.gpkg", "--mines", "mines.gpkg"]
srv = Server(*layers)
verdicts = set()
for buf in ["0", "200"]:
    # the GeoPackage batch, uploaded
    body, hdr = multipart([("file", "apps.gpkg", open("apps.gpkg", "rb").read()),
                           ("buffer", None, buf.encode())])
    st, h, out = http(srv, "/api/check", body, hdr)
    rc, cout, cerr = cli(*layers, "--buffer", buf, "--json", "apps.gpkg")
    check(st == 200 and h.get("Content-Type", "").startswith("application/json"),
          f"apps.gpkg buffer {buf}: status {st}")
    a = same(out, cout, f"apps.gpkg buffer {buf}")
    if a:
        verdicts |= {x["verdict"] for x in a["applications"]}
    # the corner-point file: raw body with its name, and as a multipart field
    data = open("申请-矿区.txt", "rb").read()
    q = urllib.parse.quote("申请-矿区.txt")
    st, h, out = http(srv, f"/api/check?buffer={buf}&filename={q}", data)
    rc, cout, cerr = cli(*layers, "--buffer", buf, "--json", "申请-矿区.txt")
    a = same(out, cout, f"corner file raw buffer {buf}")
    if a:
        check(a["applications"][0]["mine_conflict"] is True, "corner file: the mine overlap")
    body, hdr = multipart([("file", "申请-矿区.txt", data), ("buffer", None, buf.encode())])
    st, h, out = http(srv, "/api/check", body, hdr)
    same(out, cout, f"corner file multipart buffer {buf}")
    # each application as WKT and as GeoJSON text
    for name, g in apps.items():
        for text in [g.ExportToWkt(), g.ExportToJson()]:
            st, h, out = http(srv, f"/api/check?buffer={buf}", text.encode())
            rc, cout, cerr = cli(*layers, "--buffer", buf, "--json", text)
            same(out, cout, f"{name} {'WKT' if text[0] != '{' else 'GeoJSON'} buffer {buf}")
    # a zipped shapefile: the CLI reads the same zip through /vsizip/
    body, hdr = multipart([("file", "apps_shp.zip", open("apps_shp.zip", "rb").read()),
                           ("buffer", None, buf.encode())])
    st, h, out = http(srv, "/api/check", body, hdr)
    rc, cout, cerr = cli(*layers, "--buffer", buf, "--json", "/vsizip/apps_shp.zip")
    a = same(out, cout, f"zipped shapefile buffer {buf}", ignore=("origin",))
    if a:
        check(all(x["origin"].startswith("apps_shp.zip") for x in a["applications"]),
              f"zip origins name the upload: {[x['origin'] for x in a['applications']]}")
check(verdicts == {"conflict", "near", "clear"}, f"verdicts covered: {verdicts}")

# The result's own URL: the same check, plus the geometries the page draws.
st, h, out = http(srv, "/api/check?buffer=200", apps["A-conflict"].ExportToWkt().encode())
loc = h.get("Location", "")
check(st == 200 and re.fullmatch(r"/api/results/[0-9a-f]{32}", loc), f"Location {loc!r}")
st, h, res = http(srv, loc)
if st == 200:
    r = json.loads(res)
    check(r["check"] == json.loads(out), "result: the check object kept")
    kinds = [f["properties"]["kind"] for f in r["geometry"]["features"]]
    check(kinds.count("application") == 1 and kinds.count("buffer") == 1 and
          kinds.count("redline_overlap") == 2, f"result geometry kinds {kinds}")
    ov = sum(f["properties"]["overlap_ha"] for f in r["geometry"]["features"]
             if f["properties"]["kind"] == "redline_overlap")
    per = sum(x["overlap_ha"] for x in r["check"]["applications"][0]["redlines"])
    check(abs(ov - per) < 1e-6, f"result overlaps {ov} vs {per}")
    check(r["data"]["layers"]["redlines"]["sha256"] is not None and
          "/" not in r["data"]["layers"]["redlines"]["source"], f"data ref {r['data']}")
else:
    check(False, f"result URL: {st}")
st, h, out = http(srv, "/api/results/" + "0" * 32)
check(st == 404 and json.loads(out)["error"], f"unknown result: {st}")

# Health, zones, layers.
st, h, out = http(srv, "/api/health")
hl = json.loads(out)
check(st == 200 and hl["status"] == "ok" and hl["data"]["layers"]["redlines"]["features"] == 3,
      f"health {out[:200]!r}")
st, h, out = http(srv, "/api/zones")
z = json.loads(out)["zones"]
check([x["name"] for x in z] == ["浏阳市"] and abs(z[0]["bbox"][0] - 111.9) < 1e-9, f"zones {z}")
st, h, out = http(srv, "/api/layers/redlines?bbox=112.04,27.99,112.07,28.02&zoom=14")
fc = json.loads(out)
ids = [f["properties"]["redline_id"] for f in fc["features"]]
check(st == 200 and ids == ["R3"], f"layers in view: {ids}")  # R1, R2 end at 112.03
st, h, out = http(srv, "/api/layers/redlines?bbox=1,2,3")
check(st == 400 and json.loads(out)["field"] == "bbox", f"bad bbox: {st}")
st, h, out = http(srv, "/api/layers/parcels")
check(st == 404, f"parcels without a registry: {st}")
st, h, out = http(srv, "/api")
check(st == 200 and "/api/check" in json.loads(out)["paths"], f"OpenAPI at /api: {st}")
check(srv.stop() == 0, "serve exits 0 on SIGTERM")

# Red lines in Gauss-Kruger: the same figures as the CLI on the same file.
srv = Server("--redlines", "redlines_gk.gpkg")
for name in ["A-near", "A-far", "A-conflict"]:
    text = apps[name].ExportToWkt()
    st, h, out = http(srv, "/api/check?buffer=200", text.encode())
    rc, cout, cerr = cli("--redlines", "redlines_gk.gpkg", "--buffer", "200", "--json", text)
    same(out, cout, f"Gauss-Kruger red lines, {name}")
# The CRS of pasted text, as --crs.
gk = apps["A-conflict"].Clone()
t = osr.SpatialReference()
t.ImportFromEPSG(4525)
t.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
s = osr.SpatialReference()
s.ImportFromEPSG(4490)
s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
gk.Transform(osr.CoordinateTransformation(s, t))
st, h, out = http(srv, "/api/check?crs=EPSG:4525", gk.ExportToWkt().encode())
rc, cout, cerr = cli("--redlines", "redlines_gk.gpkg", "--crs", "EPSG:4525", "--json",
                     gk.ExportToWkt())
same(out, cout, "pasted WKT in EPSG:4525")
srv.stop()

# ---- SIGHUP reloads the layers; requests in flight are not dropped -------------
import signal  # noqa: E402
import threading  # noqa: E402

shutil.copy("redlines.gpkg", "live.gpkg")
srv = Server("--redlines", "live.gpkg")
there = "POLYGON((112.205 28.005,112.215 28.005,112.215 28.015,112.205 28.015,112.205 28.005))"
st, h, out = http(srv, "/api/check", there.encode())
check(st == 200 and json.loads(out)["applications"][0]["verdict"] == "clear", "before reload: clear")
statuses, stop = [], threading.Event()


def hammer():
    while not stop.is_set():
        statuses.append(http(srv, "/api/check?buffer=100", apps["A-conflict"].ExportToWkt().encode())[0])


threads = [threading.Thread(target=hammer) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(0.5)
shutil.copy("hostile.gpkg", "live.tmp.gpkg")
os.replace("live.tmp.gpkg", "live.gpkg")
srv.p.send_signal(signal.SIGHUP)


def log_has(text, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if text in open(srv.log.name).read():
            return True
        time.sleep(0.2)
    return False


check(log_has("reloaded the layers"), "SIGHUP: reloaded")
time.sleep(0.5)
stop.set()
for t in threads:
    t.join()
check(len(statuses) > 4 and all(x == 200 for x in statuses),
      f"requests during the reload: {len(statuses)}, statuses {set(statuses)}")
st, h, out = http(srv, "/api/check", there.encode())
a = json.loads(out)["applications"][0]
check(a["verdict"] == "conflict" and a["redlines"][0]["id"] == "X<b>1</b>", f"after reload: {a['verdict']}")
# a reload that fails keeps the old data
with open("live.gpkg", "wb") as f:
    f.write(b"not a geopackage")
srv.p.send_signal(signal.SIGHUP)
check(log_has("reload failed"), "SIGHUP on broken data: the failure said")
st, h, out = http(srv, "/api/check", there.encode())
check(st == 200 and json.loads(out)["applications"][0]["verdict"] == "conflict",
      "after a failed reload: the old data still answers")
check(srv.stop() == 0, "serve exits 0 after reloads")

# ---- bad and hostile input ------------------------------------------------------
srv = Server("--redlines", "hostile.gpkg", "--max-body", "4000000")

# The CLI's message for a bad corner file, next to the field.
rc, cout, cerr = cli("--redlines", "hostile.gpkg", "bad.txt")
msg = cerr.strip().removeprefix("greenmine: error: ")
st, h, out = http(srv, "/api/check?filename=bad.txt", open("bad.txt", "rb").read())
e = json.loads(out)
check(st == 422 and e == {"error": msg, "field": "text"} or e == {"error": msg, "field": "file"},
      f"bad corner file: {st} {e} vs CLI {msg!r}")
body, hdr = multipart([("file", "bad.txt", open("bad.txt", "rb").read())])
st, h, out = http(srv, "/api/check", body, hdr)
check(st == 422 and json.loads(out) == {"error": msg, "field": "file"}, f"bad upload: {st} {out!r}")

# Oversize body: announced (Content-Length) and sent.
big = b"1,3100000.00,37500000.00\n" * 200000  # 5 MB
st, out = send_big(srv, "/api/check?filename=big.txt", big)
check(st == 413 and json.loads(out)["field"] == "body", f"oversize body: {st} {out[:100]!r}")

# 10^6 vertices: over the body limit here; and over the vertex limit on a
# server that takes the body.
ring = [(112.0 + 0.01 * __import__("math").cos(k * 6.283185307179586 / 1e6),
         28.0 + 0.01 * __import__("math").sin(k * 6.283185307179586 / 1e6)) for k in range(1000000)]
wkt = "POLYGON((" + ",".join(f"{x:.7f} {y:.7f}" for x, y in ring + ring[:1]) + "))"
st, out = send_big(srv, "/api/check", wkt.encode())
check(st == 413, f"10^6-vertex polygon: {st}")
srv2 = Server("--redlines", "hostile.gpkg", "--max-body", "64000000")
st, h, out = http(srv2, "/api/check", wkt.encode())
e = json.loads(out)
check(st == 413 and "vertices" in e["error"] and "200000" in e["error"], f"vertex limit: {st} {e}")
st, h, out = http(srv2, "/api/health")
check(st == 200, "still answering after the 10^6-vertex polygon")
srv2.stop()

# --basemap reaches the pages through /api/health (and only there).
tiles = "https://tiles.example.cn/{z}/{x}/{y}.png"
srv4 = Server("--redlines", "hostile.gpkg", "--basemap", tiles)
st, h, out = http(srv4, "/api/health")
check(st == 200 and json.loads(out)["basemap"] == tiles, f"basemap in health: {out[:300]!r}")
srv4.stop()

# Applications per request.
srv3 = Server("--redlines", "hostile.gpkg", "--max-applications", "2")
body, hdr = multipart([("file", "apps.gpkg", open("apps.gpkg", "rb").read())])
st, h, out = http(srv3, "/api/check", body, hdr)
check(st == 413 and "4 applications" in json.loads(out)["error"], f"application limit: {st} {out!r}")
srv3.stop()

# A broken zip, and a zip bomb's cousin: a zip with no layer in it.
body, hdr = multipart([("file", "broken.zip", b"PK\x03\x04 not really a zip")])
st, h, out = http(srv, "/api/check", body, hdr)
check(st == 422 and "broken.zip" in json.loads(out)["error"], f"broken zip: {st} {out!r}")

# Markup in the data's values comes back as JSON strings, byte for byte.
text = "POLYGON((112.205 28.005,112.215 28.005,112.215 28.015,112.205 28.015,112.205 28.005))"
st, h, out = http(srv, "/api/check", text.encode())
a = json.loads(out)["applications"][0]
check(st == 200 and a["redlines"][0]["name"] == HOSTILE_NAME and a["redlines"][0]["id"] == "X<b>1</b>",
      f"markup in data values: {a['redlines']}")
check(h.get("Content-Type", "").startswith("application/json") and
      h.get("X-Content-Type-Options") == "nosniff", f"headers {h}")

# Markup in pasted text: a clear error, the text never echoed as markup.
st, h, out = http(srv, "/api/check", b"<script>alert(1)</script>\n1,2,3\n")
e = json.loads(out)
check(st == 422 and e["field"] == "text" and h.get("Content-Type", "").startswith("application/json"),
      f"markup pasted: {st} {e}")

# Path names in upload file names: the name is reduced to its last part and
# never names anything outside the request's memory.
outside = os.path.join(WORK, "evil.txt")
corner = open("申请-矿区.txt", "rb").read()
for fname in ["../../../../" + outside.lstrip("/"), outside, "..\\..\\evil.txt", "/vsimem/x.txt",
              "/vsicurl/http:/x.txt"]:
    body, hdr = multipart([("file", fname, corner)])
    st, h, out = http(srv, "/api/check", body, hdr)
    o = json.loads(out)
    org = o["applications"][0]["origin"] if st == 200 else ""
    check(st == 200 and re.match(r"(evil|x)\.txt \[EPSG:4525", org),
          f"file name {fname!r}: {st} {org!r}")
    check("/" not in o["applications"][0]["id"] and ".." not in o["applications"][0]["origin"],
          f"file name {fname!r}: id/origin {o['applications'][0]['id']!r}")
check(not os.path.exists(outside), "an upload wrote outside the server's memory")
for fname in ["/etc/passwd", "x.exe", ".."]:
    body, hdr = multipart([("file", fname, b"root:x:0:0")])
    st, h, out = http(srv, "/api/check", body, hdr)
    check(st in (400, 422) and "root" not in out.decode(), f"file name {fname!r}: {st} {out!r}")
# A CRS that names a file is refused (OGR would read it).
st, h, out = http(srv, "/api/check?crs=/etc/passwd", text.encode())
check(st == 400 and json.loads(out)["field"] == "crs", f"crs as a path: {st}")
# Errors never show the server's paths.
st, h, out = http(srv, "/api/check?filename=x.gpkg", b"not a geopackage")
check(st == 422 and WORK not in out.decode() and "/vsimem" not in out.decode(),
      f"no server path in errors: {out!r}")

# Methods and unknown paths.
st, h, out = http(srv, "/api/check")
check(st == 405, f"GET /api/check: {st}")
st, h, out = http(srv, "/api/nothing")
check(st == 404 and "error" in json.loads(out), f"unknown API path: {st}")
st, h, out = http(srv, "/../../etc/passwd")
check(st == 404 and b"root:" not in out, f"path traversal on the pages: {st}")

# 16 concurrent checks answer the same as one.
ref = http(srv, "/api/check", text.encode())[2]
ref_apps = json.loads(ref)["applications"]
with concurrent.futures.ThreadPoolExecutor(16) as ex:
    outs = list(ex.map(lambda _: http(srv, "/api/check", text.encode()), range(64)))
check(all(s == 200 and json.loads(o)["applications"] == ref_apps for s, _, o in outs),
      "concurrent checks differ")
st, h, out = http(srv, "/api/health")
check(st == 200 and srv.p.poll() is None, "the server still answers after the hostile input")
check(srv.stop() == 0, "serve exits 0")

# Bad options and data: exit 2, one line.
p = subprocess.run([GM, "serve", "--redlines", "missing.gpkg", "--listen", "127.0.0.1:0"],
                   capture_output=True, text=True, timeout=60)
check(p.returncode == 2 and "missing.gpkg" in p.stderr and p.stderr.count("\n") == 1,
      f"missing red lines: {p.returncode} {p.stderr!r}")
p = subprocess.run([GM, "serve", "--demo", "--listen", "nowhere"], capture_output=True, text=True)
check(p.returncode == 2 and "--listen" in p.stderr, f"bad --listen: {p.returncode} {p.stderr!r}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("serve API: all checks passed")
