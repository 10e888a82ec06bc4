#!/usr/bin/env python3
"""test_desk_api.py -- who may do what on the management desk of `greenmine
serve --db`, through its API: each role's forbidden actions answer 403 and
write nothing (the event rows are counted in the registry before and after,
with sqlite3 / psql, not through greenmine); writes without the CSRF token or
with a wrong one answer 403; wrong passwords, removed users, throttling,
sign-out, session expiry, `users passwd` ending sessions; what the registry
stores (argon2id strings, session hashes, never a secret in clear); the
public list against the events entered, computed here by hand.

Usage: test_desk_api.py GREENMINE WORKDIR [PG:CONNINFO]
With a PG: registry (tests/serve/test_desk_pg.sh starts one) a second server
on the same registry must accept the first one's session: the servers keep no
state of their own.
"""
import csv
import ctypes
import hashlib
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

GM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PG = sys.argv[3] if len(sys.argv) > 3 else None
HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "..", "data", "demo")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
DB = PG or os.path.join(WORK, "registry.sqlite")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def sql(stmt):
    """Rows of a statement, straight from the database (not through greenmine)."""
    if PG:
        p = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                            "-d", PG[3:], "-c", stmt], capture_output=True, text=True, check=True)
        return [tuple(line.split("\t")) for line in p.stdout.splitlines() if line]
    con = sqlite3.connect(DB)
    try:
        rows = [tuple("" if v is None else str(v) for v in r) for r in con.execute(stmt)]
        con.commit()
        return rows
    finally:
        con.close()


def events():
    return int(sql("SELECT count(*) FROM event")[0][0])


def users(*args, password=None):
    p = subprocess.run([GM, "users", *args, "--db", DB], input=password, capture_output=True,
                       text=True)
    return p


# ---- the registry: users (the CLI, passwords on stdin), licences ------------------------
PASSWORDS = {"prov": "province-pass-1", "liuyang": "liuyang-pass-1", "lixian": "lixian-pass-1",
             "agency1": "agency-pass-12", "insp1": "inspector-pass-1", "insp2": "inspector-pass-2",
             "para": "parallel-pass-1", "gone": "removed-pass-1"}
ROLES = {"prov": ["--role", "province"], "liuyang": ["--role", "county", "--county", "浏阳市"],
         "lixian": ["--role", "county", "--county", "澧县"],
         "agency1": ["--role", "agency", "--agency", "湖南绿矿评估所"],
         "insp1": ["--role", "inspector", "--inspector", "I-001"],
         "insp2": ["--role", "inspector", "--inspector", "I-002"],
         "para": ["--role", "province"], "gone": ["--role", "province"]}
for name, role in ROLES.items():
    p = users("add", name, *role, password=PASSWORDS[name] + "\n")
    check(p.returncode == 0, f"users add {name}: {p.stderr}")
p = users("remove", "gone")
check(p.returncode == 0, f"users remove: {p.stderr}")
p = users("add", "weak", "--role", "province", password="short\n")
check(p.returncode == 2 and "too short" in p.stderr, f"a short password is refused: {p.stderr}")
p = users("add", "x", "--role", "county", password="long-enough-pass\n")
check(p.returncode == 2 and "--county" in p.stderr, f"a county user needs its county: {p.stderr}")
p = users("add", "prov", "--role", "province", password="long-enough-pass\n")
check(p.returncode == 2 and "exists" in p.stderr, "a name is taken once")
p = users("add", "gone", "--role", "province", password="long-enough-pass\n")
check(p.returncode == 2, "a removed user's name stays taken")
p = subprocess.run([GM, "users", "add", "x", "--role", "province", "--password", "secret-pass-1",
                    "--db", DB], capture_output=True, text=True)
check(p.returncode == 2, "no --password option: a password never goes in argv")


def on_tty(answers, *args):
    """`greenmine users ARGS` on a terminal (stdin and stderr a pty): each answer
    typed once its prompt has appeared."""
    import pty
    import select
    master, slave = pty.openpty()
    proc = subprocess.Popen([GM, "users", *args, "--db", DB], stdin=slave, stderr=slave,
                            stdout=subprocess.DEVNULL, start_new_session=True)
    os.close(slave)
    seen, pending, deadline = b"", list(answers), time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other end closed: the program has ended
                break
            if not chunk:
                break
            seen += chunk
            if pending and seen.endswith(b": "):  # a prompt, just printed
                os.write(master, (pending.pop(0) + "\n").encode())
        elif proc.poll() is not None:
            break
    rc = proc.wait(timeout=60)
    os.close(master)
    return rc, seen.decode(errors="replace")


