#!/usr/bin/python3
"""greenmine draw / draw --verify / draws, end to end, against
tests/cli/draw_reference.py (the algorithm reimplemented from docs/draw.md
alone) and against candidates and barred inspectors worked out here from the
fixture's own definition -- never from greenmine's output.

    test_draw.py GREENMINE WORKDIR                 SpatiaLite registry
    test_draw.py GREENMINE WORKDIR --pg DBNAME     PostgreSQL + PostGIS (PGHOST,
                                                   PGPORT, PGUSER set; see test_draw_pg.sh)
"""
import csv
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import draw_reference as ref  # noqa: E402

GM = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2])
PG = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--pg" else None
FAILS = []


def fail(msg):
    print("FAIL:", msg)
    FAILS.append(msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return cond


# ---- the fixture ---------------------------------------------------------------

DATE = "2020-06-30"  # the draw date; two years back: 2018-06-30
AGENCY_A = "湖南省地质院"
AGENCY_B = '长沙有色院, "二所"'  # a comma and quotes: the lists must quote them

# id, name, county ("" = provincial), agency
ROSTER = [
    ("I01", "张伟", "浏阳市", AGENCY_A),
    ("I02", "李娜", "浏阳市", ""),
    ("I03", "王强", "澧县", AGENCY_A),
    ("I04", "刘洋", "澧县", AGENCY_B),
    ("I05", "陈静", "冷水江市", ""),
    ("I06", "杨帆", "冷水江市", AGENCY_B),
    ("I07", "赵磊", "", ""),
    ("I08", "黄敏", "", AGENCY_A),
    ("I09", "周杰", "浏阳市", ""),
    ("I10", "吴芳", "澧县", ""),
    ("I11", "徐波", "冷水江市", ""),
    ("I12", "孙丽", "", ""),
    ("-13", "=HYPERLINK(\"x\")", "石门县", ""),  # formula-like text: the ' rule of the lists
]

COUNTIES = ["浏阳市"] * 14 + ["澧县"] * 10 + ["冷水江市"] * 6 + ["石门县"] * 2
INDUSTRIES = ["coal", "nonferrous", "ferrous", "nonmetal", "sand_gravel", "cement", "stone"]


def licences():
    out = []
    for i, county in enumerate(COUNTIES):
        out.append(dict(licence_no="C43000020%02d%05d" % (10 + i % 7, 1000 + i * 37),
                        county=county, industry=INDUSTRIES[i * 3 % len(INDUSTRIES)],
                        scale=["large", "medium", "small"][i % 3]))
    return out


def events(lic):
    """Events per licence (dicts); the kind decides the fields. Most mines:
    self-assessment, passed verification, listing before the draw date."""
    ev = []

    def add(l, kind, date, **kw):
        ev.append(dict(licence_no=l["licence_no"], kind=kind, event_date=date, **kw))

    for i, l in enumerate(lic):
        if i == 5:  # assessed only: not a candidate
            add(l, "self_assessment", "2019-03-01", score=80)
            continue
        add(l, "self_assessment", "2017-03-01", score=85)
        # every third mine verified by agency A inside the two years (bars I01, I03, I08);
        # every fourth by agency B long before (bars nobody)
        if i % 3 == 0:
            add(l, "verification", "2019-01-10", agency=AGENCY_A, result="pass", score=90)
        elif i % 4 == 1:
            add(l, "verification", "2017-06-01", agency=AGENCY_B, result="pass", score=88)
        else:
            add(l, "verification", "2018-05-01", agency="某评估公司", result="pass", score=86)
        if i == 7:  # listed after the draw date: not a candidate on DATE
            add(l, "listing", "2020-07-15", batch="2020-2")
            continue
        add(l, "listing", "2019-06-01" if i % 3 == 0 else "2018-08-01", batch="2019-1")
        if i == 9:  # blacklisted before the draw: not a candidate
            add(l, "blacklisting", "2020-03-01", reason="spot check failed")
        if i % 5 == 2:  # inspected inside the window by I04 and I07: both barred
            add(l, "spot_check", "2019-09-09", result="pass", inspectors="I04;I07")
        if i % 5 == 3:  # inspected 2018-06-29, one day before the window: nobody barred
            add(l, "spot_check", "2018-06-29", result="pass", inspectors="I12;I05")
        if i == 0:  # inspected on the window's first day: I12 barred
            add(l, "spot_check", "2018-06-30", result="pass", inspectors="I12")
    return ev


def expected_candidates(lic):
    """Listed on DATE, with barred ids, worked out from the fixture's rules above."""
    out = {}
    by_agency = {}
    for r in ROSTER:
        by_agency.setdefault(r[3], []).append(r[0])
    for i, l in enumerate(lic):
        if i in (5, 7, 9):
            continue
        barred = set()
        if i % 3 == 0:
            barred |= set(by_agency[AGENCY_A])
        if i % 5 == 2:
            barred |= {"I04", "I07"}
        if i == 0:
            barred |= {"I12"}
        out[l["licence_no"]] = dict(licence_no=l["licence_no"], county=l["county"],
                                    industry=l["industry"], barred=sorted(barred, key=ref.key))
    return out


# ---- backends ----------------------------------------------------------------------

def db_arg():
    if PG:
        return "PG:host=%s port=%s user=%s dbname=%s" % (
            os.environ["PGHOST"], os.environ["PGPORT"], os.environ["PGUSER"], PG)
    return os.path.join(WORK, "registry.sqlite")


def sql(statement, params=()):
    """Runs one statement; returns rows (lists of text)."""
    if PG:
        # psql variables keep the values out of the SQL text
        args = ["psql", "-X", "-q", "-At", "-F", "\x1f", "-R", "\x1e", "-v", "ON_ERROR_STOP=1", "-d", PG]
        text = statement
        for k, p in enumerate(params):
            args += ["-v", "p%d=%s" % (k, "" if p is None else p)]
            text = text.replace("?", ":'p%d'" % k, 1)
        r = subprocess.run(args, input=text, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(r.stderr)
        out = r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout
        return [l.split("\x1f") for l in out.split("\x1e")] if out else []
    con = sqlite3.connect(db_arg())
    try:
        rows = con.execute(statement, params).fetchall()
        con.commit()
    finally:
        con.close()
    return [["" if v is None else str(v) for v in r] for r in rows]


def fill_registry(lic, ev):
    """Through A1's imports, so the fixture keeps the workflow rules."""
    with open(os.path.join(WORK, "licences.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["采矿许可证号", "矿山名称", "行业", "规模", "县市区", "市州"])
        for l in lic:
            w.writerow([l["licence_no"], "矿山" + l["licence_no"][-4:], l["industry"], l["scale"],
                        l["county"], "长沙市"])
    cols = ["licence_no", "kind", "event_date", "score", "agency", "result", "batch", "reason",
            "inspectors", "draw_id", "findings"]
    with open(os.path.join(WORK, "events.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for e in ev:
            w.writerow([e.get(c, "") for c in cols])
    run("licences", "import", "--db", db_arg(), "licences.csv", "--by", "test")
    run("events", "import", "--db", db_arg(), "events.csv", "--by", "test")


def run(*args, expect=0):
    r = subprocess.run([GM] + list(args), capture_output=True, text=True, cwd=WORK)
    if r.returncode != expect:
        fail("greenmine %s: exit %d, expected %d\n%s%s" % (" ".join(args), r.returncode, expect,
                                                           r.stdout, r.stderr))
    return r


def draws_count():
    return int(sql("SELECT count(*) FROM draw")[0][0])


# ---- the tests ----------------------------------------------------------------------

def compare_with_reference(name, expected_mines):
    """The record `name` against the Python reimplementation, and its mine list
    against the candidates worked out from the fixture."""
    path = os.path.join(WORK, name)
    r = ref.recompute(path)
    check(r["rows"] == r["recorded"],
          "%s: picks differ from the reference\n C:  %s\n py: %s" % (name, r["recorded"], r["rows"]))
    check(r["mines_sha256"] == r["params"]["mines_sha256"], name + ": mine list SHA-256")
    check(r["inspectors_sha256"] == r["params"]["inspectors_sha256"],
          name + ": inspector list SHA-256")
    got = {m["licence_no"]: m for m in r["mines"]}
    check(sorted(got) == sorted(expected_mines),
          "%s: candidates %s, expected %s" % (name, sorted(got), sorted(expected_mines)))
    for k, m in expected_mines.items():
        if k in got:
            check(got[k] == m, "%s: candidate %s is %s, expected %s" % (name, k, got[k], m))
    want_roster = sorted(([dict(inspector_id=a, name=b, county=c, agency=d)
                           for a, b, c, d in ROSTER]), key=lambda x: ref.key(x["inspector_id"]))
    check(r["inspectors"] == want_roster, name + ": the inspector list is not the roster")
    # the pick rules, checked directly too
    by_id = {i[0]: i for i in ROSTER}
    for row in r["recorded"]:
        mine = got.get(row[1])
        for iid in row[4].split(";"):
            ins = by_id.get(iid)
            if not check(ins is not None, "%s: inspector %s not on the roster" % (name, iid)):
                continue
            check(not (ins[2] and ins[2] == mine["county"]),
                  "%s: %s from the mine's own county %s" % (name, iid, mine["county"]))
            check(iid not in mine["barred"],
                  "%s: %s verified or inspected %s in the two years" % (name, iid, row[1]))
    sh = run("draw", "--verify", name)
    check("matches" in sh.stdout, name + ": --verify does not say it matches")
    return r


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    if not PG:
        open(db_arg(), "wb").close()
    lic = licences()
    ev = events(lic)
    # the roster as CSV (GDAL reads it), columns in Chinese, in another order
    with open(os.path.join(WORK, "roster.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "编号", "所属单位", "所在县市区"])
        for r in reversed(ROSTER):
            w.writerow([r[1], r[0], r[3], r[2]])
    run("draws", "--db", db_arg(), "-o", "empty.html")  # creates / migrates the registry
    check(sql("SELECT max(version) FROM schema_version")[0][0] == "5", "schema version 5 (4: the draws; 5: the desk's users)")
    fill_registry(lic, ev)
    cand = expected_candidates(lic)

    seed = '=2020年第2次"抽查", 公证处摇号 483920'
    # 1. share, rounded up: 29 candidates x 10 % = 2.9 -> 3
    run("draw", "--db", db_arg(), "--date", DATE, "--share", "10%", "--inspectors",
        "roster.csv", "--per-mine", "2", "--seed", seed, "-o", "share.csv", "--by", "省厅")
    r = compare_with_reference("share.csv", cand)
    check(len(r["recorded"]) == 3, "share 10%% of 29 gives 3 picks, got %d" % len(r["recorded"]))
    check(len(cand) == 29, "the fixture has 29 candidates")
    # 5 % of 29 = 1.45: rounded up to 2 (rounding to nearest would give 1)
    run("draw", "--db", db_arg(), "--date", DATE, "--share", "5 %", "--inspectors", "roster.csv",
        "--seed", "five", "-o", "five.csv")
    r = compare_with_reference("five.csv", cand)
    check(len(r["recorded"]) == 2, "share 5%% of 29 gives 2 picks, got %d" % len(r["recorded"]))
    # the roster as XLSX (GDAL writes it): the same inspector list, byte for byte
    x = subprocess.run(["ogr2ogr", "-f", "XLSX", "roster.xlsx", "roster.csv"], cwd=WORK,
                       capture_output=True, text=True)
    if check(x.returncode == 0, "ogr2ogr roster.xlsx: " + x.stderr):
        run("draw", "--db", db_arg(), "--date", DATE, "--share", "5%", "--inspectors",
            "roster.xlsx", "--seed", "five", "-o", "five_xlsx.csv")
        a = ref.read_record(os.path.join(WORK, "five.csv"))
        b = ref.read_record(os.path.join(WORK, "five_xlsx.csv"))
        check(a[0]["inspectors_sha256"] == b[0]["inspectors_sha256"] and a[1] == b[1],
              "the XLSX roster gives the CSV roster's list and picks")
    # 2. by count, 3 inspectors a mine
    run("draw", "--db", db_arg(), "--date", DATE, "--count", "7", "--inspectors", "roster.csv",
        "--per-mine", "3", "--seed", "seed two", "-o", "count.csv")
    r = compare_with_reference("count.csv", cand)
    check(len(r["recorded"]) == 7, "--count 7 gives 7 picks")
    # 3. the county floor: 2.5 % of 29 = 0.725 -> 1, but every county gets 1 (4 counties)
    run("draw", "--db", db_arg(), "--date", DATE, "--share", "2.5%", "--inspectors",
        "roster.csv", "--floor-per-county", "1", "--seed", "floor", "-o", "floor.csv")
    r = compare_with_reference("floor.csv", cand)
    counties = sorted(row[2] for row in r["recorded"])
    check(counties == sorted(["浏阳市", "澧县", "冷水江市", "石门县"]),
          "floor 1: one mine of each county, got %s" % counties)
    # floor 3 with share 50%: 15 picks, 石门县 has only 2
    run("draw", "--db", db_arg(), "--date", DATE, "--share", "50", "--inspectors", "roster.csv",
        "--floor-per-county", "3", "--seed", "floor three", "-o", "floor3.csv")
    r = compare_with_reference("floor3.csv", cand)
    n_sm = sum(1 for row in r["recorded"] if row[2] == "石门县")
    check(n_sm == 2 and len(r["recorded"]) >= 15, "floor 3: both 石门县 mines, >= 15 picks")
    # 4. filters
    sub = {k: m for k, m in cand.items() if m["county"] == "澧县" and m["industry"] == "coal"}
    check(len(sub) == 2, "fixture: 2 澧县 coal mines (%d)" % len(sub))
    run("draw", "--db", db_arg(), "--date", DATE, "--count", "1", "--inspectors", "roster.csv",
        "--county", "澧县", "--industry", "煤炭", "--seed", "filters", "-o", "filter.csv")
    compare_with_reference("filter.csv", sub)
    run("draw", "--db", db_arg(), "--date", DATE, "--share", "20%", "--inspectors", "roster.csv",
        "--county", "浏阳市", "--seed", "county only", "-o", "county.csv")
    compare_with_reference("county.csv", {k: m for k, m in cand.items()
                                          if m["county"] == "浏阳市"})
    # several seeds, so the comparison is not one lucky case
    for s in range(6):
        name = "seed%d.csv" % s
        run("draw", "--db", db_arg(), "--date", DATE, "--count", str(5 + s), "--inspectors",
            "roster.csv", "--per-mine", str(1 + s % 3), "--seed", "种子 %d" % s, "-o", name)
        compare_with_reference(name, cand)

    rules_tests()
    cannot_draw()
    tamper_tests()
    registry_tests(seed)
    if not PG:
        demo_draw()
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)
    print("all draw tests passed (%s)" % ("PostGIS" if PG else "SpatiaLite"))


def rules_tests():
    """Each inspector rule has a case that picks a wrong inspector without it:
    the reference with the rule switched off picks a barred inspector for the
    seed used, the C draw must not."""
    cand = expected_candidates(licences())
    lic0 = licences()[0]["licence_no"]  # 浏阳市, verified by agency A, inspected by I12
    mine = cand[lic0]
    insp = [dict(inspector_id=a, name=b, county=c, agency=d) for a, b, c, d in ROSTER]
    eligible = [i for i in insp if i["county"] != mine["county"]
                and i["inspector_id"] not in mine["barred"]]
    k = len(eligible)  # per-mine = every eligible inspector: the set is forced

    def reference_without(rule, seed):
        m = dict(mine)
        if rule == "history":
            m["barred"] = []
        ins = insp if rule != "county" else [dict(i, county="") for i in insp]
        return ref.draw(seed, [m], ins, count=1, per_mine=k)[0][1]

    for rule in ("county", "history"):
        seed = None
        for s in range(50):
            picked = reference_without(rule, "rule %s %d" % (rule, s))
            if any(i not in eligible for i in picked):
                seed = "rule %s %d" % (rule, s)
                break
        if not check(seed, "no seed makes the rule-less %s draw go wrong" % rule):
            continue
        # the C draw on a registry narrowed to that one mine: --county + --industry
        name = "rule_%s.csv" % rule
        run("draw", "--db", db_arg(), "--date", DATE, "--count", "1", "--inspectors",
            "roster.csv", "--per-mine", str(k), "--county", mine["county"], "--industry",
            mine["industry"], "--seed", seed, "-o", name)
        r = ref.recompute(os.path.join(WORK, name))
        row = [x for x in r["recorded"]][0]
        if row[1] != lic0:
            # the filters left other mines; the forced set only holds for lic0
            fail("rule test: the filters left more than %s" % lic0)
            continue
        got = set(row[4].split(";"))
        check(got == {i["inspector_id"] for i in eligible},
              "%s rule: picked %s, the eligible are %s" % (rule, got,
                                                           [i["inspector_id"] for i in eligible]))


def cannot_draw():
    """Too few inspectors: exit 2, the mine named with the reason, nothing written."""
    before = draws_count()
    # per-mine 11 of 13: every mine of 浏阳市 loses I01, I02, I09 by county -> 10 left
    r = run("draw", "--db", db_arg(), "--date", DATE, "--share", "100%", "--inspectors",
            "roster.csv", "--per-mine", "11", "--seed", "too many", "-o", "none.csv", expect=2)
    check("cannot be done" in r.stderr, "the failed draw says it cannot be done: " + r.stderr)
    lic0 = licences()[0]["licence_no"]
    check(lic0 in r.stderr and "3 from its own county" in r.stderr and
          "verified or inspected it" in r.stderr,
          "the failed draw names mine %s and why: %s" % (lic0, r.stderr))
    check(not os.path.exists(os.path.join(WORK, "none.csv")), "a failed draw wrote its record")
    check(not os.path.exists(os.path.join(WORK, "none.mines.csv")), "a failed draw wrote a list")
    check(draws_count() == before, "a failed draw was recorded")
    # no candidates at all, and a count above them
    run("draw", "--db", db_arg(), "--date", "2016-01-01", "--count", "1", "--inspectors",
        "roster.csv", "--seed", "x", "-o", "none.csv", expect=2)
    run("draw", "--db", db_arg(), "--date", DATE, "--count", "30", "--inspectors", "roster.csv",
        "--seed", "x", "-o", "none.csv", expect=2)
    check(draws_count() == before, "a refused draw was recorded")
    # a roster with bad rows: each named by its row, nothing drawn
    with open(os.path.join(WORK, "bad_roster.csv"), "w", encoding="utf-8") as f:
        f.write("编号,姓名,所在县市区\nI01,张伟,浏阳市\n,无编号,澧县\nI01,重复,澧县\nI02,,澧县\n"
                "I0;3,分号,澧县\n")
    r = run("draw", "--db", db_arg(), "--date", DATE, "--count", "1", "--inspectors",
            "bad_roster.csv", "--seed", "x", "-o", "none.csv", expect=2)
    for row, why in ((3, "no inspector id"), (4, "id is also on row 2"), (5, "no name"), (6, "';'")):
        check("row %d: " % row in r.stderr and why in r.stderr,
              "bad roster: row %d (%s) not named: %s" % (row, why, r.stderr))
    with open(os.path.join(WORK, "no_id.csv"), "w", encoding="utf-8") as f:
        f.write("姓名,单位\n张伟,x\n")
    r = run("draw", "--db", db_arg(), "--date", DATE, "--count", "1", "--inspectors",
            "no_id.csv", "--seed", "x", "-o", "none.csv", expect=2)
    check("inspector_id" in r.stderr, "a roster without an id column: " + r.stderr)
    check(draws_count() == before, "a draw with a bad roster was recorded")
    # a date after today: refused
    run("draw", "--db", db_arg(), "--date", "2999-01-01", "--count", "1", "--inspectors",
        "roster.csv", "--seed", "x", "-o", "none.csv", expect=2)
    # a county spelt unlike the licences' (浏阳 for 浏阳市): refused, the inspector named
    with open(os.path.join(WORK, "typo_roster.csv"), "w", encoding="utf-8") as f:
        f.write("编号,姓名,所在县市区\nI01,张伟,浏阳\nI02,李娜,\nI03,王强,澧县\n")
    r = run("draw", "--db", db_arg(), "--date", DATE, "--count", "1", "--inspectors",
            "typo_roster.csv", "--seed", "x", "-o", "typo.csv", expect=2)
    check("I01" in r.stderr and "浏阳" in r.stderr and "county rule would never apply" in
          r.stderr and "I03" not in r.stderr, "the roster's unknown county is named: " + r.stderr)
    check(draws_count() == before, "a draw with an unknown roster county was recorded")


def tamper_tests():
    def copy(tag):
        for suffix in ("", ".mines", ".inspectors"):
            shutil.copy(os.path.join(WORK, "count%s.csv" % suffix),
                        os.path.join(WORK, "%s%s.csv" % (tag, suffix)))
        with open(os.path.join(WORK, tag + ".csv"), encoding="utf-8") as f:
            return f.read()

    def write(tag, text):
        with open(os.path.join(WORK, tag + ".csv"), "w", encoding="utf-8") as f:
            f.write(text)
        # the record names its lists: point it at this copy's
        text = text.replace('"count.mines.csv"', '"%s.mines.csv"' % tag)
        text = text.replace('"count.inspectors.csv"', '"%s.inspectors.csv"' % tag)
        with open(os.path.join(WORK, tag + ".csv"), "w", encoding="utf-8") as f:
            f.write(text)

    text = copy("t0")
    write("t0", text)
    run("draw", "--verify", "t0.csv")  # the untouched copy matches
    # a pick's inspectors swapped
    lines = text.split("\n")
    at = next(i for i, l in enumerate(lines) if l.startswith('"rank"')) + 2
    cells = ref.read_cells(lines[at])
    ids = cells[4].split(";")
    cells[4] = ";".join(reversed(ids))
    lines[at] = ",".join(ref.cell(c) for c in cells)
    copy("t1")
    write("t1", "\n".join(lines))
    r = run("draw", "--verify", "t1.csv", expect=1)
    check("line %d" % (at + 1) in r.stderr and "inspectors" in r.stderr,
          "--verify names the tampered line %d: %s" % (at + 1, r.stderr))
    # another seed
    copy("t2")
    write("t2", text.replace('"seed","seed two"', '"seed","seed 2"'))
    r = run("draw", "--verify", "t2.csv", expect=1)
    check("pick 1" in r.stderr, "--verify after a changed seed names pick 1: " + r.stderr)
    # a mine dropped from the published list: its SHA-256 no longer matches
    copy("t3")
    write("t3", text)
    p = os.path.join(WORK, "t3.mines.csv")
    with open(p, encoding="utf-8") as f:
        ml = f.read().split("\n")
    with open(p, "w", encoding="utf-8") as f:
        f.write("\n".join(ml[:3] + ml[4:]))
    r = run("draw", "--verify", "t3.csv", expect=1)
    check("SHA-256" in r.stderr and "t3.mines.csv" in r.stderr, "--verify: list hash " + r.stderr)
    # ... and with the hash in the record updated too, the recomputed picks differ
    t4 = text.replace(ref.read_record(os.path.join(WORK, "count.csv"))[0]["mines_sha256"],
                      hashlib.sha256("\n".join(ml[:3] + ml[4:]).encode()).hexdigest())
    copy("t4")
    write("t4", t4)
    shutil.copy(p, os.path.join(WORK, "t4.mines.csv"))
    r = run("draw", "--verify", "t4.csv", expect=1)
    check("candidates" in r.stderr or "pick" in r.stderr, "--verify t4: " + r.stderr)
    # a file that is no record at all: exit 2
    with open(os.path.join(WORK, "junk.csv"), "w") as f:
        f.write("a,b\n")
    run("draw", "--verify", "junk.csv", expect=2)
    run("draw", "--verify", "missing.csv", expect=2)


def registry_tests(seed):
    rows = sql("SELECT draw_id, seed, share_percent, per_mine, drawn_by, candidates, "
               "mines_sha256 FROM draw ORDER BY draw_id")
    first = rows[0]
    params, recorded = ref.read_record(os.path.join(WORK, "share.csv"))
    check(first[1] == seed and first[2] == "10" and first[3] == "2" and first[4] == "省厅" and
          first[5] == "29" and first[6] == params["mines_sha256"],
          "the registry's draw row %s against share.csv" % first)
    check(params["draw_id"] == first[0], "draw_id in the record")
    picks = sql("SELECT rank, licence_no, county, industry, inspectors, inspector_names FROM "
                "draw_pick WHERE draw_id = ? ORDER BY rank", (first[0],))
    check(picks == recorded, "draw_pick rows %s against the record %s" % (picks, recorded))
    n_insp = sql("SELECT count(*) FROM inspector WHERE draw_id = ?", (first[0],))[0][0]
    check(n_insp == str(len(ROSTER)), "the roster used is stored (%s rows)" % n_insp)
    stored = sql("SELECT mines_csv FROM draw WHERE draw_id = ?", (first[0],))[0][0]
    with open(os.path.join(WORK, "share.mines.csv"), encoding="utf-8") as f:
        check(f.read().rstrip("\n") == stored.rstrip("\n"), "the mine list's text is stored")
    for table in ("draw", "draw_pick", "inspector"):
        try:
            sql("DELETE FROM %s" % table)
            fail("%s: a DELETE went through (append-only)" % table)
        except Exception:
            pass
    # a spot-check result names the draw; the public record shows it
    lic = recorded[0][1]
    run("events", "add", "--db", db_arg(), "--licence", lic, "--kind", "spot_check", "--date",
        "2020-07-20", "--result", "fail", "--draw", first[0], "--inspectors", recorded[0][4],
        "--findings", "<b>排土场未治理</b>, =1+1", "--by", "I07")
    run("draws", "--db", db_arg(), "-o", "draws.csv")
    with open(os.path.join(WORK, "draws.csv"), encoding="utf-8", newline="") as f:
        pub = list(csv.DictReader(f))
    n_picks = sum(int(x[0]) for x in sql("SELECT count(*) FROM draw_pick"))
    check(len(pub) == n_picks, "draws.csv: one line per pick (%d, %d)" % (len(pub), n_picks))
    mine = [p for p in pub if p["draw_id"] == first[0] and p["licence_no"] == lic]
    if check(len(mine) == 1, "draws.csv has the checked pick"):
        p = mine[0]
        check(p["result"] == "fail" and p["checked_on"] == "2020-07-20" and
              p["findings"] == "<b>排土场未治理</b>, =1+1", "draws.csv result %s" % p)
        check(p["seed"] == "'" + seed, "draws.csv: the seed's leading = is neutralised: %r"
              % p["seed"])
        check(p["mines_sha256"] == params["mines_sha256"], "draws.csv SHA-256")
    pending = [p for p in pub if p["draw_id"] == first[0] and p["licence_no"] != lic]
    check(all(p["result"] == "" for p in pending), "draws.csv: the others pending")
    run("draws", "--db", db_arg(), "-o", "draws.html")
    with open(os.path.join(WORK, "draws.html"), encoding="utf-8") as f:
        page = f.read()
    check("<b>排土场" not in page and "&lt;b&gt;排土场未治理&lt;/b&gt;" in page,
          "draws.html escapes the findings")
    check("<script" not in page and "src=" not in page and "href=" not in page,
          "draws.html: self-contained, no script")
    check(params["mines_sha256"] in page and params["inspectors_sha256"] in page,
          "draws.html shows the SHA-256")
    check('data-result="fail"' in page, "draws.html shows the result")
    check(page.count("<section") == draws_count(), "draws.html: a section per draw")
    # a draw's files published again from the registry verify as the original
    run("draws", "--db", db_arg(), "--draw", first[0], "-o", "again.csv")
    run("draw", "--verify", "again.csv")
    with open(os.path.join(WORK, "again.mines.csv"), "rb") as a, \
            open(os.path.join(WORK, "share.mines.csv"), "rb") as b:
        check(a.read() == b.read(), "the republished mine list is byte for byte the original")


def demo_draw():
    """The example roster goes with the example licences and events (docs/draw.md)."""
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data",
                        "management")
    db = os.path.join(WORK, "demo.sqlite")
    open(db, "wb").close()
    run("licences", "import", "-q", "--db", db, os.path.join(data, "licences_example.csv"))
    run("events", "import", "-q", "--db", db, os.path.join(data, "events_example.csv"))
    run("draw", "--db", db, "--date", "2020-06-30", "--share", "10%", "--inspectors",
        os.path.join(data, "inspectors_example.csv"), "--seed", "示例", "-o", "demo.csv")
    if os.path.exists(os.path.join(WORK, "demo.csv")):
        r = ref.recompute(os.path.join(WORK, "demo.csv"))
        check(r["rows"] == r["recorded"] and len(r["rows"]) > 0, "the demo draw")


if __name__ == "__main__":
    main()
