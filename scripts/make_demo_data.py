#!/usr/bin/python3
# -*- coding: utf-8 -*-
"""Generate the SYNTHETIC demo data set of greenmine (data/demo/).

Everything here is made up.  Only the places and approximate sizes of the
eight demonstration zones follow reality; the shapes, red lines, mines and
parcels are random (but deterministic: a fixed seed, no clock).

Run with Debian's Python, which has the GDAL bindings:

    /usr/bin/python3 scripts/make_demo_data.py [OUTPUT_DIR]

OUTPUT_DIR defaults to data/demo/ next to this script's parent folder.  The
four files it writes there are overwritten:

    zones.geojson   GeoJSON,    EPSG:4490 (CGCS2000 geographic, lon/lat order)
    redlines.gpkg   GeoPackage, EPSG:4490, layer "redlines"
    mines.shp       Shapefile,  EPSG:4525 (CGCS2000 3-degree GK zone 37), GBK
    parcels.gpkg    GeoPackage, EPSG:2382 (Xian 1980 3-degree GK CM 111E),
                    layer "parcels"

See data/README.md for the fields and the deliberate defects.
Needs: osgeo (GDAL >= 3.0 Python bindings) and shapely (1.8 or 2.x).
"""

import math
import os
import random
import sys

from osgeo import gdal, ogr, osr
from shapely import wkb as shp_wkb
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.polygon import orient
from shapely.ops import transform as shp_transform
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.validation import make_valid

SEED = 20171208  # the plan's date; any fixed number would do
FIXED_DATE = "2020-12-31"

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

# No clock in the outputs.
gdal.SetConfigOption("OGR_CURRENT_DATE", FIXED_DATE + "T00:00:00.000Z")
gdal.SetConfigOption("OGR_SQLITE_JOURNAL", "OFF")

# ---------------------------------------------------------------------------
# Coordinate systems
# ---------------------------------------------------------------------------


def _srs_epsg(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


SRS_LONLAT = _srs_epsg(4490)  # CGCS2000 geographic
SRS_MINES = _srs_epsg(4525)  # CGCS2000 / 3-degree GK zone 37 (x_0 = 37500000)
SRS_PARCELS = _srs_epsg(2382)  # Xian 1980 / 3-degree GK CM 111E
# Working CRS: an equal-area Albers on the CGCS2000 (GRS 80) ellipsoid.
SRS_WORK = osr.SpatialReference()
SRS_WORK.ImportFromProj4(
    "+proj=aea +lat_0=0 +lon_0=111.5 +lat_1=25 +lat_2=30 "
    "+x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
)
SRS_WORK.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)


def _ct(a, b):
    return osr.CoordinateTransformation(a, b)


CT_LL2W = _ct(SRS_LONLAT, SRS_WORK)
CT_W2LL = _ct(SRS_WORK, SRS_LONLAT)
CT_LL2MINES = _ct(SRS_LONLAT, SRS_MINES)
CT_LL2PARCELS = _ct(SRS_LONLAT, SRS_PARCELS)


def _tfunc(ct):
    def f(x, y, z=None):
        xs = list(x) if hasattr(x, "__iter__") else [x]
        ys = list(y) if hasattr(y, "__iter__") else [y]
        out = ct.TransformPoints([(a, b) for a, b in zip(xs, ys)])
        rx = [p[0] for p in out]
        ry = [p[1] for p in out]
        if hasattr(x, "__iter__"):
            return rx, ry
        return rx[0], ry[0]

    return f


def to_work(g):
    return shp_transform(_tfunc(CT_LL2W), g)


def to_lonlat(g):
    return shp_transform(_tfunc(CT_W2LL), g)


def ll2work_pt(lon, lat):
    p = CT_LL2W.TransformPoint(lon, lat)
    return p[0], p[1]


def work2ll_pt(x, y):
    p = CT_W2LL.TransformPoint(x, y)
    return p[0], p[1]


# Hunan, roughly (the brief's box)
PROV_LON = (108.8, 114.3)
PROV_LAT = (24.6, 30.1)
PROV_CENTRE = (111.5, 27.3)  # lon, lat: where a mine without geometry is named after

# ---------------------------------------------------------------------------
# Small geometry helpers (working CRS, metres)
# ---------------------------------------------------------------------------


def largest_polygon(g):
    if g.is_empty:
        return g
    if g.geom_type == "Polygon":
        return g
    polys = [p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]
    if not polys:
        return Polygon()
    return max(polys, key=lambda p: p.area)


def scale_to_area(poly, area, centre=None):
    c = centre if centre is not None else poly.centroid.coords[0]
    f = math.sqrt(area / poly.area)
    return Polygon(
        [(c[0] + (x - c[0]) * f, c[1] + (y - c[1]) * f) for x, y in poly.exterior.coords]
    )


def harmonic_radii(rng, n, amp, kmax, jitter, kmin=2):
    """n radius factors around a circle: smooth harmonics plus jitter."""
    terms = []
    for k in range(kmin, kmax + 1):
        terms.append((k, amp * rng.uniform(0.2, 1.0) / (k ** 1.1), rng.uniform(0, 2 * math.pi)))
    out = []
    for i in range(n):
        t = 2 * math.pi * i / n
        r = 1.0 + sum(a * math.cos(k * t + ph) for k, a, ph in terms)
        r *= 1.0 + rng.uniform(-jitter, jitter)
        out.append(max(r, 0.3))
    return out


def blob(rng, cx, cy, area, nverts, amp=0.25, kmax=6, jitter=0.06, aspect=1.0, rot=None):
    """Irregular star-shaped (hence simple) polygon of the given area."""
    if rot is None:
        rot = rng.uniform(0, math.pi)
    radii = harmonic_radii(rng, nverts, amp, kmax, jitter)
    sa = math.sqrt(aspect)
    cr, sr = math.cos(rot), math.sin(rot)
    pts = []
    for i, r in enumerate(radii):
        t = 2 * math.pi * (i + rng.uniform(-0.3, 0.3)) / nverts
        x, y = r * math.cos(t) * sa, r * math.sin(t) / sa
        pts.append((cx + x * cr - y * sr, cy + x * sr + y * cr))
    return scale_to_area(Polygon(pts), area, (cx, cy))


