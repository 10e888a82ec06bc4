#!/usr/bin/python3
"""An independent implementation of the spot-check draw, written from
docs/draw.md alone (sections "The algorithm" and "The record"): hashlib only,
nothing of greenmine's code.

    draw_reference.py draw.csv          recompute the record's draw, print it
    import draw_reference; draw_reference.recompute(path) -> dict
"""
import hashlib
import os
import sys


def read_cells(line):
    """One CSV line of the canonical form: every cell quoted, "" inside."""
    cells, i, n = [], 0, len(line)
    while i < n:
        if line[i] != '"':
            raise ValueError("cell does not start with a quote: %r" % line)
        i += 1
        buf = []
        while True:
            if i >= n:
                raise ValueError("unterminated cell: %r" % line)
            if line[i] == '"':
                if i + 1 < n and line[i + 1] == '"':
                    buf.append('"')
                    i += 2
                    continue
                i += 1
                break
            buf.append(line[i])
            i += 1
        text = "".join(buf)
        if text.startswith("'"):
            text = text[1:]
        cells.append(text)
        if i < n:
            if line[i] != ",":
                raise ValueError("expected a comma: %r" % line)
            i += 1
    return cells


def cell(value):
    if value[:1] in ("=", "+", "-", "@", "'"):
        value = "'" + value
    return '"' + value.replace('"', '""') + '"'


def list_bytes(header, rows):
    out = ",".join(cell(h) for h in header) + "\n"
    for r in rows:
        out += ",".join(cell(v) for v in r) + "\n"
    return out.encode("utf-8")


def read_lines(data):
    text = data.decode("utf-8")
    if not text.endswith("\n"):
        raise ValueError("last line has no LF")
    return [read_cells(l) for l in text[:-1].split("\n")]


class Stream:
    def __init__(self, seed):
        self.key = hashlib.sha256(seed.encode("utf-8")).digest()
        self.block = 0
        self.buf = b""

    def next64(self):
        while len(self.buf) < 8:
            self.buf += hashlib.sha256(self.key + self.block.to_bytes(8, "big")).digest()
            self.block += 1
        x, self.buf = int.from_bytes(self.buf[:8], "big"), self.buf[8:]
        return x

    def uniform(self, n):
        assert n >= 1
        limit = 2**64 - (2**64 % n)
        while True:
            x = self.next64()
            if x < limit:
                return x % n

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.uniform(i + 1)
            a[i], a[j] = a[j], a[i]


def key(s):
    return s.encode("utf-8")


def how_many(c, share, count):
    if count is not None:
        if not 1 <= count <= c:
            raise ValueError("count %d outside 1..%d" % (count, c))
        return count
    # share: decimal with at most two digits after the point -> basis points
    whole, _, frac = share.partition(".")
    assert len(frac) <= 2
    b = int(whole) * 100 + int((frac + "00")[:2])
    assert 0 < b <= 10000
    return (c * b + 9999) // 10000


class DrawFailed(Exception):
    def __init__(self, picks):
        self.picks = picks  # licence numbers that lack inspectors
        super().__init__("too few inspectors for " + ", ".join(picks))


def draw(seed, mines, inspectors, share=None, count=None, per_mine=2, floor=0):
    """mines: list of dicts licence_no, county, industry, barred (list of ids);
    inspectors: dicts inspector_id, name, county, agency. Returns the picks:
    list of (mine dict, [inspector dicts])."""
    mines = sorted(mines, key=lambda m: key(m["licence_no"]))
    inspectors = sorted(inspectors, key=lambda i: key(i["inspector_id"]))
    c = len(mines)
    if c == 0:
        raise ValueError("no candidates")
    n = how_many(c, share, count)
    s = Stream(seed)
    p = list(mines)
    s.shuffle(p)
    selected = set()
    if floor > 0:
        taken = {}
        for m in p:
            cty = m["county"]
            if taken.get(cty, 0) < floor:
                taken[cty] = taken.get(cty, 0) + 1
                selected.add(m["licence_no"])
    for m in p:
        if len(selected) >= n:
            break
        selected.add(m["licence_no"])
    picks = [m for m in p if m["licence_no"] in selected]

    def eligible(m, i):
        county_ok = i["county"] == "" or m["county"] == "" or i["county"] != m["county"]
        return county_ok and i["inspector_id"] not in m["barred"]

    short = [m["licence_no"] for m in picks
             if sum(1 for i in inspectors if eligible(m, i)) < per_mine]
    if short:
        raise DrawFailed(short)
    out = []
    for m in picks:
        e = [i for i in inspectors if eligible(m, i)]
        s.shuffle(e)
        out.append((m, e[:per_mine]))
    return out


def read_record(path):
    """The record's parameters (dict) and pick lines (list of lists)."""
    with open(path, "rb") as f:
        lines = read_lines(f.read())
    if lines[0] != ["key", "value"]:
        raise ValueError("%s: first line is not the key/value header" % path)
    params, i = {}, 1
    while lines[i][0] != "rank":
        params[lines[i][0]] = lines[i][1]
        i += 1
    return params, lines[i + 1:]


def recompute(path):
    params, recorded = read_record(path)
    folder = os.path.dirname(os.path.abspath(path))
    with open(os.path.join(folder, params["mines_file"]), "rb") as f:
        mines_data = f.read()
    with open(os.path.join(folder, params["inspectors_file"]), "rb") as f:
        insp_data = f.read()
    ml = read_lines(mines_data)
    il = read_lines(insp_data)
    assert ml[0] == ["licence_no", "county", "industry", "barred"], ml[0]
    assert il[0] == ["inspector_id", "name", "county", "agency"], il[0]
    mines = [dict(licence_no=r[0], county=r[1], industry=r[2],
                  barred=[b for b in r[3].split(";") if b]) for r in ml[1:]]
    insps = [dict(inspector_id=r[0], name=r[1], county=r[2], agency=r[3]) for r in il[1:]]
    # the lists are canonical: rewriting them from their values gives the same bytes
    assert list_bytes(ml[0], ml[1:]) == mines_data, "mine list is not in canonical form"
    assert list_bytes(il[0], il[1:]) == insp_data, "inspector list is not in canonical form"
    share = params["share_percent"] or None
    count = int(params["count"]) if params["count"] else None
    picks = draw(params["seed"], mines, insps, share=share, count=count,
                 per_mine=int(params["per_mine"]), floor=int(params["floor_per_county"]))
    rows = [[str(r + 1), m["licence_no"], m["county"], m["industry"],
             ";".join(i["inspector_id"] for i in ins), ";".join(i["name"] for i in ins)]
            for r, (m, ins) in enumerate(picks)]
    return dict(params=params, recorded=recorded, rows=rows, mines=mines, inspectors=insps,
                mines_sha256=hashlib.sha256(mines_data).hexdigest(),
                inspectors_sha256=hashlib.sha256(insp_data).hexdigest())


if __name__ == "__main__":
    r = recompute(sys.argv[1])
    for row in r["rows"]:
        print(",".join(row))
    ok = (r["rows"] == r["recorded"] and r["mines_sha256"] == r["params"]["mines_sha256"]
          and r["inspectors_sha256"] == r["params"]["inspectors_sha256"])
    print("matches" if ok else "DIFFERS")
    sys.exit(0 if ok else 1)
