#!/usr/bin/env python3
"""make_province.py -- a deterministic synthetic province for the `analyze` benchmark.

Usage: /usr/bin/python3 bench/make_province.py OUTDIR [--scale S] [--seed N]
                        [--profile standard|issue|dense]

Writes into OUTDIR (a temporary folder; never committed), in the demo's four CRSs and
formats (scripts/make_demo_data.py):
  mines.shp       Shapefile, EPSG:4525 (CGCS2000 GK zone 37), GBK attributes:
                  6,901 x S mines (97 x S large, 313 x S medium), 6-24 vertices each;
  redlines.gpkg   GeoPackage, EPSG:4490: 3,000 x S red lines of 500 vertices
                  (1.5 M x S vertices), covering about 20 % of the province's box;
  parcels.gpkg    GeoPackage, EPSG:2382 (Xian 1980 GK CM 111E): 50,000 x S parcels of
                  24 vertices (1.2 M x S), about 15 % overlapping another parcel and
                  about 10 % crossing a zone border;
  zones.geojson   the demo's eight zones (data/demo/zones.geojson), copied.
The same seed, scale and profile give byte-identical attributes and coordinates.  At
scale S the red lines and mines are S times as many over the same province (red lines 1/S
the area each, so the coverage stays ~20 %); parcels are S times as many.

--profile picks the province's shape (issue 14's "province you have not seen"):
  standard  the above: round red lines, ~24 % of the mines in conflict;
  issue     half the red lines are long corridors (river banks, ridges: a 500-vertex
            chain down one side and back up the other, 15-40 times as long as wide, so
            their edges are long and their boxes large), the same ~19 % coverage, and
            a third of the mines in conflict (10 % placed on a red line's border; 34.1 %
            measured at scale 1, the issue's province had 31 %);
  dense     the stress case: the issue's corridors and round red lines summed to 2.1x
            the province (~88 % of it in their union when placed at random; 90.0 % of
            the mines in conflict at scale 1, 94.2 % at scale 10 -- the issue's 92 %);
            run it with --scale 10 for the issue's 30,000 red lines / 15 M vertices.
Cost (session 6): about 8 s of CPU at scale 1 and about 130 s at scale 10 (peak ~2 GB),
any profile; the draws and the bytes are those of the per-feature version before it
(the standard scale-1 province's features compared identical).
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
from osgeo import ogr, osr
from pyproj import Transformer
from shapely.geometry import Point, box, shape
from shapely.prepared import prep

ogr.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
ZONES = os.path.join(HERE, "..", "data", "demo", "zones.geojson")
LON0, LON1, LAT0, LAT1 = 108.8, 114.2, 24.7, 30.0
KM_PER_DEG_LAT = 110.8

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("outdir")
ap.add_argument("--scale", type=float, default=1.0)
ap.add_argument("--seed", type=int, default=20201231)
ap.add_argument("--profile", choices=("standard", "issue", "dense"), default="standard")
args = ap.parse_args()
PROFILE = args.profile
S = args.scale
out = args.outdir
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(args.seed)


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def wkb_polygon(xy):
    """WKB of a one-ring polygon from an (n, 2) array (closed here)."""
    ring = np.vstack([xy, xy[:1]]).astype("<f8")
    return struct.pack("<BIII", 1, 3, 1, len(ring)) + ring.tobytes()


_ANGLES = {}  # n -> (t, 3t, 7t, 17t, sin t, cos t): the same arrays for every ring of n


def blob(clon, clat, r_km, n, wobble):
    """A star-shaped irregular ring of n vertices around (clon, clat), radius ~r_km."""
    a = _ANGLES.get(n)
    if a is None:
        t = np.linspace(0, 2 * np.pi, n, endpoint=False)
        a = _ANGLES[n] = (3 * t, 7 * t, 17 * t, np.sin(t), np.cos(t))
    t3, t7, t17, sin_t, cos_t = a
    ph = rng.uniform(0, 2 * np.pi, 3)
    rr = r_km * (1 + wobble * (0.5 * np.sin(t3 + ph[0]) + 0.3 * np.sin(t7 + ph[1])
                               + 0.2 * np.sin(t17 + ph[2])))
    xy = np.empty((n, 2))
    xy[:, 0] = clon + rr * cos_t / (KM_PER_DEG_LAT * math.cos(math.radians(clat)))
    xy[:, 1] = clat + rr * sin_t / KM_PER_DEG_LAT
    return xy


def corridor(clon, clat, area_km2, n):
    """A long thin ring of n vertices around (clon, clat): a meandering centre line of
    n/2 points, offset by a varying half-width down one side and back up the other
    (a river bank or a ridge). Its area is about area_km2; 15-40 times as long as wide."""
    aspect = rng.uniform(15, 40)
    width = math.sqrt(area_km2 / aspect)
    length = width * aspect
    m = n // 2
    s = np.linspace(-0.5, 0.5, m) * length
    ph = rng.uniform(0, 2 * np.pi, 4)
    theta = rng.uniform(0, np.pi)
    # the centre line meanders: heading varies along it
    head = theta + 0.6 * np.sin(2 * np.pi * s / length * 1.5 + ph[0]) \
        + 0.3 * np.sin(2 * np.pi * s / length * 4 + ph[1])
    ds = length / (m - 1)
    cx = np.concatenate([[0], np.cumsum(np.cos(head[1:]) * ds)])
    cy = np.concatenate([[0], np.cumsum(np.sin(head[1:]) * ds)])
    cx -= cx.mean()
    cy -= cy.mean()
    # the normal at each point, and a half-width that swells and narrows
    nx, ny = -np.sin(head), np.cos(head)
    hw = 0.5 * width * (1 + 0.4 * np.sin(2 * np.pi * s / length * 3 + ph[2])
                        + 0.2 * np.sin(2 * np.pi * s / length * 11 + ph[3]))
    hw[0] = hw[-1] = 0.05 * width  # pointed ends: the chain turns there
    x = np.concatenate([cx + nx * hw, (cx - nx * hw)[::-1]])
    y = np.concatenate([cy + ny * hw, (cy - ny * hw)[::-1]])
    dlat = y / KM_PER_DEG_LAT
    dlon = x / (KM_PER_DEG_LAT * math.cos(math.radians(clat)))
    return np.column_stack([clon + dlon, clat + dlat])


def create(path, driver, layer, epsg, fields, opts=()):
    for ext in ("", ".shx", ".dbf", ".prj", ".cpg"):
        p = path[:-4] + ext if ext else path
        if os.path.exists(p):
            os.remove(p)
    ds = ogr.GetDriverByName(driver).CreateDataSource(path)
    lyr = ds.CreateLayer(layer, srs(epsg), ogr.wkbPolygon, list(opts))
    for name, kind, width in fields:
        fd = ogr.FieldDefn(name, kind)
        if width:
            fd.SetWidth(width)
        lyr.CreateField(fd)
    return ds, lyr


def write(lyr, rows, rings, to_xy):
    # One PROJ call for every vertex (each point is transformed on its own, so the
    # coordinates are those of a call per ring), then each feature's WKB from a slice.
    lens = np.fromiter((len(r) for r in rings), np.int64, len(rings))
    allxy = np.concatenate(rings) if rings else np.empty((0, 2))
    x, y = to_xy.transform(allxy[:, 0], allxy[:, 1])
    xy = np.empty((len(allxy), 2), "<f8")
    xy[:, 0], xy[:, 1] = x, y
    ends = np.cumsum(lens)
    defn = lyr.GetLayerDefn()
    for attrs, e, n in zip(rows, ends.tolist(), lens.tolist()):
        f = ogr.Feature(defn)
        for i, v in enumerate(attrs):
            if v is not None:
                f.SetField(i, v)
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb_polygon(xy[e - n:e])))
        lyr.CreateFeature(f)


# ---- zones: the demo's eight, copied; their shapes steer where parcels go ----
shutil.copy(ZONES, os.path.join(out, "zones.geojson"))
zds = ogr.Open(ZONES)
zones = []
for f in zds.GetLayer(0):
    g = shape(json.loads(f.GetGeometryRef().ExportToJson()))
    zones.append(g)
zprep = [prep(z) for z in zones]
zone_rings = []
for z in zones:
    for p in getattr(z, "geoms", [z]):
        zone_rings.append(np.asarray(p.exterior.coords))
ring_len = np.array([np.sum(np.hypot(*np.diff(r, axis=0).T)) for r in zone_rings])


def _cdf(w):
    """rng.choice(len(w), p=w / w.sum())'s table: the same draw is
    cdf.searchsorted(rng.random(), 'right') (numpy's Generator.choice does exactly that),
    without checking and summing p again at every call."""
    c = (w / w.sum()).cumsum()
    c /= c[-1]
    return c


ring_cdf = _cdf(ring_len)
seg_cdf = [_cdf(np.hypot(*np.diff(r, axis=0).T)) for r in zone_rings]


def on_zone_border():
    k = int(ring_cdf.searchsorted(rng.random(), side="right"))
    r = zone_rings[k]
    i = int(seg_cdf[k].searchsorted(rng.random(), side="right"))
    u = rng.uniform()
    return r[i] + u * (r[i + 1] - r[i])


# in_zone's test, answered from a grid over each zone's box where a cell is wholly
# inside or wholly outside the zone (by a margin), and by GEOS only near the border:
# the same answers as zprep[z].contains(Point(x, y)) at a fraction of the cost.
ZGRID = 64
zbounds = [z.bounds for z in zones]
zcells = []
for z, (x0, y0, x1, y1) in zip(zones, zbounds):
    dx, dy = (x1 - x0) / ZGRID, (y1 - y0) / ZGRID
    eps = 1e-9 * max(dx, dy)
    pz = prep(z)
    cell = np.zeros((ZGRID, ZGRID), np.int8)  # 1 inside, -1 outside, 0 near the border
    for i in range(ZGRID):
        for j in range(ZGRID):
            b = box(x0 + i * dx - eps, y0 + j * dy - eps, x0 + (i + 1) * dx + eps,
                    y0 + (j + 1) * dy + eps)
            cell[i, j] = 1 if pz.contains_properly(b) else (0 if pz.intersects(b) else -1)
    zcells.append((cell, dx, dy))


def zone_contains(z, x, y):
    cell, dx, dy = zcells[z]
    x0, y0 = zbounds[z][0], zbounds[z][1]
    i, j = min(int((x - x0) / dx), ZGRID - 1), min(int((y - y0) / dy), ZGRID - 1)
    c = cell[i, j]
    return c > 0 if c else zprep[z].contains(Point(x, y))


def in_zone():
    while True:
        z = rng.integers(len(zones))
        x0, y0, x1, y1 = zbounds[z]
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if zone_contains(z, x, y):
            return np.array([x, y])


def anywhere():
    return np.array([rng.uniform(LON0, LON1), rng.uniform(LAT0, LAT1)])


to_4490 = Transformer.from_crs(4490, 4490, always_xy=True)
to_4525 = Transformer.from_crs(4490, 4525, always_xy=True)
to_2382 = Transformer.from_crs(4490, 2382, always_xy=True)
box_km2 = ((LON1 - LON0) * KM_PER_DEG_LAT * math.cos(math.radians(27.3))
           * (LAT1 - LAT0) * KM_PER_DEG_LAT)
stats = {}

# ---- red lines: 3,000 x S, 500 vertices, ~22 % of the box summed (~20 % unioned) ----
# (dense: 2.1 x the box summed, ~88 % unioned where placed at random: 1 - e^-2.1)
n_red = int(round(3000 * S))
summed = {"dense": 2.1}.get(PROFILE, 0.22)
r_mean = math.sqrt(summed * box_km2 / n_red / math.pi)
rows, rings = [], []
red_rings = rings
cats = ["nature_reserve", "water_source", "forest_park", "wetland_park", "scenic_area",
        "prohibited_mining"]
for i in range(n_red):
    c = anywhere()
    r = r_mean * rng.uniform(0.6, 1.3)
    if PROFILE != "standard" and i % 2 == 1:
        rings.append(corridor(c[0], c[1], math.pi * r * r, 500))
    else:
        rings.append(blob(c[0], c[1], r, 500, 0.35))
    rows.append((f"HX{i + 1:06d}", f"红线区{i + 1}", cats[i % len(cats)]))
ds, lyr = create(os.path.join(out, "redlines.gpkg"), "GPKG", "redlines", 4490,
                 [("红线编号", ogr.OFTString, 0), ("名称", ogr.OFTString, 0),
                  ("类型", ogr.OFTString, 0)])
ds.StartTransaction()
write(lyr, rows, rings, to_4490)
ds.CommitTransaction()
ds = None
stats["redlines"] = (n_red, 500 * n_red)

# ---- mines: 6,901 x S; 97 x S large, 313 x S medium ----
n_mines = int(round(6901 * S))
n_large, n_medium = int(round(97 * S)), int(round(313 * S))
scales = np.array(["大型"] * n_large + ["中型"] * n_medium
                  + ["小型"] * (n_mines - n_large - n_medium))
rng.shuffle(scales)
inds = ["煤炭", "有色金属", "黑色金属", "贵金属", "化工", "非金属", "砂石", "水泥", "石材"]
minerals = ["煤", "铅锌", "铁", "金", "磷", "萤石", "建筑用砂", "水泥用灰岩", "花岗岩"]
status = ["生产", "生产", "生产", "新建", "闭坑"]
rows, rings, nv = [], [], 0
for i in range(n_mines):
    # a third near the zones (the programme's mining areas), the rest anywhere
    u = rng.uniform()
    if PROFILE == "issue" and u < 0.10:  # on a red line's border: in conflict
        rr = red_rings[int(rng.integers(len(red_rings)))]
        c = rr[int(rng.integers(len(rr)))]
    else:
        c = in_zone() if u < 0.33 else anywhere()
    sc = scales[i]
    r = {"大型": 1.2, "中型": 0.6}.get(sc, 0.25) * rng.uniform(0.5, 1.5)
    n = int(rng.integers(6, 25))
    rings.append(blob(c[0], c[1], r, n, 0.3))
    nv += n
    k = int(rng.integers(len(inds)))
    rows.append((f"C43{i + 1:010d}", f"矿山{i + 1}号", minerals[k], inds[k], str(sc),
                 status[int(rng.integers(len(status)))], "是" if rng.uniform() < 0.2 else "否",
                 round(math.pi * r * r * 100, 2)))
ds, lyr = create(os.path.join(out, "mines.shp"), "ESRI Shapefile", "mines", 4525,
                 [("许可证号", ogr.OFTString, 24), ("矿山名称", ogr.OFTString, 80),
                  ("开采矿种", ogr.OFTString, 30), ("行业", ogr.OFTString, 12),
                  ("规模", ogr.OFTString, 6), ("状态", ogr.OFTString, 6),
                  ("绿色矿山", ogr.OFTString, 4), ("面积", ogr.OFTReal, 14)],
                 ["ENCODING=GBK"])
write(lyr, rows, rings, to_4525)
ds = None
stats["mines"] = (n_mines, nv)
mine_rings = rings

# ---- parcels: 50,000 x S of 24 vertices; ~15 % overlap another, ~10 % cross a border ----
# Only the shifted copies overlap: every other parcel is placed where its bounding circle
# (radius 1.25 r: the blob's wobble) meets no earlier parcel's, so chance overlaps do not
# push the share above the issue's ~15 %.  At scale S the parcels are 1/sqrt(S) the size
# (finer data, like the red lines), so they still fit in the zones without overlapping.
n_par = int(round(50000 * S))
rows, rings = [], []
kinds = ["恢复治理", "土地复垦"]
pstat = ["已完成", "已完成", "已完成", "在建", "规划"]
shrink = 1.0 / math.sqrt(max(S, 1.0))
CELL = 2 * 1.25 * 0.35 * shrink / KM_PER_DEG_LAT / math.cos(math.radians(LAT1))
placed = {}  # grid cell -> [(lon, lat, radius in degrees of latitude)]


def circle(c, r_km):
    return c[0], c[1], 1.25 * r_km / KM_PER_DEG_LAT


def free(x, y, rr):
    k = math.cos(math.radians(y))
    i, j = int(x // CELL), int(y // CELL)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            for (x2, y2, r2) in placed.get((i + di, j + dj), ()):
                if math.hypot((x - x2) * k, y - y2) < rr + r2:
                    return False
    return True


for i in range(n_par):
    u = rng.uniform()
    r = rng.uniform(0.08, 0.35) * shrink  # 2-40 ha at scale 1
    if u < 0.075 and rings:  # a shifted copy of an earlier parcel: both overlap
        prev = rings[int(rng.integers(len(rings)))]
        ring = prev + (rng.uniform(-0.4, 0.4, 2) * (prev.max(axis=0) - prev.min(axis=0)))
        rings.append(ring)
    else:
        where = on_zone_border if u < 0.195 else (in_zone if u < 0.6 else anywhere)
        for tries in range(10**6):
            # the zone borders fill up first (at large scales): then a place anywhere
            c = (where if tries < 50 else anywhere)()
            if where is on_zone_border:  # the centre off the border, the border point inside
                a, d = rng.uniform(0, 2 * np.pi), 0.6 * r * math.sqrt(rng.uniform())
                c = c + np.array([d * math.cos(a) / math.cos(math.radians(c[1])),
                                  d * math.sin(a)]) / KM_PER_DEG_LAT
            x, y, rr = circle(c, r)
            if free(x, y, rr):
                break
        placed.setdefault((int(x // CELL), int(y // CELL)), []).append((x, y, rr))
        rings.append(blob(x, y, r, 24, 0.25))
    st = pstat[int(rng.integers(len(pstat)))]
    day = None
    if st == "已完成" and rng.uniform() < 0.97:
        y, m, d = int(rng.integers(2014, 2023)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
        day = f"{y:04d}-{m:02d}-{d:02d}"
    rows.append((f"TB43{i + 1:09d}", kinds[int(rng.uniform() < 0.35)], st, day,
                 "是" if rng.uniform() < 0.7 else "否", round(r * r * 314.16, 2)))
ds, lyr = create(os.path.join(out, "parcels.gpkg"), "GPKG", "parcels", 2382,
                 [("TBBH", ogr.OFTString, 0), ("LX", ogr.OFTString, 0),
                  ("ZT", ogr.OFTString, 0), ("WCRQ", ogr.OFTString, 0),
                  ("LSYL", ogr.OFTString, 0), ("MJ", ogr.OFTReal, 0)])
ds.StartTransaction()
write(lyr, rows, rings, to_2382)
ds.CommitTransaction()
ds = None
stats["parcels"] = (n_par, 24 * n_par)

for k, (n, v) in stats.items():
    print(f"{k}: {n} features, {v} vertices", file=sys.stderr)

# the share of mines in conflict (lon/lat overlays: close enough for a share)
from shapely.geometry import Polygon
import warnings
warnings.filterwarnings("ignore", "STRtree")
from shapely.strtree import STRtree
reds = [Polygon(r) for r in red_rings]
tree = STRtree(reds)
rprep = {}  # red lines met by a mine's box, prepared once (the dense profile meets most)
index = {id(g): k for k, g in enumerate(reds)}
hits = 0
for r in mine_rings:
    m = Polygon(r)
    cand = tree.query(m)
    ks = [index[id(g)] for g in cand] if len(cand) and hasattr(cand[0], "intersects") \
        else list(cand)  # shapely 1.8 gives geometries, 2.x indices
    for k in ks:
        p = rprep.get(k)
        if p is None:
            p = rprep[k] = prep(reds[k])
        if p.intersects(m):
            hits += 1
            break
print(f"profile {PROFILE}: {100 * hits / len(mine_rings):.1f} % of the mines meet a red line",
      file=sys.stderr)
