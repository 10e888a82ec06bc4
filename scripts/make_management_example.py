#!/usr/bin/env python3
"""make_management_example.py -- example licences and events for the demo's 400 mines
(data/management/licences_example.csv, events_example.csv), made up from
data/demo/mines.shp: SYNTHETIC, like the demo data, deterministic (fixed seed, no clock).

Licences: the mines' licence numbers, names, minerals, industries and scales; the
county is the one the (made-up) mine name begins with; licensed_on is the year and
month the licence number carries (C + area code + YYYYMM ...).
Events 2018-2020: every mine flagged green assesses itself, passes a verification and is
listed (batch 2018-1, 2019-1 or 2020-1); a few others assess and fail; some listed mines
are spot-checked, one fails, is blacklisted, re-verified and lifted; large and medium
mines report their three rates each year; credit ratings for some enterprises.
Every event keeps the workflow rules (docs/management.md).

Usage: /usr/bin/python3 scripts/make_management_example.py [OUT_DIR]
"""
import csv
import os
import random
import re
import sys

from osgeo import ogr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "data", "management")
CITY = {"浏阳市": "长沙市", "冷水江市": "娄底市", "澧县": "常德市", "慈利县": "张家界市",
        "平江县": "岳阳市", "沅陵县": "怀化市", "衡南县": "衡阳市", "郴州市": "郴州市"}
rnd = random.Random(2017)

ds = ogr.Open(os.path.join(ROOT, "data", "demo", "mines.shp"))
mines = []
for f in ds.GetLayer(0):
    m = {k: f.GetField(k) for k in ("许可证号", "矿山名称", "开采矿种", "行业", "规模", "状态", "绿色矿山")}
    if not m["规模"] or not m["行业"]:
        continue  # a licence needs its industry and scale
    mines.append(m)
mines.sort(key=lambda m: m["许可证号"])

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "licences_example.csv"), "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerow(["采矿许可证号", "矿山名称", "采矿权人", "行业", "矿种", "规模", "县市区", "市州", "发证日期"])
    for m in mines:
        county = re.match(r"^(.+?(?:自治县|县|市|区))", m["矿山名称"]).group(1)
        no = m["许可证号"]
        year, month = int(no[7:11]), int(no[11:13])
        licensed = f"{year}-{month:02d}-01" if 1990 <= year <= 2020 and 1 <= month <= 12 else ""
        m["licensed"] = licensed
        w.writerow([no, m["矿山名称"], m["矿山名称"].replace("矿", "矿业有限公司", 1), m["行业"],
                    m["开采矿种"] or "", m["规模"], county, CITY.get(county, ""), licensed])

rows = []


def event(no, kind, date, **f):
    rows.append(dict(采矿许可证号=no, 事件类型=kind, 日期=date, **f))


blacklisted = False
for i, m in enumerate(mines):
    no = m["许可证号"]
    if m["licensed"] and m["licensed"] > "2018-01-01":
        start_year = int(m["licensed"][:4]) + 1
    else:
        start_year = 2018
    if start_year > 2020:
        continue
    green = m["绿色矿山"] == "是"
    if green or rnd.random() < 0.08:
        y = start_year if not green else rnd.choice([y for y in (2018, 2019, 2020) if y >= start_year])
        event(no, "自评", f"{y}-03-{rnd.randint(1, 28):02d}", 得分=rnd.randint(70, 95),
              文号=f"自评〔{y}〕{i + 1}号")
        passed = green
        event(no, "第三方评估", f"{y}-05-{rnd.randint(1, 28):02d}", 得分=rnd.randint(80, 95) if passed
              else rnd.randint(50, 69), 评估机构=rnd.choice(["湖南省地质矿产评估中心", "湖南某矿业咨询公司"]),
              结果="通过" if passed else "不通过")
        if passed:
            event(no, "入选名录", f"{y}-07-15", 批次=f"{y}-1")
            if y < 2020 and rnd.random() < 0.5:
                fail = not blacklisted
                event(no, "抽查", f"{y + 1}-04-{rnd.randint(1, 28):02d}", 结果="不通过" if fail else "通过",
                      抽取编号=f"SJ-{y + 1}-01", 发现问题="排土场未按方案复绿" if fail else "")
                if fail:
                    blacklisted = True
                    event(no, "列入黑名单", f"{y + 1}-05-10", 原因="抽查不合格，整改前取消激励")
                    event(no, "第三方评估", f"{y + 1}-09-20", 得分=86, 评估机构="湖南省地质矿产评估中心",
                          结果="通过")
                    event(no, "移出黑名单", f"{y + 1}-10-15", 原因="整改完成并重新评估通过")
    if m["规模"] in ("大型", "中型"):
        for y in range(max(start_year, 2018), 2021):
            event(no, "三率", f"{y + 1}-03-31", 年度=y, 开采回采率=rnd.randint(78, 96),
                  选矿回收率=rnd.randint(70, 92), 综合利用率=rnd.randint(35, 75))
    if rnd.random() < 0.1:
        event(no, "信用评价", "2020-06-30", 年度=2019, 信用等级=rnd.choice("AAB"))

head = ["采矿许可证号", "事件类型", "日期", "得分", "文号", "评估机构", "结果", "批次", "抽取编号", "发现问题",
        "原因", "年度", "信用等级", "开采回采率", "选矿回收率", "综合利用率"]
with open(os.path.join(OUT, "events_example.csv"), "w", newline="", encoding="utf-8") as fh:
    w = csv.DictWriter(fh, head)
    w.writeheader()
    w.writerows(rows)
print(f"{len(mines)} licences, {len(rows)} events in {OUT}")