rc, err = on_tty(["tty-pass-one-1", "tty-pass-two-2"], "add", "ttyuser", "--role", "province")
check(rc == 2 and "differ" in err and "Password again" in err, f"a terminal: two passwords that differ ({rc} {err})")
rc, err = on_tty(["tty-pass-one-1", "tty-pass-one-1"], "add", "ttyuser", "--role", "province")
check(rc == 0 and "tty-pass-one-1" not in err, f"a terminal: asked twice, not echoed ({rc} {err})")
ROLES["ttyuser"], PASSWORDS["ttyuser"] = ["--role", "province"], "tty-pass-one-1"
p = users("list", "--json")
listed = {u["name"]: u for u in json.loads(p.stdout)["users"]}
check(sorted(listed) == sorted(ROLES) and listed["liuyang"]["scope"] == "浏阳市" and
      listed["gone"]["removed"] is not None and listed["prov"]["removed"] is None,
      f"users list: {p.stdout}")
stored = sql("SELECT name, password_hash FROM app_user")
check(len(stored) == len(ROLES) and all(h.startswith("$argon2id$") and PASSWORDS[n] not in h
                                        for n, h in stored),
      "passwords are stored as argon2id strings, never in clear")

# The stored strings checked by another implementation: the reference argon2
# library (Debian's libargon2-1), not libsodium, through ctypes.
try:
    ARGON2 = ctypes.CDLL("libargon2.so.1")
except OSError:
    ARGON2 = None
    print("note: libargon2.so.1 is not installed; the argon2id strings are not re-verified")
if ARGON2:
    for n, h in stored:  # Argon2_id = 2; ARGON2_OK 0, ARGON2_VERIFY_MISMATCH -35
        pw = PASSWORDS[n].encode()
        check(ARGON2.argon2_verify(h.encode(), pw, len(pw), 2) == 0 and
              ARGON2.argon2_verify(h.encode(), b"x" + pw, len(pw) + 1, 2) == -35 and
              "$m=65536,t=2,p=1$" in h, f"{n}'s argon2id string verifies with libargon2: {h}")

L1, L2, L3 = "C4300002011031120001", "C4300002012041120002", "C4300002013051120003"
for no, ent, ind, scale, county, city in [
        (L1, "浏阳<b>绿色</b>煤业", "coal", "large", "浏阳市", "长沙市"),
        (L2, "澧县石材有限公司", "stone", "small", "澧县", "常德市"),
        (L3, "浏阳金属矿业", "nonferrous", "medium", "浏阳市", "长沙市")]:
    sql("INSERT INTO licence (licence_no, enterprise, industry, scale, county, city, "
        f"licensed_on, is_new, entered_by, entered_at) VALUES ('{no}', '{ent}', '{ind}', "
        f"'{scale}', '{county}', '{city}', '2011-03-11', 0, 'test', '2020-01-01T00:00:00Z')")


# ---- a server ------------------------------------------------------------------------------
def start(*extra):
    srv = subprocess.Popen([GM, "serve", "--demo", "--db", DB, "--listen", "127.0.0.1:0", *extra],
                           stdout=subprocess.PIPE, stderr=open("serve.log", "a"), text=True)
    m = re.match(r"greenmine serve: http://127\.0\.0\.1:(\d+)/", srv.stdout.readline())
    if not m:
        srv.kill()
        sys.exit("serve did not start: " + open("serve.log").read()[-2000:])
    return srv, int(m.group(1))


