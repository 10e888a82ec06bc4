#!/usr/bin/python3
"""Build the integration-test fixture for greenmine (deterministic).

Writes four small input layers into tests/integration/data/ (committed):

  zones.gdb        ESRI FileGDB (OpenFileGDB driver), Xian 1980 / 3-degree GK CM 111E
                   (EPSG:2382), fields BH (zone_id), MC (name)                3 zones
  redlines.gpkg    GeoPackage layer "redlines", CGCS2000 geographic (EPSG:4490),
                   fields redline_id, name, category                         12 red lines
  mines.shp        GBK-encoded Shapefile (.cpg = GBK), CGCS2000 3-degree GK zone 37
                   (EPSG:4525, eastings with the 37 prefix), Chinese field names  25 mines
  parcels.geojson  GeoJSON in WGS 84 (EPSG:4326), pinyin-initial field names  60 parcels

Every geometry is designed by hand in CGCS2000 lon/lat (below) and then reprojected to
the layer's CRS with PROJ through OGR, so the engine has to reproject it back.

"Pre-noding".  Wherever two features whose overlay matters cross (mine x red line,
red line x red line, parcel x parcel, parcel x zone, mine x zone, zone x zone), the
crossing point is inserted as a vertex of BOTH rings before writing.  The overlay
results are then made of input vertices only, so they do not depend on the space the
overlay is done in (lon/lat, Gauss-Kruger or anything else: a straight segment in one
space is a curve in another, which would move computed crossing points by centimetres
and the areas by ~1e-4 relative).  The areas are geodesic polygon areas of those
vertices and are reproducible to ~1e-12.  Self-crossings inside one feature (the
bow-ties) are deliberately left un-noded: that is what MakeValid must repair.

The features are reproducible bit for bit; only the FileGDB catalog (GDB_Items UUIDs)
differs from one run to the next.  After changing the design, run compute_expected.py.

Usage:  /usr/bin/python3 tests/integration/make_fixture.py [OUTDIR]
"""
import json
import os
import shutil
import sys

