#!/usr/bin/env python3
"""test_desk_pages.py -- the management desk's pages in real headless Chromium
(Debian's /usr/bin/chromium, driven by playwright-core from npm as locked in
package-lock.json; nothing downloads a browser).

Makes a SpatiaLite registry with four users (`greenmine users add`, passwords
on stdin), three licences (two counties; one enterprise name is markup) and a
self-assessment, starts `greenmine serve --demo --db`, runs desk.test.js (an
agency records a verification, the province lists the mine, the public list
shows it, a county user gets 403 on another county's mine), then reads the
event table with sqlite3: exactly the events the pages recorded, none from the
refused attempts. Screenshots land in WORKDIR/shots (docs/serve.md's desk
pictures are copies of them). Usage: test_desk_pages.py GREENMINE WORKDIR
"""
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

GM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(WORK, ignore_errors=True)
SHOTS = os.path.join(WORK, "shots")
os.makedirs(SHOTS)
os.chdir(WORK)
if not os.access("/usr/bin/chromium", os.X_OK):
    print("SKIP: /usr/bin/chromium is not installed")
    sys.exit(77)

DB = os.path.join(WORK, "registry.sqlite")
L1, L2, L3 = "C4300002011031120001", "C4300002012041120002", "C4300002013051120003"
HOSTILE = '浏阳<img src=x onerror="window.__pwned=1">绿色煤业'
with open("roster.csv", "w", encoding="utf-8") as f:
    f.write("inspector_id,name,county,agency\nI-001,张检查,,省自然资源厅\n")
S = {"L1": L1, "L2": L2, "L3": L3, "L1_enterprise": HOSTILE,
     "draw": [GM, "draw", "--db", DB, "--date", "2019-06-30", "--count", "1", "--per-mine", "1",
              "--inspectors", os.path.join(WORK, "roster.csv"), "--seed", "<b>种子</b>",
              "--by", "test", "-q", "-o", os.path.join(WORK, "draw.csv")],
     "province": {"name": "省厅管理员", "password": "province-pass-1"},
     "county": {"name": "liuyang", "password": "liuyang-pass-1", "scope": "浏阳市"},
     "agency": {"name": "agency1", "password": "agency-pass-12", "scope": "湖南绿矿评估所"}}
for who, role in (("province", ["--role", "province"]),
                  ("county", ["--role", "county", "--county", S["county"]["scope"]]),
                  ("agency", ["--role", "agency", "--agency", S["agency"]["scope"]])):
    subprocess.run([GM, "users", "add", S[who]["name"], *role, "--db", DB, "-q"],
                   input=S[who]["password"] + "\n", text=True, check=True)
con = sqlite3.connect(DB)
for no, ent, county in ((L1, HOSTILE, "浏阳市"), (L2, "澧县石材有限公司", "澧县"),
                        (L3, "浏阳金属矿业", "浏阳市")):
    con.execute("INSERT INTO licence (licence_no, enterprise, industry, scale, county, "
                "licensed_on, is_new, entered_by, entered_at) VALUES (?, ?, 'coal', 'large', ?, "
                "'2011-03-11', 0, 'test', '2020-01-01T00:00:00Z')", (no, ent, county))
con.commit()
con.close()
with open("setup.json", "w", encoding="utf-8") as f:
    json.dump(S, f, ensure_ascii=False)

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

srv = subprocess.Popen([GM, "serve", "--demo", "--db", DB, "--listen", "127.0.0.1:0"],
                       stdout=subprocess.PIPE, stderr=open("serve.log", "w"), text=True)
m = re.match(r"greenmine serve: (http://127\.0\.0\.1:(\d+))/", srv.stdout.readline())
if not m:
    srv.kill()
    sys.exit("serve did not start")
try:  # the server never outlives the test
    # the mine's self-assessment, entered by the province through the API
    c = http.client.HTTPConnection("127.0.0.1", int(m.group(2)), timeout=60)
    c.request("POST", "/api/signin", json.dumps({"name": S["province"]["name"],
                                                 "password": S["province"]["password"]}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    sess = json.loads(r.read())
    cookie = r.getheader("Set-Cookie").split(";")[0]
    c.request("POST", "/api/events", json.dumps({"licence_no": L1, "kind": "self_assessment",
                                                 "event_date": "2019-03-02", "score": 85}),
              {"Content-Type": "application/json", "Cookie": cookie,
               "X-CSRF-Token": sess["csrf"]})
    r = c.getresponse()
    if r.status != 201:
        sys.exit(f"setup: the self-assessment was refused: {r.read()}")
    r.read()
    c.close()
    t = subprocess.run(["node", os.path.join(HERE, "desk.test.js"), m.group(1), "setup.json",
                        SHOTS], env=dict(env, NODE_PATH=os.path.join(node, "node_modules")),
                       timeout=400)
finally:
    srv.terminate()
    rc = srv.wait(timeout=30)

# What the registry holds: the setup's event and the three the pages recorded.
con = sqlite3.connect(DB)
rows = con.execute("SELECT licence_no, kind, event_date, entered_by, agency, batch FROM event "
                   "ORDER BY event_id").fetchall()
con.close()
want = [(L1, "self_assessment", "2019-03-02", S["province"]["name"], None, None),
        (L1, "verification", "2019-04-01", "agency1", S["agency"]["scope"], None),
        (L1, "listing", "2019-05-01", S["province"]["name"], None, "2019-1"),
        (L3, "self_assessment", "2019-03-05", "liuyang", None, None)]
ok = t.returncode == 0 and rc == 0
if rows != want:
    print(f"FAIL: the event table holds {rows}, expected {want}")
    ok = False
web = os.path.join(HERE, "..", "..", "web")
own = sum(os.path.getsize(os.path.join(web, n)) for n in ["desk.html", "desk.js", "desk.css"])
if own >= 60 * 1024:
    print(f"FAIL: the desk's own files are {own} bytes (limit 60 kB)")
    ok = False
if rc != 0:
    print(f"FAIL: serve exited {rc}")
print("desk pages:", "ok" if ok else "FAILED")
sys.exit(0 if ok else 1)
