#!/usr/bin/env python3
"""samples.py -- the corner-point files of tests/data/corners/, written from
the published layouts of the forms planners receive (mining-right notices,
the land exchange TXT, exploration-right blocks in latitude/longitude), with
made-up coordinates near 113.6E 28.2N (Gauss-Kruger 3-degree zone 38).

Each sample keeps the points it was written from, in the file's own
coordinates, and the CRS they are in, so that a test can compute the expected
polygon with pyproj from the points alone (tests/cli/test_check_corners.py).
`/usr/bin/python3 samples.py` rewrites the files (deterministic).
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def shoelace(ring):
    """Plane area (m^2) of a ring of (northing, easting)."""
    a = 0.0
    x0, y0 = ring[0]
    for (xa, ya), (xb, yb) in zip(ring, ring[1:] + ring[:1]):
        a += (ya - y0) * (xb - x0) - (yb - y0) * (xa - x0)
    return abs(a) / 2


def block_area_ha(block):
    """A block's plane area: the first ring, minus the later ones (holes)."""
    return (shoelace(block[0]) - sum(shoelace(r) for r in block[1:])) / 1e4


def dms(d, m, s):
    return d + m / 60 + s / 3600


# ---- the point sets ---------------------------------------------------------
# Projected: (northing X, easting Y with the zone-38 prefix).
ENUM = [(3120000.00, 38460000.00), (3120000.00, 38461200.00), (3120950.00, 38461200.00),
        (3120950.00, 38460000.00)]
HEX = [(3121500.00, 38460000.00), (3121500.00, 38461000.00), (3121900.00, 38461400.00),
       (3122300.00, 38461000.00), (3122300.00, 38460000.00), (3121900.00, 38459600.00)]
MR_SHELL = [(3122800, 38460000), (3122800, 38461000), (3123800, 38461000), (3123800, 38460000)]
MR_HOLE = [(3123050, 38460250), (3123050, 38460750), (3123550, 38460750), (3123550, 38460250)]
MR_TRI = [(3124000, 38460000), (3124000, 38461000), (3124500, 38461000)]
EX1_SHELL = [(3118000.123, 462000.456), (3118000.123, 463100.000), (3118900.000, 463100.000),
             (3118900.000, 462000.456)]
EX1_HOLE = [(3118300.000, 462400.000), (3118300.000, 462600.000), (3118500.000, 462600.000)]
EX2 = [(3117000.0, 462000.0), (3117000.0, 462800.0), (3117600.0, 462800.0),
       (3117600.0, 462300.0), (3117300.0, 462000.0)]
X80 = [(3116000.00, 464000.00), (3116000.00, 465000.00), (3116800.00, 465000.00),
       (3116800.00, 464000.00)]  # without the prefix: the file writes it
CLOSE = [(3115000.00, 38460000.00), (3115000.00, 38460600.00), (3115500.00, 38460600.00),
         (3115500.00, 38460000.00)]
# Degrees: (latitude, longitude) as (d, m, s) triples, latitude first like X.
DMS_PTS = [((28, 14, 30.0), (113, 33, 0.0)), ((28, 14, 30.0), (113, 34, 30.0)),
           ((28, 15, 45.5), (113, 34, 30.0)), ((28, 15, 45.5), (113, 33, 45.0)),
           ((28, 15, 15.0), (113, 33, 0.0))]
DEC_PTS = [(28.2417, 113.5583), (28.2417, 113.5750), (28.2550, 113.5750), (28.2550, 113.5583)]


def dms_text(t, style):
    d, m, s = t
    if style == "unicode":
        return f"{d}°{m:02d}′{s:06.3f}″"
    if style == "ascii":
        sec = f"{s:02.0f}" if s == int(s) else f"{s:04.1f}"
        return f"{d}°{m:02d}'{sec}\""
    if style == "space":
        return f"{d} {m:02d} {s:06.3f}"
    if style == "packed":
        return f"{d}.{m:02d}{int(s):02d}{int(round((s - int(s)) * 10)):d}"
    raise ValueError(style)


def deg(p):
    return [(dms(*la), dms(*lo)) for la, lo in p]


# ---- the files --------------------------------------------------------------
# name: (text, encoding, expected) ; expected = ("ok", crs, blocks) with blocks
# = [[ring, ...], ...] in the file's coordinates, or ("error", needles).

def notice_enum():
    lines = ["某某县某某石灰岩矿采矿权出让公告  矿区范围拐点坐标"]
    for i, (x, y) in enumerate(ENUM, 1):
        lines.append(f"{i}、{x:.2f} ,{y:.2f}")
    lines.append(f"1、{ENUM[0][0]:.2f} ,{ENUM[0][1]:.2f}")
    lines.append("开采深度：由+420米至+180米标高")
    return "\r\n".join(lines) + "\r\n"