from osgeo import gdal, ogr, osr
from shapely.geometry import LineString

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------------------
# Design helpers (lon/lat degrees, CGCS2000)
# --------------------------------------------------------------------------------------
def rect(x0, y0, x1, y1):
    """Counter-clockwise rectangle ring, closed."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]


def ring(*pts):
    pts = list(pts)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return pts


def poly(*rings):
    """A polygon = list of rings (first outer, then holes)."""
    return [list(r) for r in rings]


# --------------------------------------------------------------------------------------
# Zones: Liuyang (south) and Pingjiang (north) share a border; Lengshuijiang is apart.
# (simplified shapes at roughly the real places; some hundreds of km2 each)
# --------------------------------------------------------------------------------------
BORDER = [(113.00, 28.30), (113.10, 28.30), (113.18, 28.312), (113.30, 28.305)]
ZONES = [
    # BH, MC, polygon
    ("430181", "浏阳市",
     poly(ring((113.00, 28.10), (113.15, 28.09), (113.30, 28.10),
               *reversed(BORDER)))),
    ("430626", "平江县",
     poly(ring(*BORDER, (113.30, 28.50), (113.12, 28.51), (113.00, 28.50)))),
    ("431381", "冷水江市",
     poly(ring((111.35, 27.62), (111.50, 27.60), (111.56, 27.68), (111.54, 27.80),
               (111.42, 27.79), (111.34, 27.72)))),
]

# --------------------------------------------------------------------------------------
# Red lines (written in a shuffled order so that "sorted ids" means something)
# --------------------------------------------------------------------------------------
REDLINES = [
    # redline_id, name, category, list of polygons
    ("HX-430181-07", "浏阳河饮用水水源保护区", "water_source",
     [poly(ring((113.050, 28.200), (113.080, 28.200), (113.082, 28.230), (113.050, 28.230)))]),
    ("HX-430181-02", "大围山国家森林公园", "forest_park",
     [poly(ring((113.070, 28.210), (113.100, 28.212), (113.100, 28.240), (113.070, 28.240)))]),
    ("HX-430181-11", "浏阳禁采区", "prohibited_mining",
     [poly(ring((113.072, 28.224), (113.080, 28.225), (113.077, 28.232)))]),
    # with a hole
    ("HX-430181-03", "浏阳湿地自然保护区", "nature_reserve",
     [poly(ring((113.150, 28.150), (113.200, 28.148), (113.205, 28.170), (113.200, 28.192),
                (113.150, 28.190)),
           ring((113.165, 28.158), (113.165, 28.175), (113.185, 28.175), (113.185, 28.158)))]),
    ("HX-430181-04", "浏阳生态保护红线", "prohibited_mining",
     [poly(ring((113.198, 28.184), (113.215, 28.184), (113.215, 28.200), (113.198, 28.200)))]),
    ("HX-430181-12", "株树桥水库水源地", "water_source",
     [poly(rect(113.260, 28.240, 113.280, 28.262))]),
    ("HX-430626-05", "幕阜山国家级自然保护区", "nature_reserve",
     [poly(ring((113.150, 28.400), (113.210, 28.398), (113.225, 28.430), (113.200, 28.462),
                (113.155, 28.455)))]),
    ("HX-430626-06", "汨罗江源头水源保护区", "water_source",
     [poly(rect(113.205, 28.420, 113.250, 28.450))]),
    # a two-part red line
    ("HX-431381-01", "锡矿山禁采区", "prohibited_mining",
     [poly(rect(111.460, 27.700, 111.500, 27.740)),
      poly(rect(111.430, 27.760, 111.440, 27.770))]),
    ("HX-431381-08", "波月洞森林公园", "forest_park",
     [poly(rect(111.480, 27.720, 111.520, 27.760))]),
    ("HX-430300-09", "韶山风景名胜区", "scenic_area",
     [poly(rect(112.500, 27.900, 112.530, 27.930))]),
    ("HX-431200-10", "雪峰山森林公园", "forest_park",
     [poly(ring((111.100, 27.400), (111.150, 27.395), (111.160, 27.430), (111.110, 27.440)))]),
]
REDLINE_ORDER = [5, 0, 9, 2, 1, 7, 3, 11, 6, 4, 10, 8]   # write order (shuffled)

# --------------------------------------------------------------------------------------
# Mines.  Columns: 许可证号, 矿山名称, 开采矿种, 行业, 规模, 状态, 绿色矿山, geometry (list of
# polygons, [] = empty).  The comment says what each one tests.
# --------------------------------------------------------------------------------------
MINES = [
    # partly over one red line (HX-430181-03)
    ("C4301812010031120061001", "浏阳市官渡镇石灰石矿", "石灰岩", "水泥", "小型", "生产", "否",
     [poly(rect(113.140, 28.180, 113.156, 28.186))]),
    # over three overlapping red lines (07, 02, 11): the overlaps count once
    ("C4301812009121120052002", "浏阳市大围山煤矿", "煤", "煤炭", "大型", "生产", "是",
     [poly(rect(113.074, 28.226, 113.086, 28.244))]),
    # partly over the hole of HX-430181-03 (the hole is no conflict)
    ("C4301812011061120073003", "浏阳市永和磷矿", "磷矿", "化工", "小型", "生产", "否",
     [poly(rect(113.170, 28.166, 113.180, 28.182))]),
    # fully inside HX-430181-03
    ("C4301812012021120084004", "浏阳市七宝山铜矿", "铜矿", "有色金属", "中型", "生产", "是",
     [poly(rect(113.188, 28.178, 113.196, 28.186))]),
    # only touches HX-430181-07 along its west edge: clear
    ("C4301812013051120095005", "浏阳市北盛镇砂石矿", "建筑用砂", "砂石", "小型", "新建", "否",
     [poly(rect(113.040, 28.205, 113.050, 28.215))]),
    # outside every zone, partly over HX-430300-09
    ("C4303002008071120046006", "韶山市银田花岗岩矿", "花岗岩", "石材", "小型", "生产", "否",
     [poly(rect(112.525, 27.920, 112.540, 27.926))]),
    # T-shape across the Liuyang/Pingjiang border: larger part in 平江县, centroid in 浏阳市
    ("C4301812014081120106007", "浏阳市社港镇高岭土矿", "高岭土", "非金属", "小型", "生产", "否",
     [poly(ring((113.030, 28.2998), (113.0345, 28.2998), (113.0345, 28.2950),
                (113.0355, 28.2950), (113.0355, 28.2998), (113.040, 28.2998),
                (113.040, 28.3012), (113.030, 28.3012)))]),
    # self-intersecting bow-tie (asymmetric lobes): MakeValid structure keeps both lobes
    ("C4313812010091120067008", "冷水江市毛易镇石煤矿", "石煤", "煤炭", "小型", "闭坑", "否",
     [poly(ring((111.400, 27.650), (111.412, 27.662), (111.412, 27.650), (111.400, 27.666)))]),
    # two parts, the second partly over HX-431381-01
    ("C4313812011101120078009", "冷水江市锡矿山锑矿", "锑矿", "有色金属", "小型", "生产", "是",
     [poly(rect(111.380, 27.700, 111.388, 27.706)),
      poly(rect(111.455, 27.705, 111.465, 27.712))]),
    # empty geometry: still a mine, counts in the share
    ("C4313812012111120089010", "冷水江市铎山镇铁矿", "铁矿", "黑色金属", "中型", "闭坑", "否",
     []),
    # no scale: not in the share's denominator
    ("C4301812015011120111011", "浏阳市达浒镇萤石矿", "萤石", "非金属", "", "新建", "否",
     [poly(rect(113.250, 28.250, 113.258, 28.256))]),
    ("C4306262010021120062012", "平江县童市镇石材矿", "花岗岩", "石材", "小型", "生产", "否",
     [poly(rect(113.150, 28.330, 113.156, 28.336))]),
    # crosses HX-430181-03 and HX-430181-04 (which overlap) and open land
    ("C4301812016031120122013", "浏阳市文家市金矿", "金矿", "贵金属", "小型", "生产", "否",
     [poly(rect(113.196, 28.188, 113.210, 28.196))]),
    ("C4301812008041120043014", "浏阳市澄潭江煤矿", "煤", "煤炭", "大型", "生产", "是",
     [poly(rect(113.120, 28.120, 113.135, 28.130))]),
    ("C4301812017051120133015", "浏阳市张坊镇砖瓦用页岩矿", "页岩", "非金属", "小型", "生产", "否",
     [poly(ring((113.230, 28.216), (113.234, 28.220), (113.230, 28.224), (113.226, 28.220)))]),
    # over HX-430626-05 and HX-430626-06 (which overlap) and open land
    ("C4306262011061120073016", "平江县黄金洞金矿", "金矿", "贵金属", "中型", "生产", "是",
     [poly(rect(113.196, 28.444, 113.212, 28.452))]),
    ("C4306262009071120054017", "平江县安定镇石灰石矿", "石灰岩", "水泥", "大型", "生产", "是",
     [poly(rect(113.050, 28.350, 113.062, 28.360))]),
    # slanted edges, partly over HX-430626-05
    ("C4306262012081120085018", "平江县加义镇长石矿", "长石", "非金属", "小型", "新建", "否",
     [poly(ring((113.140, 28.420), (113.160, 28.415), (113.165, 28.428), (113.145, 28.432)))]),
    ("C4306262013091120096019", "平江县南江镇钨矿", "钨矿", "有色金属", "中型", "生产", "否",
     [poly(rect(113.260, 28.470, 113.270, 28.478))]),
    # over HX-431381-01 and HX-431381-08 (which overlap)
    ("C4313812009101120057020", "冷水江市锡矿山北矿", "锑矿", "有色金属", "大型", "生产", "是",
     [poly(rect(111.475, 27.735, 111.490, 27.745))]),
    ("C4313812014111120108021", "冷水江市禾青镇砂石矿", "建筑用砂", "砂石", "小型", "生产", "否",
     [poly(rect(111.520, 27.690, 111.526, 27.696))]),
    ("C4313812015121120119022", "冷水江市渣渡镇煤矿", "煤", "煤炭", "中型", "闭坑", "否",
     [poly(rect(111.360, 27.740, 111.368, 27.748))]),
    # crosses the Lengshuijiang outer boundary, mostly inside
    ("C4313812016011120120023", "冷水江市岩口镇石灰石矿", "石灰岩", "水泥", "小型", "生产", "否",
     [poly(rect(111.338, 27.700, 111.348, 27.707))]),
    # mostly OUTSIDE every zone, a small part in 冷水江市: zone_name is still 冷水江市
    ("C4313812017021120131024", "冷水江市三尖镇硅石矿", "硅石", "非金属", "小型", "生产", "否",
     [poly(rect(111.548, 27.664, 111.564, 27.672))]),
    ("C4300002018031120142025", "湘潭县谭家山煤矿", "煤", "煤炭", "小型", "闭坑", "否",
     [poly(rect(112.800, 28.000, 112.810, 28.008))]),
]
WRONG_AREA = 123.456  # the 面积 field is deliberately wrong (never trusted)

# --------------------------------------------------------------------------------------
# Parcels.  TBBH, LX, ZT, WCRQ, LSYL, list of polygons.
# --------------------------------------------------------------------------------------
R_ZH, R_EN, C_ZH, C_EN = "恢复治理", "restoration", "土地复垦", "reclamation"
DONE_ZH, DONE_EN = "已完成", "completed"


def plain_parcels():
    """Qualifying parcels on three grids (LY, PJ, LSJ), sizes 2-48 ha, no overlaps."""
    out = []
    grids = [("LY", 113.200, 28.115, 10), ("PJ", 113.040, 28.320, 10),
             ("LSJ", 111.380, 27.615, 8)]
    n = 0
    for tag, x0, y0, count in grids:
        for i in range(count):
            n += 1
            cx = round(x0 + (i % 5) * 0.010, 7)
            cy = round(y0 + (i // 5) * 0.010, 7)
            w = round(0.0015 + 0.0006 * ((7 * i + 3) % 6), 7)     # 0.0015 .. 0.0045 deg
            h = round(0.0015 + 0.0005 * ((5 * i + 1) % 7), 7)     # 0.0015 .. 0.0045 deg
            kind = [R_ZH, R_EN, C_ZH, R_ZH, C_EN][i % 5]
            status = [DONE_ZH, DONE_EN][i % 2]
            legacy = ["是", "1"][i % 2]
            date = "%04d-%02d-%02d" % (2016 + i % 5, 1 + (3 * i) % 12, 1 + (11 * i) % 28)
            if i % 3 == 0:   # a diamond now and then
                shape = poly(ring((cx, cy), (round(cx + w, 7), round(cy + h / 2, 7)),
                                  (round(cx + w / 2, 7), round(cy + h, 7)),
                                  (round(cx - w / 2, 7), round(cy + h / 2, 7))))
            else:
                shape = poly(rect(cx, cy, round(cx + w, 7), round(cy + h, 7)))
            out.append(("TB%s%03d" % (tag, n), kind, status, date, legacy, [shape]))
    return out


SPECIAL_PARCELS = [
    # overlapping completed restoration parcels (three-way)
    ("TBOV001", R_ZH, DONE_ZH, "2018-05-20", "是", [poly(rect(113.270, 28.150, 113.276, 28.156))]),
    ("TBOV002", R_EN, DONE_EN, "2019-03-02", "1", [poly(rect(113.273, 28.153, 113.279, 28.159))]),
    ("TBOV003", R_ZH, DONE_ZH, "2017-09-09", "是",
     [poly(ring((113.270, 28.158), (113.277, 28.152), (113.279, 28.1595)))]),
    # overlapping completed reclamation parcels
    ("TBOV004", C_ZH, DONE_ZH, "2018-11-11", "否", [poly(rect(113.090, 28.370, 113.097, 28.376))]),
    ("TBOV005", C_EN, DONE_EN, "2019-12-01", "0",
     [poly(ring((113.094, 28.372), (113.100, 28.3705), (113.099, 28.377), (113.093, 28.3765)))]),
    # a reclamation parcel on top of a restoration parcel (each kind is its own union)
    ("TBOV006", R_ZH, DONE_ZH, "2020-02-02", "是", [poly(rect(111.420, 27.660, 111.425, 27.665))]),
    ("TBOV007", C_ZH, DONE_ZH, "2020-02-03", "否", [poly(rect(111.422, 27.662, 111.428, 27.667))]),
    # exact duplicates (the same feature twice) ...
    ("TBDUP01", R_ZH, DONE_ZH, "2017-04-04", "是", [poly(rect(111.440, 27.640, 111.446, 27.645))]),
    ("TBDUP01", R_ZH, DONE_ZH, "2017-04-04", "是", [poly(rect(111.440, 27.640, 111.446, 27.645))]),
    # ... and the same geometry under two ids
    ("TBDUP02", C_EN, DONE_EN, "2018-08-08", "1", [poly(rect(113.110, 28.340, 113.114, 28.344))]),
    ("TBDUP03", C_ZH, DONE_ZH, "2019-09-19", "否", [poly(rect(113.110, 28.340, 113.114, 28.344))]),
    # crossing the Liuyang / Pingjiang border
    ("TBBD001", R_ZH, DONE_ZH, "2018-06-15", "是", [poly(rect(113.060, 28.297, 113.066, 28.304))]),
    ("TBBD002", C_ZH, DONE_ZH, "2019-07-15", "否",
     [poly(ring((113.080, 28.2975), (113.086, 28.2985), (113.085, 28.3025), (113.079, 28.302)))]),
    # crossing the outer boundary of 冷水江市 (only the inside part counts for the zone)
    ("TBBD003", R_EN, DONE_EN, "2017-10-10", "是", [poly(rect(111.542, 27.760, 111.550, 27.765))]),
    # outside every zone (count for the province only)
    ("TBOUT01", R_ZH, DONE_ZH, "2018-03-03", "是", [poly(rect(112.600, 27.950, 112.605, 27.955))]),
    ("TBOUT02", C_ZH, DONE_ZH, "2019-04-04", "是", [poly(rect(112.610, 27.950, 112.614, 27.954))]),
    # period edges: first and last day count, the days outside do not
    ("TBDT001", R_ZH, DONE_ZH, "2016-01-01", "是", [poly(rect(113.200, 28.450, 113.205, 28.455))]),
    ("TBDT002", R_ZH, DONE_ZH, "2020-12-31", "是", [poly(rect(111.470, 27.620, 111.476, 27.626))]),
    ("TBDT003", R_ZH, DONE_ZH, "2015-12-31", "是", [poly(rect(113.240, 28.190, 113.246, 28.195))]),
    ("TBDT004", C_ZH, DONE_ZH, "2021-01-01", "是", [poly(rect(113.140, 28.470, 113.146, 28.476))]),
    # restoration needs legacy = true; reclamation does not
    ("TBLG001", R_ZH, DONE_ZH, "2018-09-01", "否", [poly(rect(113.280, 28.200, 113.286, 28.206))]),
    ("TBLG002", R_EN, DONE_EN, "2019-05-05", "0", [poly(rect(111.500, 27.780, 111.504, 27.784))]),
    ("TBLG003", C_ZH, DONE_ZH, "2018-09-01", "否", [poly(rect(111.450, 27.770, 111.456, 27.776))]),
    ("TBLG004", C_EN, DONE_EN, "2017-02-02", "0", [poly(rect(113.230, 28.400, 113.235, 28.404))]),
    # planned / in progress, even with a date inside the period, do not count
    ("TBST001", R_ZH, "规划", "2019-06-30", "是", [poly(rect(113.100, 28.140, 113.106, 28.146))]),
    ("TBST002", R_ZH, "在建", "2020-06-01", "是", [poly(rect(113.110, 28.150, 113.116, 28.156))]),
    ("TBST003", C_EN, "in_progress", "2018-01-15", "1", [poly(rect(111.410, 27.700, 111.416, 27.705))]),
    ("TBST004", C_ZH, "planned", "2020-03-03", "否", [poly(rect(112.620, 27.960, 112.625, 27.965))]),
    ("TBST005", R_EN, "planned", None, "1", [poly(rect(113.160, 28.350, 113.165, 28.355))]),
    # completed without a date: does not count (and is reported)
    ("TBND001", R_ZH, DONE_ZH, None, "是", [poly(rect(113.170, 28.360, 113.177, 28.366))]),
    # a bow-tie parcel: both lobes count
    ("TBBT001", R_ZH, DONE_ZH, "2019-10-01", "是",
     [poly(ring((113.240, 28.170), (113.246, 28.176), (113.246, 28.170), (113.240, 28.178)))]),
    # a parcel with a hole, and another one partly filling the hole
    ("TBHL001", R_EN, DONE_EN, "2018-12-12", "1",
     [poly(rect(113.100, 28.380, 113.106, 28.386),
           ring((113.102, 28.382), (113.102, 28.384), (113.104, 28.384), (113.104, 28.382)))]),
    ("TBHL002", R_ZH, DONE_ZH, "2019-01-20", "是", [poly(rect(113.103, 28.383, 113.105, 28.389))]),
]


def all_parcels():
    return plain_parcels() + SPECIAL_PARCELS


# --------------------------------------------------------------------------------------
# Pre-noding
# --------------------------------------------------------------------------------------
NODE_PAIRS = {("mines", "redlines"), ("redlines", "redlines"), ("parcels", "parcels"),
              ("parcels", "zones"), ("mines", "zones"), ("zones", "zones")}


def _bbox(polys):
    xs = [p[0] for pl in polys for r in pl for p in r]
    ys = [p[1] for pl in polys for r in pl for p in r]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _coords_of(geom):
    if geom.is_empty:
        return []
    t = geom.geom_type
    if t == "Point":
        return [(geom.x, geom.y)]
    if t == "LineString":
        c = list(geom.coords)
        return [c[0], c[-1]]
    if t.startswith("Multi") or t == "GeometryCollection":
        out = []
        for g in geom.geoms:
            out.extend(_coords_of(g))
        return out
    raise ValueError(t)


def node_features(feats):
    """feats: list of (layer, polys).  Inserts crossing points into both rings."""
    canon = []   # global registry of noded points, so that equal points are identical

    def canonical(p):
        for q in canon:
            if abs(q[0] - p[0]) < 1e-11 and abs(q[1] - p[1]) < 1e-11:
                return q
        canon.append(p)
        return p

    extra = {}   # (fi, pi, ri) -> list of points
    boxes = [_bbox(p) for _, p in feats]
    for a in range(len(feats)):
        for b in range(a + 1, len(feats)):
            la, lb = feats[a][0], feats[b][0]
            if (la, lb) not in NODE_PAIRS and (lb, la) not in NODE_PAIRS:
                continue
            ba, bb = boxes[a], boxes[b]
            if ba is None or bb is None or ba[2] < bb[0] or bb[2] < ba[0] \
                    or ba[3] < bb[1] or bb[3] < ba[1]:
                continue
            for pa, pla in enumerate(feats[a][1]):
                for ra, rga in enumerate(pla):
                    for pb, plb in enumerate(feats[b][1]):
                        for rb, rgb in enumerate(plb):
                            inter = LineString(rga).intersection(LineString(rgb))
                            for p in _coords_of(inter):
                                p = canonical((float(p[0]), float(p[1])))
                                extra.setdefault((a, pa, ra), []).append(p)
                                extra.setdefault((b, pb, rb), []).append(p)
    out = []
    for fi, (layer, polys) in enumerate(feats):
        newpolys = []
        for pi, pl in enumerate(polys):
            newrings = []
            for ri, rg in enumerate(pl):
                pts = extra.get((fi, pi, ri), [])
                newrings.append(_insert(rg, pts) if pts else rg)
            newpolys.append(newrings)
        out.append((layer, newpolys))
    return out


def _insert(rg, pts):
    res = [rg[0]]
    for (x0, y0), (x1, y1) in zip(rg[:-1], rg[1:]):
        dx, dy = x1 - x0, y1 - y0
        L2 = dx * dx + dy * dy
        ins = []
        for p in pts:
            if (abs(p[0] - x0) < 1e-11 and abs(p[1] - y0) < 1e-11) or \
               (abs(p[0] - x1) < 1e-11 and abs(p[1] - y1) < 1e-11):
                continue
            t = ((p[0] - x0) * dx + (p[1] - y0) * dy) / L2
            if not (0.0 < t < 1.0):
                continue
            dist = abs((p[0] - x0) * dy - (p[1] - y0) * dx) / L2 ** 0.5
            if dist < 1e-10 and p not in [q for _, q in ins]:
                ins.append((t, p))
        for _, p in sorted(ins):
            res.append(p)
        res.append((x1, y1))
    return res


def check_noded(feats):
    """Counts crossings that are not vertices of both rings (should be 0)."""
    bad = 0
    for a in range(len(feats)):
        va = {p for pl in feats[a][1] for r in pl for p in r}
        for b in range(a + 1, len(feats)):
            la, lb = feats[a][0], feats[b][0]
            if (la, lb) not in NODE_PAIRS and (lb, la) not in NODE_PAIRS:
                continue
            vb = {p for pl in feats[b][1] for r in pl for p in r}
            for pla in feats[a][1]:
                for rga in pla:
                    for plb in feats[b][1]:
                        for rgb in plb:
                            inter = LineString(rga).intersection(LineString(rgb))
                            for p in _coords_of(inter):
                                near = lambda vs: any(abs(q[0] - p[0]) < 1e-11 and
                                                      abs(q[1] - p[1]) < 1e-11 for q in vs)
                                if not (near(va) and near(vb)):
                                    bad += 1
    return bad


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------
def srs(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def to_ogr(polys, ct=None):
    """List of polygons (rings of lon/lat) -> OGR (Multi)Polygon, reprojected."""
    mp = ogr.Geometry(ogr.wkbMultiPolygon)
    for pl in polys:
        pg = ogr.Geometry(ogr.wkbPolygon)
        for rg in pl:
            r = ogr.Geometry(ogr.wkbLinearRing)
            for x, y in rg:
                if ct is not None:
                    x, y, _ = ct.TransformPoint(x, y)
                r.AddPoint_2D(x, y)
            pg.AddGeometry(r)
        mp.AddGeometry(pg)
    return mp


def write_zones(outdir, zones):
    path = os.path.join(outdir, "zones.gdb")
    shutil.rmtree(path, ignore_errors=True)
    ct = osr.CoordinateTransformation(srs(4490), srs(2382))
    ds = ogr.GetDriverByName("OpenFileGDB").CreateDataSource(path)
    lyr = ds.CreateLayer("zones", srs(2382), ogr.wkbMultiPolygon,
                         ["XYSCALE=1000000", "XORIGIN=-5000000", "YORIGIN=-10000000",
                          "CREATE_SHAPE_AREA_AND_LENGTH_FIELDS=YES"])
    lyr.CreateField(ogr.FieldDefn("BH", ogr.OFTString))
    lyr.CreateField(ogr.FieldDefn("MC", ogr.OFTString))
    for (bh, mc, _), polys in zones:
        f = ogr.Feature(lyr.GetLayerDefn())
        f["BH"], f["MC"] = bh, mc
        f.SetGeometry(to_ogr(polys, ct))
        lyr.CreateFeature(f)
    ds = None


def write_redlines(outdir, redlines):
    path = os.path.join(outdir, "redlines.gpkg")
    if os.path.exists(path):
        os.remove(path)
    gdal.SetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00.000Z")
    gdal.SetConfigOption("OGR_SQLITE_PRAGMA", "page_size=1024")    # keeps the file small
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("redlines", srs(4490), ogr.wkbMultiPolygon)
    for n in ("redline_id", "name", "category"):
        lyr.CreateField(ogr.FieldDefn(n, ogr.OFTString))
    for i in REDLINE_ORDER:
        (rid, name, cat, _), polys = redlines[i]
        f = ogr.Feature(lyr.GetLayerDefn())
        f["redline_id"], f["name"], f["category"] = rid, name, cat
        f.SetGeometry(to_ogr(polys))
        lyr.CreateFeature(f)
    ds = None
    gdal.SetConfigOption("OGR_CURRENT_DATE", None)
    gdal.SetConfigOption("OGR_SQLITE_PRAGMA", None)


def write_mines(outdir, mines):
    for ext in ("shp", "shx", "dbf", "prj", "cpg"):
        p = os.path.join(outdir, "mines." + ext)
        if os.path.exists(p):
            os.remove(p)
    ct = osr.CoordinateTransformation(srs(4490), srs(4525))
    ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(outdir)
    lyr = ds.CreateLayer("mines", srs(4525), ogr.wkbPolygon,
                         ["ENCODING=GBK", "DBF_DATE_LAST_UPDATE=2024-01-01"])
    for n, w in (("许可证号", 30), ("矿山名称", 60), ("开采矿种", 20), ("行业", 20),
                 ("规模", 8), ("状态", 8), ("绿色矿山", 4)):
        fd = ogr.FieldDefn(n, ogr.OFTString)
        fd.SetWidth(w)
        lyr.CreateField(fd)
    fd = ogr.FieldDefn("面积", ogr.OFTReal)
    fd.SetWidth(14)
    fd.SetPrecision(4)
    lyr.CreateField(fd)
    names = ("许可证号", "矿山名称", "开采矿种", "行业", "规模", "状态", "绿色矿山")
    for k, (attrs, polys) in enumerate(mines):
        f = ogr.Feature(lyr.GetLayerDefn())
        for n, v in zip(names, attrs[:7]):
            f[n] = v
        f["面积"] = WRONG_AREA + k
        if polys:
            g = to_ogr(polys, ct)
            f.SetGeometry(g if len(polys) > 1 else g.GetGeometryRef(0).Clone())
        lyr.CreateFeature(f)
    ds = None


def write_parcels(outdir, parcels):
    feats = []
    for (tbbh, lx, zt, wcrq, lsyl, _), polys in parcels:
        if len(polys) == 1:
            geom = {"type": "Polygon", "coordinates": [[list(p) for p in r] for r in polys[0]]}
        else:
            geom = {"type": "MultiPolygon",
                    "coordinates": [[[list(p) for p in r] for r in pl] for pl in polys]}
        feats.append({"type": "Feature",
                      "properties": {"TBBH": tbbh, "LX": lx, "ZT": zt, "WCRQ": wcrq,
                                     "LSYL": lsyl},
                      "geometry": geom})
    fc = {"type": "FeatureCollection", "name": "parcels", "features": feats}
    with open(os.path.join(outdir, "parcels.geojson"), "w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "name": "parcels",\n"features": [\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False) for f in fc["features"]))
        fh.write("\n]}\n")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "data")
    os.makedirs(outdir, exist_ok=True)
    parcels = all_parcels()
    feats = ([("zones", [z[2]]) for z in ZONES] + [("redlines", r[3]) for r in REDLINES] +
             [("mines", m[7]) for m in MINES] + [("parcels", p[5]) for p in parcels])
    noded = node_features(feats)
    bad = check_noded(noded)
    if bad:
        sys.exit("pre-noding left %d crossings that are not shared vertices" % bad)
    nz, nr, nm = len(ZONES), len(REDLINES), len(MINES)
    zg = [p for _, p in noded[:nz]]
    rg = [p for _, p in noded[nz:nz + nr]]
    mg = [p for _, p in noded[nz + nr:nz + nr + nm]]
    pg = [p for _, p in noded[nz + nr + nm:]]
    write_zones(outdir, list(zip(ZONES, zg)))
    write_redlines(outdir, list(zip(REDLINES, rg)))
    write_mines(outdir, list(zip(MINES, mg)))
    write_parcels(outdir, list(zip(parcels, pg)))
    added = sum(len(r) for f in noded for pl in f[1] for r in pl) - \
        sum(len(r) for f in feats for pl in f[1] for r in pl)
    print("wrote %s: %d zones, %d red lines, %d mines, %d parcels (%d crossing vertices "
          "inserted)" % (outdir, nz, nr, nm, len(parcels), added))


if __name__ == "__main__":
    main()