class Client:
    """One browser: its own cookie jar (the session cookie) and CSRF token."""

    def __init__(self, port):
        self.port, self.cookie, self.csrf, self.set_cookie = port, None, None, None

    def req(self, method, path, body=None, headers=None, raw=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = "gm_session=" + self.cookie
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if body is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data.encode() if isinstance(data, str) else data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        sc = r.getheader("Set-Cookie")
        if sc:
            self.set_cookie = sc
            m = re.match(r"gm_session=([^;]*)", sc)
            self.cookie = m.group(1) or None
        c.close()
        try:
            return r.status, json.loads(text), r
        except ValueError:
            return r.status, text, r

    def signin(self, name, password=None):
        st, b, _ = self.req("POST", "/api/signin",
                            {"name": name, "password": password or PASSWORDS[name]})
        if st == 200:
            self.csrf = b["csrf"]
        return st, b

    def record(self, ev, csrf=True):
        h = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        return self.req("POST", "/api/events", ev, headers=h)[:2]


srv, port = start()
try:
    # ---- reading is open; writing needs a user -------------------------------------------
    anon = Client(port)
    st, b, _ = anon.req("GET", "/api/session")
    check(st == 200 and b["user"] is None and b["csrf"] is None, f"no session: {b}")
    st, b, _ = anon.req("GET", "/api/list")
    check(st == 200 and b["mines"] == [], f"the public list is open (and empty): {st} {b}")
    st, b, _ = anon.req("GET", "/api/mines")
    check(st == 200 and [m["licence_no"] for m in b["mines"]] == [L1, L2, L3], f"mines: {b}")
    st, b, _ = anon.req("GET", f"/api/mines/{L1}")
    check(st == 200 and b["licence"]["enterprise"] == "浏阳<b>绿色</b>煤业" and
          b["status"]["standing"] == "none", f"a mine's page: {b}")
    st, b, _ = anon.req("GET", "/api/mines/C999")
    check(st == 404, "an unknown licence: 404")
    n0 = events()
    st, b = anon.record({"licence_no": L1, "kind": "self_assessment", "event_date": "2019-03-02",
                         "score": 80})
    check(st == 401 and events() == n0, f"not signed in: 401, nothing written ({st})")

    # ---- sign-in --------------------------------------------------------------------------
    st, b = Client(port).signin("prov", "wrong-password")
    check(st == 401 and b["field"] == "password", f"wrong password: 401 ({st} {b})")
    st, b2 = Client(port).signin("nobody", "wrong-password")
    check(st == 401 and b2["error"] == b["error"], "an unknown name gets the same answer")
    st, b2 = Client(port).signin("gone")
    check(st == 401, f"a removed user cannot sign in ({st})")
    st, b2, _ = Client(port).req("POST", "/api/signin", raw="name=prov&password=x",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    check(st == 415, f"a form-encoded sign-in (a cross-site form) is refused: {st}")

    prov = Client(port)
    st, b = prov.signin("prov")
    check(st == 200 and b["user"] == {"name": "prov", "role": "province", "scope": None} and
          re.fullmatch(r"[0-9a-f]{64}", b["csrf"] or ""), f"province signs in: {b}")
    sc = prov.set_cookie or ""
    check("HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc and "Secure" not in sc,
          f"the cookie is HttpOnly, SameSite=Strict: {sc}")
    rows = sql("SELECT token_hash FROM session")
    secret = bytes.fromhex(prov.cookie or "00")
    check(len(secret) == 32 and len(rows) == 1 and
          rows[0][0] == hashlib.blake2b(secret, digest_size=32).hexdigest() and
          prov.cookie not in rows[0][0], "the registry keeps the BLAKE2b of the session's secret only")
    check(prov.csrf == hashlib.blake2b(b"greenmine csrf v1", digest_size=32, key=secret).hexdigest(),
          "the CSRF token is the keyed BLAKE2b of the session's secret (docs/serve.md)")

    # ---- CSRF: missing, wrong, another session's -------------------------------------------
    ev = {"licence_no": L1, "kind": "self_assessment", "event_date": "2019-03-02", "score": 82,
          "document": "浏自评〔2019〕1号"}
    n0 = events()
    st, b = prov.record(ev, csrf=False)
    check(st == 403 and b["field"] == "csrf" and events() == n0, f"no CSRF token: 403 ({st} {b})")
    st, b, _ = prov.req("POST", "/api/events", ev, headers={"X-CSRF-Token": "0" * 64})
    check(st == 403 and events() == n0, f"a wrong CSRF token: 403 ({st})")
    other = Client(port)
    other.signin("liuyang")
    st, b, _ = prov.req("POST", "/api/events", ev, headers={"X-CSRF-Token": other.csrf})
    check(st == 403 and events() == n0, f"another session's CSRF token: 403 ({st})")
    st, b, _ = prov.req("POST", "/api/events", dict(ev, csrf="1" * 64))
    check(st == 403 and events() == n0, f"a wrong token in the body: 403 ({st})")
    st, b, _ = prov.req("POST", "/api/events", raw=json.dumps(ev),
                        headers={"Content-Type": "text/plain", "X-CSRF-Token": prov.csrf})
    check(st == 415 and events() == n0, f"not JSON: 415 ({st})")
    st, b, _ = prov.req("POST", "/api/events", dict(ev, csrf=prov.csrf))
    check(st == 201 and events() == n0 + 1, f"the token as the form's csrf field: 201 ({st} {b})")
    sa1 = b.get("event_id")

    # ---- each role's forbidden actions: 403, nothing written ----------------------------------
    county, lixian, agency, insp = Client(port), Client(port), Client(port), Client(port)
    for c, n in ((county, "liuyang"), (lixian, "lixian"), (agency, "agency1"), (insp, "insp1")):
        st, b = c.signin(n)
        check(st == 200, f"{n} signs in: {st} {b}")
    base = {"licence_no": L1, "event_date": "2019-04-01"}
    forbidden = [
        ("county, another county's mine", county,
         {"licence_no": L2, "kind": "self_assessment", "event_date": "2019-03-01", "score": 70}),
        ("county of 澧县, a mine of 浏阳市", lixian, dict(base, kind="self_assessment", score=70)),
        ("county, a verification", county,
         dict(base, kind="verification", agency="湖南绿矿评估所", result="pass")),
        ("county, a listing", county, dict(base, kind="listing", batch="2019-1")),
        ("county, a blacklisting", county, dict(base, kind="blacklisting", reason="x")),
        ("county, three rates", county, dict(base, kind="three_rates", year=2019, utilisation=80)),
        ("agency, a self-assessment", agency, dict(base, kind="self_assessment", score=70)),
        ("agency, a listing", agency, dict(base, kind="listing", batch="2019-1")),
        ("agency, another agency's verification", agency,
         dict(base, kind="verification", agency="别的评估所", result="pass")),
        ("agency, a spot check", agency, dict(base, kind="spot_check", result="pass", draw_id="1")),
        ("agency, a credit rating", agency, dict(base, kind="credit_rating", year=2019, grade="A")),
        ("inspector, a verification", insp,
         dict(base, kind="verification", agency="湖南绿矿评估所", result="pass")),
        ("inspector, a listing", insp, dict(base, kind="listing", batch="2019-1")),
        ("inspector, a spot check without its draw", insp, dict(base, kind="spot_check",
                                                                result="fail")),
        ("inspector, a spot check it was not drawn for", insp,
         dict(base, kind="spot_check", result="fail", draw_id="999", inspectors="I-001")),
        ("inspector, lifting", insp, dict(base, kind="lifting", reason="x")),
    ]
    for what, c, e in forbidden:
        n0 = events()
        st, b = c.record(e)
        check(st == 403 and events() == n0, f"{what}: 403 and nothing written ({st} {b})")

    # ---- what each role may do ------------------------------------------------------------------
    n0 = events()
    st, b = county.record({"licence_no": L3, "kind": "self_assessment",
                           "event_date": "2019-03-05", "score": 75})
    check(st == 201 and events() == n0 + 1 and b["event"]["entered_by"] == "liuyang",
          f"county: its own mine's self-assessment ({st} {b})")
    st, b = agency.record(dict(base, kind="verification", result="pass", score=91))
    check(st == 201 and b["event"]["agency"] == "湖南绿矿评估所" and
          b["event"]["entered_by"] == "agency1", f"agency: a verification under its name ({st} {b})")
    ver1 = b.get("event_id")
    # the workflow rules are the event API's: their error, with the field, nothing written
    n0 = events()
    st, b = prov.record({"licence_no": L3, "kind": "listing", "event_date": "2019-05-01",
                         "batch": "2019-1"})
    check(st == 422 and b.get("rule") == "listing_needs_verification" and L3 in b["error"] and
          events() == n0, f"listing without a verification: 422 ({st} {b})")
    st, b = prov.record({"licence_no": L1, "kind": "listing", "event_date": "2099-05-01",
                         "batch": "2019-1"})
    check(st == 422 and b["field"] == "event_date" and events() == n0, f"a future date: {b}")
    st, b = prov.record({"licence_no": L1, "kind": "listing", "event_date": "2019-5-1"})
    check(st == 400 and b["field"] == "event_date" and events() == n0, f"a bad date: {b}")
    st, b = prov.record({"licence_no": "C000", "kind": "listing", "event_date": "2019-05-01",
                         "batch": "x"})
    check(st == 422 and b["field"] == "licence_no" and events() == n0, f"no licence: {b}")
    st, b = prov.record({"licence_no": L1, "kind": "listing", "event_date": "2019-05-01",
                         "batch": "2019-1"})
    check(st == 201 and events() == n0 + 1, f"province: the listing ({st} {b})")

    # the public list, computed here: L1 listed on 2019-05-01, nothing else
    st, b, _ = anon.req("GET", "/api/list?as_of=2019-06-30")
    check(st == 200 and [(m["licence_no"], m["listed_on"], m["batch"]) for m in b["mines"]] ==
          [(L1, "2019-05-01", "2019-1")], f"the public list on 2019-06-30: {b}")
    check(set(b["mines"][0]) == {"licence_no", "enterprise", "county", "city", "industry",
                                 "industry_zh", "scale", "scale_zh", "listed_on", "batch"},
          "the public list shows public fields only")
    # the same as the CLI's public list (greenmine list --csv) on that date
    p = subprocess.run([GM, "list", "--db", DB, "--as-of", "2019-06-30", "--csv"],
                       capture_output=True, text=True)
    cli_rows = list(csv.DictReader(p.stdout.lstrip("\ufeff").splitlines()))
    check(p.returncode == 0 and [(r["licence_no"], r["listed_on"], r["batch"]) for r in cli_rows] ==
          [(m["licence_no"], m["listed_on"], m["batch"]) for m in b["mines"]],
          f"the desk's list is greenmine list's: {p.stdout} {p.stderr}")
    st, b, _ = anon.req("GET", "/api/list?as_of=2019-04-30")
    check(st == 200 and b["mines"] == [], "not yet listed on 2019-04-30")
    st, b, _ = anon.req("GET", "/api/list?as_of=30.4.2019")
    check(st == 400 and b["field"] == "as_of", "a bad as_of: 400")
    st, b, _ = anon.req("GET", f"/api/mines/{L1}")
    check([e["kind"] for e in b["events"]] == ["self_assessment", "verification", "listing"] and
          b["status"]["standing"] == "listed" and b["status"]["verification_agency"] ==
          "湖南绿矿评估所", f"the mine's history and status: {b}")
    check(sql(f"SELECT entered_by FROM event WHERE event_id = {sa1}") == [("prov",)],
          "entered_by is the signed-in user")

    # corrections: an agency corrects its own verification, not another agency's
    st, b = prov.record({"licence_no": L3, "kind": "verification", "event_date": "2019-04-02",
                         "agency": "别的评估所", "result": "pass"})
    check(st == 201, f"province: a verification by another agency ({st} {b})")
    other_ver = b.get("event_id")
    n0 = events()
    st, b = agency.record({"licence_no": L3, "kind": "verification", "event_date": "2019-04-02",
                           "result": "pass", "score": 60, "supersedes": other_ver})
    check(st == 403 and events() == n0, f"agency: another agency's verification corrected ({st} {b})")
    st, b = agency.record(dict(base, kind="verification", result="pass", score=93,
                               supersedes=ver1))
    check(st == 201 and events() == n0 + 1 and b["event"]["supersedes"] == ver1,
          f"agency: its own verification corrected ({st} {b})")
    ver2 = b.get("event_id")
    st, b, _ = anon.req("GET", f"/api/mines/{L1}")
    vers = [(e["event_id"], e["counts"], e["score"]) for e in b["events"]
            if e["kind"] == "verification"]
    check(vers == [(ver1, False, 91.0), (ver2, True, 93.0)] and
          b["status"]["standing"] == "listed",
          f"the corrected verification no longer counts: {vers}")
    # each event names what replaced it, and its kind in Chinese
    check([(e["superseded_by"], e["kind_zh"]) for e in b["events"] if e["kind"] == "verification"]
          == [(ver2, "第三方评估"), (None, "第三方评估")], f"superseded_by, kind_zh: {b['events']}")
    # the desk's events are the CLI's (`events list --json`), field for field and in order
    p = subprocess.run([GM, "events", "list", "--db", DB, "--licence", L1, "--json"],
                       capture_output=True, text=True)
    cli = json.loads(p.stdout)["events"] if p.returncode == 0 else p.stderr
    check([list(e.items()) for e in b["events"]] == [list(e.items()) for e in cli],
          f"the desk's events are those of events list --json: {b['events']} {cli}")

    # ---- an inspector records the spot check it was drawn for (greenmine draw) --------------
    # the roster: I-001 (provincial) and I-002 of 浏阳市, whom the county rule bars from L1
    with open("roster.csv", "w", encoding="utf-8") as f:
        f.write("inspector_id,name,county,agency\nI-001,张检查,,省自然资源厅\nI-002,李检查,浏阳市,\n")
    p = subprocess.run([GM, "draw", "--db", DB, "--date", "2019-06-30", "--count", "1",
                        "--per-mine", "1", "--inspectors", "roster.csv", "--seed", "2019 第二季度",
                        "--by", "prov", "-q", "-o", "draw.csv"], capture_output=True, text=True)
    check(p.returncode == 0, f"greenmine draw: {p.stderr}")
    picks = sql("SELECT draw_id, licence_no, inspectors FROM draw_pick")
    check(len(picks) == 1 and picks[0][1:] == (L1, "I-001"), f"the draw picked L1 and I-001: {picks}")
    draw_id = picks[0][0] if picks else "1"
    n0 = events()
    st, b = insp.record({"licence_no": L3, "kind": "spot_check", "event_date": "2019-07-15",
                         "draw_id": draw_id, "result": "pass"})
    check(st == 403 and events() == n0, f"inspector: a mine of the draw it was not drawn for ({st})")
    insp2 = Client(port)
    insp2.signin("insp2")
    st, b = insp2.record({"licence_no": L1, "kind": "spot_check", "event_date": "2019-07-15",
                          "draw_id": draw_id, "result": "pass", "inspectors": "I-002"})
    check(st == 403 and events() == n0, f"inspector: a pick another inspector was drawn for ({st})")
    st, b = insp.record({"licence_no": L1, "kind": "spot_check", "event_date": "2019-07-15",
                         "draw_id": draw_id, "result": "fail", "inspectors": "I-002"})
    check(st == 403 and events() == n0, f"inspector: the inspectors must include itself ({st})")
    st, b = insp.record({"licence_no": L1, "kind": "spot_check", "event_date": "2019-07-15",
                         "draw_id": draw_id, "result": "fail", "findings": "排土场未复绿"})
    check(st == 201 and events() == n0 + 1 and b["event"]["inspectors"] == "I-001" and
          b["event"]["entered_by"] == "insp1", f"inspector: its own spot check ({st} {b})")
    st, b, _ = anon.req("GET", "/api/draws")
    d = b["draws"][0] if st == 200 and b["draws"] else {}
    check(d.get("seed") == "2019 第二季度" and [(p["licence_no"], p["inspectors"][0]["inspector_id"],
                                             (p["result"] or {}).get("result"))
                                            for p in d.get("picks", [])] == [(L1, "I-001", "fail")],
          f"the public record of the draws, open, with the result: {b}")
    st, b, r = anon.req("GET", "/api/draws.csv")
    check(st == 200 and "text/csv" in r.getheader("Content-Type") and L1 in b,
          "the draws as CSV")

    # ---- throttling: five wrong passwords, then the name is locked ------------------------------
    for i in range(5):
        st, _ = Client(port).signin("lixian", "wrong-password")
        check(st == 401, f"wrong password {i + 1}: 401")
    st, b = Client(port).signin("lixian", "wrong-password")
    c6 = Client(port)
    st2, b2 = c6.signin("lixian")  # right, but the name is locked now
    check(st == 429 and st2 == 429 and b2["field"] == "password",
          f"locked after 5 failures, even with the right password: {st} {st2}")
    st, b, r = Client(port).req("POST", "/api/signin", {"name": "lixian",
                                                        "password": PASSWORDS["lixian"]})
    ra = int(r.getheader("Retry-After") or 0)
    check(st == 429 and 0 < ra <= 30, f"Retry-After {ra}")
    st, b, _ = lixian.req("GET", "/api/session")
    check(b["user"] and b["user"]["name"] == "lixian", "an open session is not ended by the lock")

    # wrong passwords tried at once all count (the registry counts them, not each server)
    import threading
    codes = []
    ts = [threading.Thread(target=lambda: codes.append(Client(port).signin("para", "wrong-pw-x")[0]))
          for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    fails = sql("SELECT failures FROM app_user WHERE name = 'para'")
    st, _ = Client(port).signin("para")
    n401 = codes.count(401)
    check(fails == [(str(n401),)] and n401 >= 5 and st == 429 and set(codes) <= {401, 429},
          f"8 wrong passwords at once: each refusal counted ({fails}, {codes}), then locked ({st})")

    # ---- sign-out, passwd, remove end sessions -----------------------------------------------
    st, b, _ = agency.req("POST", "/api/signout", {}, headers={})
    check(st == 403, f"sign-out needs the CSRF token too ({st})")
    old = agency.cookie
    st, b, _ = agency.req("POST", "/api/signout", {}, headers={"X-CSRF-Token": agency.csrf})
    check(st == 200 and agency.cookie is None and "Max-Age=0" in agency.set_cookie,
          f"sign-out clears the cookie ({st} {agency.set_cookie})")
    agency.cookie = old  # a copy of the cookie kept by someone
    n0 = events()
    st, b = agency.record(dict(base, kind="verification", result="pass", event_date="2019-06-01"))
    check(st == 401 and events() == n0, f"a signed-out session writes nothing ({st})")
    p = users("passwd", "liuyang", "--password-file", "-", password="liuyang-pass-2\n")
    check(p.returncode == 0, f"users passwd: {p.stderr}")
    st, b, _ = county.req("GET", "/api/session")
    check(st == 200 and b["user"] is None, "users passwd ends the user's sessions")
    st, _ = Client(port).signin("liuyang", "liuyang-pass-2")
    check(st == 200, "the new password works")
    users("remove", "insp1")
    st, b = insp.record(dict(base, kind="spot_check", result="pass", draw_id="1"))
    check(st == 401, f"users remove ends the user's sessions ({st})")

    # ---- more servers on the same registry ----------------------------------------------------
    srv2, port2 = start("--session-ttl", "2", "--secure-cookies")
    try:
        c = Client(port2)
        st, b = c.signin("prov")
        check(st == 200 and "Secure" in (c.set_cookie or "") and "Max-Age=2" in c.set_cookie,
              f"--secure-cookies, --session-ttl: {c.set_cookie}")
        st, b, _ = c.req("GET", "/api/session")
        check(b["user"] is not None, "the session works at once")
        time.sleep(3.2)
        st, b, _ = c.req("GET", "/api/session")
        check(b["user"] is None, "the session has expired after --session-ttl")
        n0 = events()
        st, b = c.record({"licence_no": L2, "kind": "self_assessment",
                          "event_date": "2019-03-01", "score": 60})
        check(st == 401 and events() == n0, f"an expired session writes nothing ({st})")
        # a session opened on one server is the same on another (state in the registry)
        moved = Client(port2)
        moved.cookie, moved.csrf = prov.cookie, prov.csrf
        st, b, _ = moved.req("GET", "/api/session")
        check(b["user"] and b["user"]["name"] == "prov", "the first server's session, on the second")
        st, b = moved.record({"licence_no": L2, "kind": "self_assessment",
                              "event_date": "2019-03-01", "score": 60})
        check(st == 201 and events() == n0 + 1, f"and it writes there ({st} {b})")
    finally:
        srv2.terminate()
        srv2.wait(timeout=30)
finally:
    srv.terminate()
    rc = srv.wait(timeout=30)
check(rc == 0, f"serve exits 0 on SIGTERM ({rc})")
log = open("serve.log").read()
check("ERROR: AddressSanitizer" not in log and "runtime error" not in log, "no sanitizer report")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("desk API: all checks passed")