def notice_two_column():
    # left column points 1-3, right column 4-6, pasted side by side
    lines = ["拐点\tX坐标\tY坐标\t|\t拐点\tX坐标\tY坐标"]
    for k in range(3):
        (xa, ya), (xb, yb) = HEX[k], HEX[k + 3]
        lines.append(f"{k + 1}\t{xa:.2f}\t{ya:.2f}\t|\t{k + 4}\t{xb:.2f}\t{yb:.2f}")
    return "\n".join(lines) + "\n"


def notice_two_column_odd():
    # 7 points: left 1-4, right 5-7 (the last row holds the left column
    # only); left open, as notices often print it (closed with a warning).
    pts = HEX + [(3121650.00, 38459700.00)]
    lines = ["拐点 X Y 拐点 X Y"]
    for k in range(4):
        xa, ya = pts[k]
        row = f"{k + 1} {xa:.2f} {ya:.2f}"
        if k + 4 < len(pts):
            xb, yb = pts[k + 4]
            row += f" {k + 5} {xb:.2f} {yb:.2f}"
        lines.append(row)
    return "\n".join(lines) + "\n", pts


def mining_right_elev():
    def rows(ring, start):
        return [f"J{start + i} {x} {y}" for i, (x, y) in enumerate(ring)] + \
               [f"J{start} {ring[0][0]} {ring[0][1]}"]
    a1 = block_area_ha([MR_SHELL, MR_HOLE]) / 100  # km2 in the * line
    a2 = block_area_ha([MR_TRI]) / 100
    lines = rows(MR_SHELL, 1) + rows(MR_HOLE, 5)
    lines.append(f"*,{a1:.4f},+350,+120,,1,,,")
    lines += [f"{i + 1} {x} {y}" for i, (x, y) in enumerate(MR_TRI)]
    lines.append(f"1 {MR_TRI[0][0]} {MR_TRI[0][1]}")
    lines.append(f"*,{a2:.4f},+300,-50,,2,,,")
    return "\n".join(lines) + "\n"


def exchange(blocks, names, datum="2000国家大地坐标系", zone=38, prefix=False,
             drop_line=None, area_delta=0.0):
    """The land exchange TXT: [属性描述] keys, a "...,@" header per block
    (界址点数 = its coordinate lines, closing repeats included; 地块面积 in ha
    to 4 decimals) and 点号,圈号,X,Y lines."""
    head = ["[属性描述]", "格式版本号=1.01", "数据产生单位=某某市自然资源和规划局",
            "数据产生日期=2020-06-18", f"坐标系={datum}", "几度分带=3", "投影类型=高斯克吕格",
            "计量单位=米", f"带号={zone}", "精度=0.001", "转换参数=,,,,,,", "[地块坐标]"]
    out = list(head)
    for b, (block, name) in enumerate(zip(blocks, names), 1):
        pts = []
        n = 1
        for ring_no, ring in enumerate(block, 1):
            first = n
            for x, y in ring:
                pts.append(f"J{n},{ring_no},{x:.3f},{y + (zone * 1e6 if prefix else 0):.3f}")
                n += 1
            x, y = ring[0]
            pts.append(f"J{first},{ring_no},{x:.3f},{y + (zone * 1e6 if prefix else 0):.3f}")
        if drop_line is not None and b == 1:
            del pts[drop_line]
            count = len(pts) + 1
        else:
            count = len(pts)
        area = block_area_ha(block) + (area_delta if b == 1 else 0)
        out.append(f"{count},{area:.4f},{b},{name},面,H49G012034,采矿用地,0602,@")
        out += pts
    return "\r\n".join(out) + "\r\n"


def exploration(style, key=None, title=None):
    lines = []
    if key:
        lines.append(key)
    lines.append(title or "点号,纬度,经度")
    sep = " " if style in ("space", "ascii") else ","
    for i, (la, lo) in enumerate(DMS_PTS, 1):
        lines.append(f"{i}{sep}{dms_text(la, style)}{sep}{dms_text(lo, style)}")
    la, lo = DMS_PTS[0]
    lines.append(f"1{sep}{dms_text(la, style)}{sep}{dms_text(lo, style)}")
    return "\n".join(lines) + "\n"


def closing_by_number():
    lines = ["点号 X Y"] + [f"{i} {x:.2f} {y:.2f}" for i, (x, y) in enumerate(CLOSE, 1)] + ["1"]
    return "\n".join(lines) + "\n"