def field_shape(rng, cx, cy, area):
    """A parcel- or mine-like polygon, 6 to 40 vertices, of the given area (m^2)."""
    kind = rng.random()
    rot = rng.uniform(0, math.pi)
    cr, sr = math.cos(rot), math.sin(rot)
    if kind < 0.35:
        # angular field: a few vertices at random angles
        n = rng.randint(6, 10)
        angs = sorted(rng.uniform(0, 2 * math.pi) for _ in range(n))
        # keep the angles apart
        angs = [2 * math.pi * i / n + rng.uniform(-0.25, 0.25) * 2 * math.pi / n for i in range(n)]
        aspect = rng.uniform(1.0, 2.6)
        sa = math.sqrt(aspect)
        pts = []
        for a in angs:
            r = rng.uniform(0.7, 1.25)
            x, y = r * math.cos(a) * sa, r * math.sin(a) / sa
            pts.append((cx + x * cr - y * sr, cy + x * sr + y * cr))
        return scale_to_area(Polygon(pts), area, (cx, cy))
    if kind < 0.55:
        # rectangle-ish with a cut corner / notch (6-8 vertices)
        w = rng.uniform(1.0, 2.5)
        h = 1.0
        base = [(-w, -h), (w, -h), (w, h), (-w, h)]
        pts = []
        for i, (x, y) in enumerate(base):
            if rng.random() < 0.6:
                nx, ny = base[(i + 1) % 4]
                px, py = base[i - 1]
                f1, f2 = rng.uniform(0.1, 0.35), rng.uniform(0.1, 0.35)
                pts.append((x + (px - x) * f1, y + (py - y) * f1))
                pts.append((x + (nx - x) * f2, y + (ny - y) * f2))
            else:
                pts.append((x * rng.uniform(0.9, 1.1), y * rng.uniform(0.9, 1.1)))
        if len(pts) < 6:
            pts.insert(1, ((pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2 - 0.15))
            pts.insert(3, ((pts[2][0] + pts[3][0]) / 2 + 0.1, (pts[2][1] + pts[3][1]) / 2))
        pts = [(cx + x * cr - y * sr, cy + x * sr + y * cr) for x, y in pts]
        p = Polygon(pts)
        if not p.is_valid:
            return field_shape(rng, cx, cy, area)
        return scale_to_area(p, area, (cx, cy))
    # organic blob, 12-40 vertices
    n = rng.randint(12, 40)
    return blob(rng, cx, cy, area, n, amp=rng.uniform(0.15, 0.4), kmax=5,
                jitter=0.05, aspect=rng.uniform(1.0, 2.2), rot=rot)


def bowtie(rng, cx, cy, area):
    """Self-intersecting ring: two lobes of different sizes (invalid)."""
    w = 1.0
    h1, h2 = rng.uniform(0.6, 0.9), rng.uniform(0.9, 1.3)
    ring = [(-w, -h1), (w, h2), (w * 1.2, 0.05), (w, -h2 * 0.8),
            (-w * 0.9, h1), (-w * 1.15, -0.05)]
    rot = rng.uniform(0, math.pi)
    cr, sr = math.cos(rot), math.sin(rot)
    # lobe areas ~ 1.2 units^2 total; scale to the wanted area
    f = math.sqrt(area / 1.2)
    return Polygon([(cx + f * (x * cr - y * sr), cy + f * (x * sr + y * cr)) for x, y in ring])


def pentagram(rng, cx, cy, area):
    """A ring that goes round twice over its centre: self-overlapping (invalid)."""
    pts = []
    for k in range(5):
        a = 2 * math.pi * k / 5 + rng.uniform(-0.15, 0.15)
        r = rng.uniform(0.85, 1.15)
        pts.append((math.cos(a) * r, math.sin(a) * r))
    ring = [pts[(2 * i) % 5] for i in range(5)]
    f = math.sqrt(area / 1.1)
    return Polygon([(cx + f * x, cy + f * y) for x, y in ring])


def overlapping_multi(rng, cx, cy, area):
    """Two parts of one feature that overlap each other (invalid MultiPolygon)."""
    a = field_shape(rng, cx, cy, area * 0.6)
    r = math.sqrt(area * 0.6 / math.pi)
    ang = rng.uniform(0, 2 * math.pi)
    b = field_shape(rng, cx + 0.9 * r * math.cos(ang), cy + 0.9 * r * math.sin(ang), area * 0.6)
    # start b's ring at a vertex outside a, so shapefile ring rewinding keeps both as shells
    coords = list(b.exterior.coords)[:-1]
    pa = prep(a)
    for i, c in enumerate(coords):
        if not pa.contains(Point(c)):
            coords = coords[i:] + coords[:i]
            break
    b = Polygon(coords)
    return MultiPolygon([a, b])


class GridIndex:
    """Tiny bucket index for overlap rejection."""

    def __init__(self, cell):
        self.cell = cell
        self.cells = {}

    def _keys(self, g):
        x0, y0, x1, y1 = g.bounds
        c = self.cell
        for i in range(int(math.floor(x0 / c)), int(math.floor(x1 / c)) + 1):
            for j in range(int(math.floor(y0 / c)), int(math.floor(y1 / c)) + 1):
                yield (i, j)

    def add(self, g, item):
        for k in self._keys(g):
            self.cells.setdefault(k, []).append((g, item))

    def query(self, g):
        seen = []
        ids = {}
        for k in self._keys(g):
            for gg, item in self.cells.get(k, ()):
                if id(gg) not in ids:
                    ids[id(gg)] = True
                    seen.append((gg, item))
        return seen

    def hits(self, g, gap=0.0):
        gg = g.buffer(gap) if gap else g
        return [it for h, it in self.query(gg) if h.intersects(gg)]


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

CH1 = list("青白黄石龙凤金银马鹿云桃花梅竹松柏大小东西南北上下新老高平长双三五九红黑茶杉枫狮虎龟鹤燕莲荷塘溪")
CH2 = list("山岭峰坡冲坪湾溪江河湖塘洞岩桥田源坳垅洲口铺家村林")
SUFFIX_PLACE = list("山岭峰湖溪洞坪冲湾岩")


def place_name(rng, n=2):
    s = rng.choice(CH1)
    for _ in range(n - 1):
        s += rng.choice(CH1 + CH2)
    return s


def redline_name(rng, cat):
    p = place_name(rng, 2) + rng.choice(SUFFIX_PLACE)
    if cat == "nature_reserve":
        return p + rng.choice(["国家级", "省级", "", ""]) + "自然保护区"
    if cat == "water_source":
        return place_name(rng, 2) + rng.choice(["水库", "河", "江"]) + "饮用水水源保护区"
    if cat == "forest_park":
        return p + rng.choice(["国家", "省级", ""]) + "森林公园"
    if cat == "prohibited_mining":
        return p + "禁止开采区"
    if cat == "scenic_area":
        return p + "风景名胜区"
    return place_name(rng, 2) + rng.choice(["湖", "河", "洲"]) + "湿地公园"


# ---------------------------------------------------------------------------
# 1. Zones
# ---------------------------------------------------------------------------

# (id, name, lon, lat, km2, admin code, aspect, rotation)
ZONES = [
    ("Z01", "郴州市", 113.00, 25.80, 19400, "431000", 1.25, 1.45),
    ("Z02", "冷水江市", 111.43, 27.69, 440, "431381", 1.3, 1.2),
    ("Z03", "浏阳市", 113.64, 28.16, 5000, "430181", 1.3, 0.3),
    ("Z04", "澧县", 111.76, 29.63, 2075, "430723", 1.15, 0.2),
    ("Z05", "慈利县", 111.13, 29.43, 3490, "430821", 1.35, 0.1),
    ("Z06", "平江县", 113.58, 28.70, 4125, "430626", 1.3, 0.1),
    ("Z07", "沅陵县", 110.39, 28.45, 5830, "431222", 1.2, 0.6),
    ("Z08", "衡南县", 112.68, 26.74, 2620, "430422", 1.2, 0.9),
]
NEIGHBOURS = [("Z04", "Z05"), ("Z03", "Z06")]


def make_zones(rng):
    info = {}
    for zid, name, lon, lat, km2, code, aspect, rot in ZONES:
        cx, cy = ll2work_pt(lon, lat)
        info[zid] = dict(id=zid, name=name, c=(cx, cy), area=km2 * 1e6, code=code,
                         R=math.sqrt(km2 * 1e6 / math.pi), aspect=aspect, rot=rot)
    ids = [z[0] for z in ZONES]
    nb = set(NEIGHBOURS) | set((b, a) for a, b in NEIGHBOURS)
    # dividers between every pair that could meet
    halves = {zid: [] for zid in ids}
    boosts = {zid: [] for zid in ids}
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            A, B = info[a], info[b]
            dx, dy = B["c"][0] - A["c"][0], B["c"][1] - A["c"][1]
            L = math.hypot(dx, dy)
            if L > 1.35 * (A["R"] + B["R"]) and (a, b) not in nb:
                continue
            u = (dx / L, dy / L)
            n = (-u[1], u[0])
            px = A["c"][0] + u[0] * L * A["R"] / (A["R"] + B["R"])
            py = A["c"][1] + u[1] * L * A["R"] / (A["R"] + B["R"])
            S = 1.5 * (A["R"] + B["R"])
            K = 420
            amp = 0.07 * min(A["R"], B["R"])
            terms = [(k, amp * rng.uniform(0.3, 1.0) / k, rng.uniform(0, 6.3)) for k in range(1, 14)]
            pts = []
            for k in range(K + 1):
                t = -S + 2 * S * k / K
                off = sum(a_ * math.sin(kk * math.pi * t / S + ph) for kk, a_, ph in terms)
                off += rng.uniform(-0.004, 0.004) * min(A["R"], B["R"])
                pts.append((px + n[0] * t + u[0] * off, py + n[1] * t + u[1] * off))
            BIG = 4 * (A["R"] + B["R"])
            ha = Polygon(pts + [(pts[-1][0] - u[0] * BIG, pts[-1][1] - u[1] * BIG),
                                (pts[0][0] - u[0] * BIG, pts[0][1] - u[1] * BIG)])
            hb = Polygon(pts + [(pts[-1][0] + u[0] * BIG, pts[-1][1] + u[1] * BIG),
                                (pts[0][0] + u[0] * BIG, pts[0][1] + u[1] * BIG)])
            assert ha.is_valid and hb.is_valid
            halves[a].append(ha)
            halves[b].append(hb)
            if (a, b) in nb:
                boosts[a].append(math.atan2(u[1], u[0]))
                boosts[b].append(math.atan2(-u[1], -u[0]))
    polys = {}
    for zid in ids:
        Z = info[zid]
        nv = 300 if Z["area"] > 3e9 else 240
        radii = harmonic_radii(rng, nv, 0.34, 30, 0.03)
        sa = math.sqrt(Z["aspect"])
        cr, sr = math.cos(Z["rot"]), math.sin(Z["rot"])
        unit = []
        for i, r in enumerate(radii):
            t = 2 * math.pi * i / nv
            x, y = r * math.cos(t) * sa, r * math.sin(t) / sa
            xx, yy = x * cr - y * sr, x * sr + y * cr
            ang = math.atan2(yy, xx)
            f = 1.0
            for bdir in boosts[zid]:
                f += 0.9 * max(0.0, math.cos(ang - bdir)) ** 3
            unit.append((xx * f, yy * f))
        clip = None
        for h in halves[zid]:
            clip = h if clip is None else clip.intersection(h)

        def shape_at(s):
            p = Polygon([(Z["c"][0] + x * s * Z["R"], Z["c"][1] + y * s * Z["R"]) for x, y in unit])
            if clip is not None:
                p = largest_polygon(p.intersection(clip))
            return p

        lo, hi = 0.5, 2.5
        for _ in range(60):
            mid = (lo + hi) / 2
            if shape_at(mid).area < Z["area"]:
                lo = mid
            else:
                hi = mid
        polys[zid] = orient(shape_at((lo + hi) / 2), 1.0)
    # make sure nothing overlaps (dividers should already guarantee it)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            inter = polys[a].intersection(polys[b]).area
            if inter > 1.0:
                polys[b] = orient(largest_polygon(polys[b].difference(polys[a])), 1.0)
    zones = []
    for zid in ids:
        Z = info[zid]
        zones.append(dict(id=zid, name=Z["name"], code=Z["code"], work=polys[zid],
                          ll=to_lonlat(polys[zid])))
    return zones


# ---------------------------------------------------------------------------
# 2. Red lines
# ---------------------------------------------------------------------------

RL_CATS = ["nature_reserve", "water_source", "forest_park", "prohibited_mining",
           "scenic_area", "wetland_park"]
RL_WEIGHTS = [0.2, 0.25, 0.2, 0.15, 0.1, 0.1]


def random_point_in(rng, poly, prepared=None):
    pp = prepared or prep(poly)
    x0, y0, x1, y1 = poly.bounds
    while True:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if pp.contains(Point(x, y)):
            return x, y


def random_point_province(rng):
    lon = rng.uniform(PROV_LON[0] + 0.05, PROV_LON[1] - 0.05)
    lat = rng.uniform(PROV_LAT[0] + 0.05, PROV_LAT[1] - 0.05)
    return ll2work_pt(lon, lat)


def make_redlines(rng, zones):
    zone_near = [z["work"].buffer(15000) for z in zones]
    zone_near_p = [prep(g) for g in zone_near]
    zone_w = [math.sqrt(z["work"].area) for z in zones]
    idx = GridIndex(20000)
    reds = []

    def new_area(cat):
        r = rng.random()
        if cat == "nature_reserve":
            km2 = math.exp(rng.uniform(math.log(3), math.log(180))) if r < 0.7 else rng.uniform(0.5, 5)
        elif cat in ("water_source", "prohibited_mining"):
            km2 = math.exp(rng.uniform(math.log(0.2), math.log(40)))
        else:
            km2 = math.exp(rng.uniform(math.log(0.3), math.log(25)))
        return km2 * 1e6

    n_base = 300
    tries = 0
    while len(reds) < n_base and tries < 20000:
        tries += 1
        cat = rng.choices(RL_CATS, RL_WEIGHTS)[0]
        area = new_area(cat)
        if rng.random() < 0.55:
            zi = rng.choices(range(len(zones)), zone_w)[0]
            cx, cy = random_point_in(rng, zone_near[zi], zone_near_p[zi])
        else:
            cx, cy = random_point_province(rng)
        nv = rng.randint(14, 60) if area > 5e6 else rng.randint(10, 30)
        g = blob(rng, cx, cy, area, nv, amp=rng.uniform(0.2, 0.45), kmax=7, jitter=0.05,
                 aspect=rng.uniform(1.0, 2.5))
        if not g.is_valid:
            continue
        if idx.hits(g, gap=300):
            continue
        rec = dict(cat=cat, work=g)
        reds.append(rec)
        idx.add(g, rec)
    # nested / overlapping ones: a forest park inside a nature reserve, ...
    parents = [r for r in reds if r["work"].area > 8e6]
    n_child = 17
    made = 0
    while made < n_child:
        par = rng.choice(parents)
        if par.get("has_child"):
            continue
        P = par["work"]
        inside = made % 3 != 2  # two thirds fully inside, one third straddling the edge
        cat = rng.choice([c for c in RL_CATS if c != par["cat"]])
        area = P.area * rng.uniform(0.04, 0.25)
        if inside:
            cx, cy = random_point_in(rng, P.buffer(-math.sqrt(area / math.pi) * 1.3))
        else:
            bd = P.exterior
            pt = bd.interpolate(rng.uniform(0, bd.length))
            cx, cy = pt.x, pt.y
        g = blob(rng, cx, cy, area, rng.randint(12, 36), amp=0.25, kmax=6, jitter=0.05,
                 aspect=rng.uniform(1.0, 2.0))
        if not g.is_valid:
            continue
        others = [h for h in idx.hits(g) if h is not par]
        if others:
            continue
        if inside and not P.contains(g):
            continue
        if not inside:
            fr = g.intersection(P).area / g.area
            if not 0.2 < fr < 0.8:
                continue
        rec = dict(cat=cat, work=g, parent=par, inside=inside)
        par["has_child"] = True
        reds.append(rec)
        idx.add(g, rec)
        made += 1
    # ids in a shuffled order so that children are not all at the end
    rng.shuffle(reds)
    for i, r in enumerate(reds):
        r["id"] = "HX%04d" % (i + 1)
        r["name"] = redline_name(rng, r["cat"])
        r["work"] = orient(r["work"], 1.0)
        r["ll"] = to_lonlat(r["work"])
    return reds, idx


# ---------------------------------------------------------------------------
# 3. Mines
# ---------------------------------------------------------------------------

INDUSTRY_ZH = {
    "coal": "煤炭", "nonferrous": "有色金属", "ferrous": "黑色金属", "precious": "贵金属",
    "chemical": "化工", "nonmetal": "非金属", "sand_gravel": "砂石", "cement": "水泥",
    "stone": "石材",
}
MINERALS = {
    "coal": ["煤", "煤", "无烟煤"],
    "nonferrous": ["钨", "锡", "铅锌", "锑", "铜", "钼", "铋", "铅锌银"],
    "ferrous": ["铁", "锰", "钒"],
    "precious": ["金", "银", "金锑"],
    "chemical": ["磷", "硫铁矿", "岩盐", "芒硝", "重晶石"],
    "nonmetal": ["萤石", "石墨", "高岭土", "石膏", "海泡石", "长石", "石英岩"],
    "sand_gravel": ["建筑用砂", "砖瓦用页岩", "建筑石料用灰岩"],
    "cement": ["水泥用灰岩", "水泥配料用页岩"],
    "stone": ["饰面用花岗岩", "饰面用大理岩", "饰面用板岩"],
}
ALL_IND = list(INDUSTRY_ZH)
BASE_IND_W = [14, 12, 5, 5, 6, 14, 22, 8, 14]
ZONE_IND_W = {
    "Z01": [12, 40, 4, 5, 3, 14, 10, 4, 8],   # Chenzhou: W-Sn-Pb-Zn, fluorite
    "Z02": [30, 30, 6, 1, 2, 8, 12, 6, 5],    # Lengshuijiang: Sb, coal
    "Z03": [6, 6, 4, 8, 6, 20, 26, 6, 18],    # Liuyang
    "Z04": [2, 1, 1, 1, 20, 12, 40, 13, 10],  # Lixian: salt, sand
    "Z05": [6, 4, 4, 4, 8, 20, 22, 14, 18],   # Cili
    "Z06": [3, 6, 3, 30, 2, 10, 24, 4, 18],   # Pingjiang: gold, granite
    "Z07": [4, 12, 4, 30, 4, 10, 20, 4, 12],  # Yuanling: Au-Sb-W
    "Z08": [12, 8, 4, 2, 6, 16, 26, 16, 10],  # Hengnan
}
OTHER_COUNTIES = [
    ("涟源市", "431382"), ("新化县", "431322"), ("安化县", "430923"), ("桃江县", "430922"),
    ("耒阳市", "430481"), ("常宁市", "430482"), ("宁乡市", "430182"), ("醴陵市", "430281"),
    ("攸县", "430223"), ("湘乡市", "430381"), ("石门县", "430726"), ("桑植县", "430822"),
    ("辰溪县", "431223"), ("溆浦县", "431224"), ("新邵县", "430522"), ("祁阳县", "431121"),
    ("江华瑶族自治县", "431129"), ("花垣县", "433124"), ("保靖县", "433125"), ("双峰县", "431321"),
]


# County seats (approximate lon/lat) of counties outside the eight zones: a
# mine outside every zone is named after the nearest one, so a local reader
# finds it where its name says (the zones are whole counties: a mine outside
# them lies in another county). Code = the county's administrative code.
COUNTY_SEATS = [
    ("涟源市", "431382", 111.67, 27.69), ("新化县", "431322", 111.33, 27.73),
    ("安化县", "430923", 111.21, 28.37), ("桃江县", "430922", 112.16, 28.52),
    ("耒阳市", "430481", 112.86, 26.42), ("常宁市", "430482", 112.40, 26.42),
    ("宁乡市", "430182", 112.55, 28.28), ("醴陵市", "430281", 113.50, 27.65),
    ("攸县", "430223", 113.35, 27.00), ("湘乡市", "430381", 112.53, 27.73),
    ("石门县", "430726", 111.38, 29.58), ("桑植县", "430822", 110.16, 29.40),
    ("辰溪县", "431223", 110.18, 28.00), ("溆浦县", "431224", 110.59, 27.91),
    ("新邵县", "430522", 111.46, 27.32), ("祁阳县", "431121", 111.84, 26.58),
    ("江华瑶族自治县", "431129", 111.58, 24.97), ("花垣县", "433124", 109.48, 28.57),
    ("保靖县", "433125", 109.66, 28.70), ("双峰县", "431321", 112.20, 27.46),
    ("长沙县", "430121", 113.08, 28.25), ("湘潭县", "430321", 112.95, 27.78),
    ("茶陵县", "430224", 113.54, 26.79), ("炎陵县", "430225", 113.77, 26.49),
    ("汨罗市", "430681", 113.07, 28.81), ("岳阳县", "430621", 113.12, 29.14),
    ("临湘市", "430682", 113.45, 29.48), ("桃源县", "430725", 111.49, 28.90),
    ("安乡县", "430721", 112.17, 29.41), ("永定区", "430802", 110.48, 29.13),
    ("泸溪县", "433122", 110.22, 28.22), ("吉首市", "433101", 109.70, 28.26),
    ("洪江市", "431281", 109.84, 27.21), ("隆回县", "430524", 111.03, 27.12),
    ("邵东市", "430582", 111.74, 27.26), ("衡阳县", "430421", 112.37, 26.97),
    ("祁东县", "430426", 112.09, 26.80), ("道县", "431124", 111.60, 25.53),
    ("宁远县", "431126", 111.94, 25.57), ("新宁县", "430528", 110.85, 26.43),
    ("武冈市", "430581", 110.63, 26.73), ("会同县", "431225", 109.72, 26.89),
    ("龙山县", "433130", 109.44, 29.46), ("凤凰县", "433123", 109.60, 27.95),
    ("赫山区", "430903", 112.37, 28.58), ("湘阴县", "430624", 112.91, 28.69),
    ("韶山市", "430382", 112.53, 27.92), ("汉寿县", "430722", 111.97, 28.91),
    ("南县", "430921", 112.40, 29.36), ("江永县", "431125", 111.34, 25.27),
]


def nearest_county(lon, lat):
    """(name, code) of the county seat nearest to lon/lat."""
    k = math.cos(math.radians(lat))
    best = min(COUNTY_SEATS, key=lambda c: ((c[2] - lon) * k) ** 2 + (c[3] - lat) ** 2)
    return best[0], best[1]


def mine_name(rng, prefix, mineral, industry):
    place = place_name(rng, 2) + rng.choice(["", "", "山", "岭", "冲", "坪"])
    if industry == "coal":
        tail = rng.choice(["煤矿", "煤矿", "矿井"])
    elif industry in ("sand_gravel", "cement", "stone"):
        tail = mineral + rng.choice(["矿", "矿", "采石场"]) if "砂" not in mineral else "砂场"
    else:
        tail = mineral + "矿"
    return prefix + place + tail


def make_mines(rng, zones, reds, red_idx):
    zone_p = [prep(z["work"]) for z in zones]
    zone_ring = [z["work"].buffer(8000).difference(z["work"]) for z in zones]
    all_zones = unary_union([z["work"] for z in zones])
    far_zones_p = prep(all_zones.buffer(5000))
    zone_w = [math.sqrt(z["work"].area) for z in zones]
    zone_w[0] *= 1.6   # Chenzhou
    zone_w[1] *= 3.0   # Lengshuijiang
    mine_idx = GridIndex(10000)
    mines = []

    def size_for(scale):
        if scale == "large":
            return math.exp(rng.uniform(math.log(4e6), math.log(12e6)))
        if scale == "medium":
            return math.exp(rng.uniform(math.log(1e6), math.log(5e6)))
        return math.exp(rng.uniform(math.log(0.05e6), math.log(3e6)))

    def free_of_mines(g):
        return not mine_idx.hits(g, gap=100)

    def add(geom_work, kind, scale, where, geom_ll=None, extra=None):
        rec = dict(work=geom_work, ll=geom_ll, kind=kind, scale=scale, where=where)
        if extra:
            rec.update(extra)
        mines.append(rec)
        if geom_work is not None and not geom_work.is_empty:
            mine_idx.add(geom_work if geom_work.is_valid else make_valid(geom_work), rec)
        return rec

    # scales: 8 large, 16 medium, 6 unknown, the rest small (400 in all)
    N = 400
    scales = ["large"] * 8 + ["medium"] * 16 + [""] * 6
    scales += ["small"] * (N - len(scales))
    rng.shuffle(scales)
    # the special ones take small/medium scales (a large mine in conflict is fine too)
    plan = (["partial"] * 20 + ["two_redlines"] * 3 + ["touching"] * 4 + ["inside"] * 3
            + ["bowtie", "selfoverlap", "overlap_multi"] + ["empty"] + ["multipart"] * 4
            + ["holed"])
    plan += ["normal"] * (N - len(plan))
    # empty-geometry mine must have a known scale: put a "small" first for it
    order = list(range(N))
    assignments = list(zip(plan, scales))
    # guarantee the empty one is small
    for i, (k, s) in enumerate(assignments):
        if k == "empty" and s != "small":
            for j, (k2, s2) in enumerate(assignments):
                if k2 == "normal" and s2 == "small":
                    assignments[i], assignments[j] = (k, s2), (k2, s)
                    break
    n_elsewhere_target = int(0.3 * N)
    n_else = 0
    simple_reds = [r for r in reds if "parent" not in r and not r.get("has_child")]
    child_edge = [r for r in reds if "parent" in r and not r["inside"]]
    child_in = [r for r in reds if "parent" in r and r["inside"]]
    del order

    def pick_location(elsewhere):
        if elsewhere:
            while True:
                x, y = random_point_province(rng)
                if not far_zones_p.contains(Point(x, y)):
                    return x, y
        zi = rng.choices(range(len(zones)), zone_w)[0]
        if rng.random() < 0.85:
            return random_point_in(rng, zones[zi]["work"], zone_p[zi])
        return random_point_in(rng, zone_ring[zi])

    for kind, scale in assignments:
        sc = scale or "small"
        for attempt in range(5000):
            area = size_for(sc)
            if kind in ("bowtie", "selfoverlap"):
                # invalid mines on a red-line edge: the red line overlaps the lobe that
                # buffer(0) would drop (bow-tie) / the doubly-wound centre (pentagram)
                r = rng.choice([x for x in simple_reds if x["work"].area > 5e6])
                bd = r["work"].exterior
                pt = bd.interpolate(rng.uniform(0, bd.length))
                a = min(max(area, 0.3e6), 2e6)
                g = (bowtie if kind == "bowtie" else pentagram)(rng, pt.x, pt.y, a)
                fixed = make_valid(g)
                if kind == "bowtie":
                    kept = g.buffer(0)
                    dropped = fixed.difference(kept)
                    if dropped.area < 0.2 * fixed.area or kept.area < 0.2 * fixed.area:
                        continue
                    if kept.intersects(r["work"]) or dropped.intersection(r["work"]).area < 0.1 * dropped.area:
                        continue
                else:
                    if fixed.intersection(r["work"]).area < 0.1 * fixed.area:
                        continue
                if [h for h in red_idx.hits(fixed) if h is not r] or not free_of_mines(fixed):
                    continue
                add(g, kind, scale, "red")
                break
            if kind in ("normal", "multipart", "holed", "overlap_multi", "empty"):
                elsewhere = kind == "normal" and n_else < n_elsewhere_target and rng.random() < 0.33
                cx, cy = pick_location(elsewhere)
                if kind == "normal":
                    g = field_shape(rng, cx, cy, area)
                elif kind == "multipart":
                    parts = []
                    k = rng.randint(2, 3)
                    for j in range(k):
                        d = rng.uniform(400, 1500) * j
                        a = rng.uniform(0, 2 * math.pi)
                        parts.append(field_shape(rng, cx + d * math.cos(a), cy + d * math.sin(a),
                                                 area / k))
                    g = MultiPolygon(parts)
                    if not g.is_valid:
                        continue
                elif kind == "holed":
                    outer = blob(rng, cx, cy, area, 24, amp=0.2, kmax=4, jitter=0.03)
                    hole = blob(rng, cx, cy, area * 0.12, 10, amp=0.15, kmax=3, jitter=0.03)
                    g = Polygon(outer.exterior.coords, [hole.exterior.coords])
                elif kind == "overlap_multi":
                    g = overlapping_multi(rng, cx, cy, max(area, 0.3e6))
                else:  # empty: placed somewhere, but written without a geometry
                    g = field_shape(rng, cx, cy, area)
                env = make_valid(g) if not g.is_valid else g
                if env.is_empty:
                    continue
                if red_idx.hits(env, gap=50) or not free_of_mines(env):
                    continue
                if kind == "normal" and elsewhere:
                    n_else += 1
                add(None if kind == "empty" else g, kind, scale, "else" if elsewhere else "zone")
                break
            if kind == "partial":
                r = rng.choice(simple_reds)
                bd = r["work"].exterior
                pt = bd.interpolate(rng.uniform(0, bd.length))
                g = field_shape(rng, pt.x, pt.y, min(area, r["work"].area * 0.5))
                if not g.is_valid:
                    continue
                fr = g.intersection(r["work"]).area / g.area
                if not 0.08 < fr < 0.9:
                    continue
                if [h for h in red_idx.hits(g) if h is not r] or not free_of_mines(g):
                    continue
                add(g, kind, scale, "red", extra=dict(red=[r["id"] if "id" in r else None]))
                break
            if kind == "two_redlines":
                c = rng.choice(child_edge + child_in)
                P = c["parent"]["work"]
                bd = c["work"].exterior
                pt = bd.interpolate(rng.uniform(0, bd.length))
                if not P.buffer(-200).contains(pt):
                    continue
                g = field_shape(rng, pt.x, pt.y, min(area, 1.5e6))
                if not g.is_valid:
                    continue
                a1 = g.intersection(c["work"]).area
                a12 = g.intersection(c["work"]).intersection(P).area
                if a1 < 0.1 * g.area or a12 < 0.05 * g.area:
                    continue
                if [h for h in red_idx.hits(g) if h is not c and h is not c["parent"]]:
                    continue
                if not free_of_mines(g):
                    continue
                add(g, kind, scale, "red")
                break
            if kind == "inside":
                r = rng.choice([x for x in simple_reds if x["work"].area > 20e6])
                a = min(area, r["work"].area * 0.05)
                rr = math.sqrt(a / math.pi) * 2.5
                inner = r["work"].buffer(-rr)
                if inner.is_empty:
                    continue
                cx, cy = random_point_in(rng, largest_polygon(inner))
                g = field_shape(rng, cx, cy, a)
                if not r["work"].contains(g) or not free_of_mines(g):
                    continue
                add(g, kind, scale, "red")
                break
            if kind == "touching":
                g_ll = touching_mine(rng, simple_reds, red_idx, area)
                if g_ll is None:
                    continue
                gw = to_work(g_ll)
                if not free_of_mines(gw):
                    continue
                add(gw, kind, scale, "red", geom_ll=g_ll)
                break
        else:
            raise RuntimeError("could not place mine of kind %s" % kind)

    rng.shuffle(mines)
    return mines


def touching_mine(rng, reds, red_idx, area):
    """A mine sharing two edges exactly (same lon/lat vertices) with a red line."""
    r = rng.choice([x for x in reds if x["work"].area > 10e6])
    ll = orient(r["ll"], 1.0)  # counter-clockwise: outside is to the right
    coords = list(ll.exterior.coords)[:-1]
    n = len(coords)
    i = rng.randrange(n)
    v0, v1, v2 = coords[i], coords[(i + 1) % n], coords[(i + 2) % n]
    w0, w1, w2 = (ll2work_pt(*v) for v in (v0, v1, v2))
    ex, ey = w2[0] - w0[0], w2[1] - w0[1]
    L = math.hypot(ex, ey)
    if L < 500:
        return None
    nx, ny = ey / L, -ex / L  # right of the edge direction = outside for a CCW ring
    depth = min(max(area / L, 200.0), 1500.0)
    outer = []
    k = rng.randint(3, 6)
    for j in range(k + 1):
        t = 1.0 - j / k  # from the v2 end back to v0
        px = w0[0] + ex * t + ex * rng.uniform(-0.05, 0.05) * (0 < j < k)
        py = w0[1] + ey * t + ey * rng.uniform(-0.05, 0.05) * (0 < j < k)
        d = depth * rng.uniform(0.7, 1.3)
        outer.append((px + nx * d, py + ny * d))
    outer_ll = [work2ll_pt(*p) for p in outer]
    g = Polygon([v0, v1, v2] + outer_ll)
    if not g.is_valid:
        return None
    if g.intersection(r["ll"]).area != 0.0:
        return None
    gw = to_work(g)
    for h in red_idx.hits(gw.buffer(50)):
        if h is not r:
            return None
    if gw.area < 0.05e6:
        return None
    return g


# ---------------------------------------------------------------------------
# 4. Parcels
# ---------------------------------------------------------------------------


def ha(x):
    return x * 1e4


def make_parcels(rng, zones, mines):
    zone_p = [prep(z["work"]) for z in zones]
    zone_w = [math.sqrt(z["work"].area) for z in zones]
    zone_mines = [m for m in mines if m["work"] is not None and m["where"] != "else"]
    else_mines = [m for m in mines if m["work"] is not None and m["where"] == "else"]
    idx = GridIndex(3000)
    parcels = []

    def parcel_area():
        r = rng.random()
        if r < 0.55:
            return ha(math.exp(rng.uniform(math.log(0.5), math.log(4))))
        if r < 0.9:
            return ha(rng.uniform(2, 10))
        return ha(rng.uniform(8, 20))

    def zone_of(x, y):
        for zi, pz in enumerate(zone_p):
            if pz.contains(Point(x, y)):
                return zi
        return None

    n_base = 2475
    n_border = 290
    tries = 0
    while len(parcels) < n_base:
        tries += 1
        area = parcel_area()
        r = rng.random()
        if len(parcels) < n_border:
            zi = rng.choices(range(len(zones)), zone_w)[0]
            bd = zones[zi]["work"].exterior
            pt = bd.interpolate(rng.uniform(0, bd.length))
            cx, cy = pt.x, pt.y
            where = "border"
        elif r < 0.45:
            m = rng.choice(zone_mines)
            c = m["work"].centroid
            d = rng.uniform(200, 3000)
            a = rng.uniform(0, 2 * math.pi)
            cx, cy = c.x + d * math.cos(a), c.y + d * math.sin(a)
            where = "mine"
        elif r < 0.93:
            zi = rng.choices(range(len(zones)), zone_w)[0]
            cx, cy = random_point_in(rng, zones[zi]["work"], zone_p[zi])
            where = "zone"
        else:
            m = rng.choice(else_mines)
            c = m["work"].centroid
            d = rng.uniform(200, 3000)
            a = rng.uniform(0, 2 * math.pi)
            cx, cy = c.x + d * math.cos(a), c.y + d * math.sin(a)
            where = "else"
        g = field_shape(rng, cx, cy, area)
        if not g.is_valid or idx.hits(g, gap=20):
            continue
        if where == "border":
            b = zones[zi]["work"]
            fr = g.intersection(b).area / g.area
            if not 0.1 < fr < 0.9:
                continue
        rec = dict(work=g, where=where, zone=zi if where == "border" else zone_of(cx, cy))
        parcels.append(rec)
        idx.add(g, rec)
    # partial overlaps (~15 %)
    n_overlap = 450
    base = list(parcels)
    made = 0
    while made < n_overlap:
        o = rng.choice(base)
        g0 = o["work"]
        c = g0.centroid
        rr = math.sqrt(g0.area / math.pi)
        a = rng.uniform(0, 2 * math.pi)
        d = rr * rng.uniform(0.5, 1.4)
        g = field_shape(rng, c.x + d * math.cos(a), c.y + d * math.sin(a),
                        min(max(g0.area * rng.uniform(0.4, 1.3), ha(0.6)), ha(19.5)))
        if not g.is_valid:
            continue
        fr = g.intersection(g0).area / g.area
        if not 0.05 < fr < 0.8:
            continue
        others = [h for h in idx.hits(g) if h is not o]
        if len(others) > 1:
            continue
        rec = dict(work=g, where=o["where"], zone=o["zone"], overlaps=o)
        parcels.append(rec)
        idx.add(g, rec)
        made += 1
    return parcels


def parcel_attributes(rng, parcels, zones):
    """kind / status / date / legacy for each parcel (in place)."""
    for p in parcels:
        src = p.get("overlaps")
        if src is not None and "kind" in src and rng.random() < 0.6:
            p["kind"], p["status"], p["legacy"] = src["kind"], src["status"], src["legacy"]
        else:
            p["kind"] = "restoration" if rng.random() < 0.76 else "reclamation"
            done = 0.40 if p["kind"] == "restoration" else 0.30
            s = rng.random()
            p["status"] = "completed" if s < done else ("in_progress" if s < done + 0.28 else "planned")
            if p["kind"] == "restoration":
                p["legacy"] = rng.random() < 0.6
            else:
                p["legacy"] = rng.random() < 0.3
        p["date"] = parcel_date(rng, p["status"])


YEAR_W = {2014: 5, 2015: 7, 2016: 12, 2017: 14, 2018: 15, 2019: 15, 2020: 14, 2021: 10, 2022: 8}


def rand_date(rng, years, weights=None):
    y = rng.choices(years, weights)[0] if weights else rng.choice(years)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return "%04d-%02d-%02d" % (y, m, d)


def parcel_date(rng, status):
    if status == "completed":
        return rand_date(rng, list(YEAR_W), list(YEAR_W.values()))
    if status == "in_progress":
        return rand_date(rng, [2019, 2020, 2021, 2022]) if rng.random() < 0.25 else None
    return rand_date(rng, [2019, 2020, 2021, 2022]) if rng.random() < 0.3 else None


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def ogr_geom(g):
    return ogr.CreateGeometryFromWkb(bytes(g.wkb))


def remove_dataset(path):
    if os.path.exists(path):
        drv = ogr.GetDriverByName("ESRI Shapefile" if path.endswith(".shp") else
                                  ("GPKG" if path.endswith(".gpkg") else "GeoJSON"))
        drv.DeleteDataSource(path)
    for ext in (".cpg", ".prj", ".dbf", ".shx", ".shp"):
        q = os.path.splitext(path)[0] + ext
        if path.endswith(".shp") and os.path.exists(q):
            os.remove(q)


def write_zones(path, zones):
    remove_dataset(path)
    ds = ogr.GetDriverByName("GeoJSON").CreateDataSource(path)
    lyr = ds.CreateLayer("zones", SRS_LONLAT, ogr.wkbPolygon,
                         options=["COORDINATE_PRECISION=9", "WRITE_BBOX=NO"])
    for name in ("编号", "名称"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    for z in zones:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("编号", z["id"])
        f.SetField("名称", z["name"])
        f.SetGeometry(ogr_geom(z["ll"]))
        lyr.CreateFeature(f)
    ds = None


def write_redlines(path, reds):
    remove_dataset(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("redlines", SRS_LONLAT, ogr.wkbPolygon,
                         options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES"])
    for name in ("红线编号", "名称", "类型"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    lyr.StartTransaction()
    for r in sorted(reds, key=lambda r: r["id"]):
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("红线编号", r["id"])
        f.SetField("名称", r["name"])
        f.SetField("类型", r["cat"])
        f.SetGeometry(ogr_geom(r["ll"]))
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


MINE_FIELDS = [
    ("许可证号", ogr.OFTString, 24, 0),
    ("矿山名称", ogr.OFTString, 80, 0),
    ("开采矿种", ogr.OFTString, 30, 0),
    ("行业", ogr.OFTString, 12, 0),
    ("规模", ogr.OFTString, 6, 0),
    ("状态", ogr.OFTString, 6, 0),
    ("绿色矿山", ogr.OFTString, 4, 0),
    ("面积", ogr.OFTReal, 14, 4),
]


def write_mines(path, mines):
    remove_dataset(path)
    gdal.SetConfigOption("SHAPE_REWIND_ON_WRITE", "NO")
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
    lyr = ds.CreateLayer("mines", SRS_MINES, ogr.wkbPolygon,
                         options=["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=" + FIXED_DATE])
    for name, t, w, p in MINE_FIELDS:
        fd = ogr.FieldDefn(name, t)
        fd.SetWidth(w)
        fd.SetPrecision(p)
        lyr.CreateField(fd)
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    if names != [f[0] for f in MINE_FIELDS]:
        raise RuntimeError("shapefile field names did not survive: %r" % names)
    for m in mines:
        f = ogr.Feature(defn)
        f.SetField("许可证号", m["id"])
        f.SetField("矿山名称", m["name"])
        f.SetField("开采矿种", m["mineral"])
        f.SetField("行业", INDUSTRY_ZH[m["industry"]])
        if m["scale"]:
            f.SetField("规模", {"large": "大型", "medium": "中型", "small": "小型"}[m["scale"]])
        f.SetField("状态", {"new": "新建", "producing": "生产", "closed": "闭坑"}[m["status"]])
        f.SetField("绿色矿山", "是" if m["green"] else "否")
        f.SetField("面积", m["stored_area"])
        if m["out"] is not None:
            f.SetGeometry(ogr_geom(m["out"]))
        lyr.CreateFeature(f)
    ds = None


def write_parcels(path, parcels):
    remove_dataset(path)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("parcels", SRS_PARCELS, ogr.wkbUnknown,
                         options=["GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=YES"])
    for name in ("TBBH", "LX", "ZT", "WCRQ", "LSYL"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    fd = ogr.FieldDefn("MJ", ogr.OFTReal)
    lyr.CreateField(fd)
    lyr.StartTransaction()
    for p in parcels:
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("TBBH", p["id"])
        f.SetField("LX", p["LX"])
        f.SetField("ZT", p["ZT"])
        if p["WCRQ"] is not None:
            f.SetField("WCRQ", p["WCRQ"])
        f.SetField("LSYL", p["LSYL"])
        f.SetField("MJ", p["MJ"])
        if p["out"] is not None:
            f.SetGeometry(p["out"])
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "demo")
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(SEED)

    # --- zones
    zones = make_zones(random.Random(rng.random()))
    # --- red lines
    reds, red_idx = make_redlines(random.Random(rng.random()), zones)
    # --- mines
    mrng = random.Random(rng.random())
    mines = make_mines(mrng, zones, reds, red_idx)
    zone_p = [prep(z["work"]) for z in zones]
    used_ids = set()
    for m in mines:
        g = m["work"]
        zi = None
        if g is not None:
            c = g.representative_point() if g.is_valid else g.envelope.centroid
            for k, pz in enumerate(zone_p):
                if pz.contains(c):
                    zi = k
        if zi is not None:
            prefix, code = zones[zi]["name"], zones[zi]["code"]
            w = ZONE_IND_W[zones[zi]["id"]]
        else:
            mrng.choice(OTHER_COUNTIES)  # drawn as before: every later figure stays the same
            if g is not None:
                c = g.representative_point() if g.is_valid else g.envelope.centroid
                prefix, code = nearest_county(*work2ll_pt(c.x, c.y))
            else:
                prefix, code = nearest_county(*PROV_CENTRE)
            w = BASE_IND_W
        if m["scale"] == "large" and mrng.random() < 0.5:
            code = "430000"  # issued by the province
        m["industry"] = mrng.choices(ALL_IND, w)[0]
        m["mineral"] = mrng.choice(MINERALS[m["industry"]])
        m["name"] = mine_name(mrng, prefix, m["mineral"], m["industry"])
        while True:
            mid = "C%s%04d%02d%010d" % (code, mrng.randint(2003, 2016), mrng.randint(1, 12),
                                        mrng.randrange(10 ** 10))
            if mid not in used_ids:
                used_ids.add(mid)
                break
        m["id"] = mid
        s = mrng.random()
        m["status"] = "new" if s < 0.08 else ("producing" if s < 0.78 else "closed")
        big = m["scale"] in ("large", "medium")
        m["green"] = mrng.random() < (0.45 if big else 0.08)
        # geometry out: lon/lat, then GK zone 37
        if g is None:
            m["out"] = None
            true_ha = 0.0
        else:
            ll = m["ll"] if m["ll"] is not None else to_lonlat(g)
            out = shp_transform(_tfunc(CT_LL2MINES), ll)
            # shapefile: outer rings clockwise, holes counter-clockwise.  The rings are
            # written as given (SHAPE_REWIND_ON_WRITE=NO), so the two overlapping parts
            # of the invalid multi-part mine stay two outer rings.
            if out.geom_type == "Polygon":
                if out.is_valid:
                    out = orient(out, -1.0)
            else:
                out = MultiPolygon([orient(p, -1.0) for p in out.geoms])
            m["out"] = out
            true_ha = (g.area if g.is_valid else make_valid(g).area) / 1e4
        # a stored area that is always wrong
        t = mrng.random()
        if true_ha == 0.0:
            stored = round(mrng.uniform(5, 60), 2)
        elif t < 0.35:
            stored = round(true_ha * 15.0, 2)  # in mu, not ha
        elif t < 0.6:
            stored = round(true_ha / 100.0, 4)  # in km2
        elif t < 0.75:
            stored = 0.0
        else:
            stored = round(true_ha * mrng.choice([0.5, 0.7, 1.3, 1.6, 2.0]), 2)
        m["stored_area"] = stored
        m["true_ha"] = true_ha

    # --- parcels
    prng = random.Random(rng.random())
    parcels = make_parcels(prng, zones, mines)
    parcel_attributes(prng, parcels, zones)
    # special parcels replace some ordinary ones (keep their attributes)
    specials = (["curve"] * 4 + ["compound"] + ["z3d"] * 5 + ["holed"] * 3 + ["multi"] * 3
                + ["bowtie"] * 2 + ["selfoverlap", "overlap_multi"] + ["empty", "null"])
    cand = [p for p in parcels if "overlaps" not in p and p["where"] in ("zone", "mine")
            and ha(1.0) < p["work"].area < ha(12.0)]
    chosen = prng.sample(cand, len(specials))
    for i, (p, sp) in enumerate(zip(chosen, specials)):
        p["special"] = sp
        # most odd geometries are completed work that counts, so that they matter
        if i % 6 != 5:
            p["kind"] = "reclamation" if i % 4 == 3 else "restoration"
            p["status"] = "completed"
            p["legacy"] = True
            p["date"] = rand_date(prng, [2017, 2018, 2019])
    # exact duplicates (~2 %)
    dups = []
    for o in prng.sample([p for p in parcels if "special" not in p], 60):
        d = dict(o)
        d.pop("overlaps", None)
        d["dup_of"] = o
        if prng.random() < 0.3:
            d["status"] = prng.choice(["completed", "in_progress", "planned"])
            d["date"] = parcel_date(prng, d["status"])
        dups.append(d)
    for d in dups:
        k = prng.randrange(len(parcels) + 1)
        parcels.insert(k, d)
    # exact boundary dates and missing dates on completed parcels
    plain_done = [p for p in parcels if p["status"] == "completed" and "special" not in p
                  and "dup_of" not in p and "overlaps" not in p]
    picks = prng.sample(plain_done, 20)
    for p, dt in zip(picks, ["2016-01-01"] * 5 + ["2020-12-31"] * 5 + ["2015-12-31"] * 2
                     + ["2021-01-01"] * 2 + [None] * 3 + [""] * 3):
        p["date"] = dt
    # ids, codes
    serial = {}
    for p in parcels:
        if "dup_of" in p:
            continue
        code = zones[p["zone"]]["code"] if p["zone"] is not None else "430000"
        serial[code] = serial.get(code, 0) + 1
        p["id"] = "TB%s%05d" % (code, serial[code])
    for p in parcels:
        if "dup_of" in p:
            if prng.random() < 0.5:
                p["id"] = p["dup_of"]["id"]
            else:
                code = zones[p["zone"]]["code"] if p["zone"] is not None else "430000"
                serial[code] = serial.get(code, 0) + 1
                p["id"] = "TB%s%05d" % (code, serial[code])
    # attribute spellings
    for p in parcels:
        e = prng.random() < 0.03
        p["LX"] = (p["kind"] if e else {"restoration": "恢复治理", "reclamation": "土地复垦"}[p["kind"]])
        e = prng.random() < 0.03
        p["ZT"] = (p["status"] if e else
                   {"planned": "规划", "in_progress": "在建", "completed": "已完成"}[p["status"]])
        p["WCRQ"] = p["date"]
        if prng.random() < 0.06:
            p["LSYL"] = "1" if p["legacy"] else "0"
        else:
            p["LSYL"] = "是" if p["legacy"] else "否"
    # geometries out
    ll2p = _tfunc(CT_LL2PARCELS)
    for p in parcels:
        sp = p.get("special")
        g = p["work"]
        c = g.centroid
        rr = math.sqrt(g.area / math.pi)
        if sp in ("curve", "compound"):
            lon, lat = work2ll_pt(c.x, c.y)
            X, Y = ll2p(lon, lat)
            if sp == "curve":
                wkt = "CURVEPOLYGON(CIRCULARSTRING(%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f,%.3f %.3f))" % (
                    X + rr, Y, X, Y + rr, X - rr, Y, X, Y - rr, X + rr, Y)
                p["work"] = Point(c.x, c.y).buffer(rr, 256)
            else:
                # a "D": an arc over the top, closed by two straight segments
                wkt = ("CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(%.3f %.3f,%.3f %.3f,%.3f %.3f),"
                       "(%.3f %.3f,%.3f %.3f,%.3f %.3f)))") % (
                    X + rr, Y, X, Y + rr, X - rr, Y, X - rr, Y, X, Y - 0.3 * rr, X + rr, Y)
                half = Point(c.x, c.y).buffer(rr, 256).intersection(
                    Polygon([(c.x - 2 * rr, c.y), (c.x + 2 * rr, c.y), (c.x + 2 * rr, c.y + 2 * rr),
                             (c.x - 2 * rr, c.y + 2 * rr)]))
                p["work"] = unary_union([half, Polygon([(c.x - rr, c.y), (c.x, c.y - 0.3 * rr),
                                                        (c.x + rr, c.y)])])
            p["out"] = ogr.CreateGeometryFromWkt(wkt)
            continue
        if sp in ("empty", "null"):
            p["out"] = ogr.CreateGeometryFromWkt("POLYGON EMPTY") if sp == "empty" else None
            p["work"] = None
            continue
        if sp == "holed":
            hole = blob(prng, c.x, c.y, g.area * 0.15, 8, amp=0.1, kmax=3, jitter=0.02)
            if g.contains(hole):
                g = Polygon(g.exterior.coords, [hole.exterior.coords])
        elif sp == "multi":
            a = prng.uniform(0, 2 * math.pi)
            d = rr * prng.uniform(2.5, 4)
            g2 = field_shape(prng, c.x + d * math.cos(a), c.y + d * math.sin(a), g.area * 0.5)
            g = MultiPolygon([g, g2])
        elif sp == "bowtie":
            g = bowtie(prng, c.x, c.y, g.area)
        elif sp == "selfoverlap":
            g = pentagram(prng, c.x, c.y, g.area)
        elif sp == "overlap_multi":
            g = overlapping_multi(prng, c.x, c.y, g.area)
        p["work"] = g
        out = shp_transform(ll2p, to_lonlat(g))
        og = ogr_geom(out)
        if sp == "z3d":
            base_z = prng.uniform(120, 650)
            og.Set3D(True)
            ring = og.GetGeometryRef(0)
            for i in range(ring.GetPointCount()):
                x, y, _ = ring.GetPoint(i)
                ring.SetPoint(i, x, y, round(base_z + prng.uniform(-15, 15), 2))
            # keep the ring closed in 3D
            x, y, z = ring.GetPoint(0)
            ring.SetPoint(ring.GetPointCount() - 1, x, y, z)
        p["out"] = og
    for p in parcels:
        a = p["work"].area if p["work"] is not None and p["work"].is_valid else (
            make_valid(p["work"]).area if p["work"] is not None else 0.0)
        p["MJ"] = round(a / 1e4 * 15.0 * prng.uniform(0.97, 1.03), 2)  # roughly mu, not ha

    write_zones(os.path.join(outdir, "zones.geojson"), zones)
    write_redlines(os.path.join(outdir, "redlines.gpkg"), reds)
    write_mines(os.path.join(outdir, "mines.shp"), mines)
    write_parcels(os.path.join(outdir, "parcels.gpkg"), parcels)

    summary(zones, reds, mines, parcels)


def summary(zones, reds, mines, parcels):
    """Rough figures (equal-area working CRS, GEOS 'linework' MakeValid) for the README."""
    print("zones:", len(zones))
    for z in zones:
        print("  %s %s %.0f km2 %d vertices" % (z["id"], z["name"], z["work"].area / 1e6,
                                               len(z["work"].exterior.coords) - 1))
    nover = 0
    for i, r in enumerate(reds):
        if any(r["work"].intersection(s["work"]).area > 0 for j, s in enumerate(reds) if j != i
               and r["work"].intersects(s["work"])):
            nover += 1
    print("redlines: %d (%d overlap another)" % (len(reds), nover))
    red_union = unary_union([r["work"] for r in reds])
    kinds = {}
    for m in mines:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    known = [m for m in mines if m["scale"]]
    lm = [m for m in known if m["scale"] in ("large", "medium")]
    conf = 0
    for m in mines:
        g = m["work"]
        if g is None:
            continue
        gg = g if g.is_valid else make_valid(g)
        if gg.intersection(red_union).area > 1.0:
            conf += 1
    print("mines: %d kinds=%s large+medium %d/%d = %.2f %% ; conflict mines ~%d" % (
        len(mines), kinds, len(lm), len(known), 100.0 * len(lm) / len(known), conf))
    print("  elsewhere:", sum(1 for m in mines if m["where"] == "else"))
    for k in ("touching", "inside", "two_redlines", "bowtie", "selfoverlap", "overlap_multi",
              "empty", "multipart", "holed"):
        print("  mine %-13s %s" % (k, " ".join(m["id"] for m in mines if m["kind"] == k)))
    for k in ("curve", "compound", "z3d", "holed", "multi", "bowtie", "selfoverlap",
              "overlap_multi", "empty", "null"):
        print("  parcel %-13s %s" % (k, " ".join(p["id"] for p in parcels if p.get("special") == k)))

    def counted(p, kind):
        if p["work"] is None or p["kind"] != kind or p["status"] != "completed":
            return False
        if kind == "restoration" and not p["legacy"]:
            return False
        return bool(p["date"]) and "2016-01-01" <= p["date"] <= "2020-12-31"

    for kind, target in (("restoration", 2000.0), ("reclamation", 500.0)):
        gs = [p["work"] if p["work"].is_valid else make_valid(p["work"])
              for p in parcels if counted(p, kind)]
        u = unary_union(gs).area / 1e4
        s = sum(g.area for g in gs) / 1e4
        print("%s: %d parcels, union %.1f ha (sum %.1f ha) = %.1f %% of %g" % (
            kind, len(gs), u, s, 100 * u / target, target))
    allz = unary_union([z["work"] for z in zones])
    zb = prep(allz.boundary)
    cross = sum(1 for p in parcels if p["work"] is not None and zb.intersects(p["work"]))
    print("parcels: %d, crossing a zone border: %d, duplicates %d, overlap-made %d" % (
        len(parcels), cross, sum(1 for p in parcels if "dup_of" in p),
        sum(1 for p in parcels if "overlaps" in p)))


if __name__ == "__main__":
    main()