def build():
    odd_text, odd_pts = notice_two_column_odd()
    s = {}
    s["notice_enum.txt"] = (notice_enum(), "utf-8", ("ok", "EPSG:4526", [[ENUM]]), [])
    s["notice_two_column.txt"] = (notice_two_column(), "utf-8",
                                  ("ok", "EPSG:4526", [[HEX]]), [])
    s["notice_two_column_odd.txt"] = (odd_text, "utf-8", ("ok", "EPSG:4526", [[odd_pts]]), [])
    s["mining_right_elev.txt"] = (mining_right_elev(), "utf-8",
                                  ("ok", "EPSG:4526", [[MR_SHELL, MR_HOLE], [MR_TRI]]), [])
    s["exchange_gbk.txt"] = (exchange([[EX1_SHELL, EX1_HOLE], [EX2]], ["东矿段", "西矿段"]),
                             "gbk", ("ok", "EPSG:4547", [[EX1_SHELL, EX1_HOLE], [EX2]]), [])
    s["exchange_xian80.txt"] = ("\ufeff" + exchange([[X80]], ["某某矿"], datum="1980西安坐标系",
                                                    prefix=True), "utf-8",
                                ("ok", "EPSG:2383", [[X80]]), [])
    s["exploration_dms.txt"] = (exploration("unicode", key="坐标系=2000国家大地坐标系"), "utf-8",
                                ("ok", "EPSG:4490", [[deg(DMS_PTS)]]), [])
    s["exploration_dms_ascii.txt"] = (exploration("ascii"), "gb18030",
                                      ("ok", "EPSG:4490", [[deg(DMS_PTS)]]), [])
    s["exploration_dms_space.txt"] = (exploration("space", title="拐点 纬度 经度"), "utf-8",
                                      ("ok", "EPSG:4490", [[deg(DMS_PTS)]]), [])
    s["exploration_packed_key.txt"] = (exploration("packed", key="坐标格式=度分秒"), "utf-8",
                                       ("ok", "EPSG:4490", [[deg(DMS_PTS)]]), [])
    s["exploration_packed_title.txt"] = (
        exploration("packed", title="点号,纬度(ddd.mmss),经度(ddd.mmss)"), "utf-8",
        ("ok", "EPSG:4490", [[deg(DMS_PTS)]]), [])
    dec = "\n".join(["坐标格式=十进制度", "点号,纬度,经度"] +
                    [f"{i},{la:.4f},{lo:.4f}" for i, (la, lo) in enumerate(DEC_PTS, 1)]) + "\n"
    s["exploration_decimal.txt"] = (dec, "utf-8", ("ok", "EPSG:4490", [[DEC_PTS]]), [])
    s["closing_by_number.txt"] = (closing_by_number(), "utf-8",
                                  ("ok", "EPSG:4526", [[CLOSE]]), [])
    # ---- refused: exit 2, the line and the reason
    s["bad_packed_ambiguous.txt"] = (exploration("packed"), "utf-8",
                                     ("error", ["line 2:", "decimal degrees", "ddd.mmss",
                                                "--dms"]), [])
    s["bad_exchange_missing_line.txt"] = (
        exchange([[EX1_SHELL, EX1_HOLE], [EX2]], ["东矿段", "西矿段"], drop_line=2), "gbk",
        ("error", ["line 13:", "block 1 (东矿段)", "界址点数 9", "8 coordinate lines"]), [])
    s["bad_exchange_area.txt"] = (
        exchange([[EX1_SHELL, EX1_HOLE], [EX2]], ["东矿段", "西矿段"], area_delta=0.0150), "gbk",
        ("error", ["line 13:", "block 1 (东矿段)", "地块面积", "ha in the Gauss-Kruger plane"]), [])
    s["bad_dms_minutes.txt"] = ("1,28°74′30″,113°33′00″\n2,28°14′30″,113°34′30″\n"
                                "3,28°15′45″,113°34′30″\n", "utf-8",
                                ("error", ["line 1:", "minutes 74 is not below 60"]), [])
    s["bad_two_column_order.txt"] = (
        "拐点 X Y 拐点 X Y\n1 3121500.00 38460000.00 3 3122300.00 38461000.00\n"
        "2 3121500.00 38461000.00 7 3122300.00 38460000.00\n", "utf-8",
        ("error", ["line 2:", "two-column table", "reading order"]), [])
    s["bad_closing_typo.txt"] = (
        "1,3115000.00,38460000.00\n2,3115000.00,38460600.00\n3,3115500.00,38460600.00\n"
        "4,3115500.00,38460000.00\n1,3115000.30,38460000.00\n", "utf-8",
        ("error", ["line 5:", "mistyped closing point"]), [])
    s["bad_xian80_crs_conflict.txt"] = (
        s["exchange_xian80.txt"][0], "utf-8",
        ("error", ["--crs EPSG:4526", "坐标系=1980西安坐标系"]), ["--crs", "EPSG:4526"])
    return s


def write():
    for name, (text, enc, _, _) in build().items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(text.encode(enc))


if __name__ == "__main__":
    write()
    print(f"wrote {len(build())} files to {HERE}")
