#!/usr/bin/python3
"""Writes the management fixture's layers (GeoJSON, EPSG:4490 lon/lat) from the
rectangles below. Run once; the .geojson files are committed. Every polygon is
an axis-aligned lon/lat rectangle, so the test computes its area in closed form
(the ellipsoid's band formula) by hand, independently of the engine."""
import json

def rect(x0, y0, x1, y1):
    x0, y0, x1, y1 = (round(v, 6) for v in (x0, y0, x1, y1))
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}

def write(name, feats):
    fc = {"type": "FeatureCollection",
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
          "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in feats]}
    with open(name, "w", encoding="utf-8") as f:
        json.dump(fc, f, ensure_ascii=False)
        f.write("\n")

# zones: three demonstration zones (石门县 is not one: its mines lie outside every zone)
write("zones.geojson", [
    ({"zone_id": "430181", "name": "浏阳市"}, rect(113.50, 28.10, 113.70, 28.25)),
    ({"zone_id": "430723", "name": "澧县"}, rect(111.65, 29.55, 111.85, 29.70)),
    ({"zone_id": "430821", "name": "慈利县"}, rect(110.95, 29.30, 111.20, 29.45)),
])
# one red line, touching no mine (conflicts are not this fixture's subject)
write("redlines.geojson", [
    ({"redline_id": "HX-001", "name": "壶瓶山自然保护区（示例）", "category": "nature_reserve"},
     rect(110.60, 29.90, 110.70, 29.98)),
])
# the mines layer: mine_id = the licence number (licences.csv)
mines = [
    ("C4301812009071120031001", "浏阳市永和煤矿", "煤", "coal", "large", 113.55),
    ("C4301812010031120052002", "浏阳市七宝山铅锌矿", "铅锌", "nonferrous", "medium", 113.58),
    ("C4301812011121120123003", "浏阳市大围山高岭土矿", "高岭土", "nonmetal", "small", 113.61),
    ("C4301812018031120180004", "浏阳市东源磷矿", "磷", "chemical", "medium", 113.64),
    ("C4307232008051120021005", "澧县太青山石膏矿", "石膏", "nonmetal", "large", 111.70),
    ("C4307232012061120130006", "澧县澧水河砂场", "建筑用砂", "sand_gravel", "small", 111.73),
    ("C4307232018061120180007", "澧县码头铺水泥灰岩矿", "水泥用灰岩", "cement", "medium", 111.76),
    ("C4307232009111120090008", "澧县火连坡煤矿", "煤", "coal", "medium", 111.79),
    ("C4307262007081120070009", "石门县雁池铁矿", "铁", "ferrous", "large", 111.30),
    ("C4307262013041120130010", "石门县东山峰金矿", "金", "precious", "medium", 111.32),
    ("C4307262019021120190011", "石门县皂市花岗岩矿", "饰面用花岗岩", "stone", "small", 111.34),
    ("C4307262006091120060012", "石门县杨家坊磷矿", "磷", "chemical", "large", 111.36),
]
feats = []
for mid, name, mineral, industry, scale, x in mines:
    y = 28.15 if mid.startswith("C430181") else 29.60 if mid.startswith("C430723") else 29.58
    status = "new" if mid[7:11] >= "2018" else "producing"
    feats.append(({"mine_id": mid, "name": name, "mineral": mineral, "industry": industry,
                   "scale": scale, "status": status}, rect(x, y, x + 0.005, y + 0.005)))
write("mines.geojson", feats)

P = {
    "P1": ("restoration", "completed", "2017-06-30", 1, rect(113.600, 28.200, 113.602, 28.202)),
    "P2": ("reclamation", "completed", "2017-09-01", 0, rect(111.800, 29.650, 111.802, 29.652)),
    "P3": ("restoration", "completed", "2018-05-01", 1, rect(113.620, 28.200, 113.624, 28.202)),
    "P4": ("restoration", "completed", "2018-10-01", 1, rect(111.000, 29.350, 111.003, 29.352)),
    "P5a": ("restoration", "in_progress", None, 1, rect(111.750, 29.660, 111.753, 29.663)),
    "P5": ("restoration", "completed", "2019-07-01", 1, rect(111.750, 29.660, 111.753, 29.663)),
    "P6": ("reclamation", "completed", "2019-08-01", 0, rect(111.450, 29.500, 111.454, 29.502)),
    "P7": ("restoration", "completed", "2019-03-01", 1, rect(113.622, 28.200, 113.626, 28.202)),
    "P8": ("restoration", "completed", "2019-05-01", 0, rect(111.700, 29.680, 111.702, 29.682)),
    "P9": ("reclamation", "completed", "2015-12-31", 0, rect(113.650, 28.120, 113.652, 28.122)),
}
def parcels(name, ids):
    feats = []
    for i in ids:
        kind, status, done, legacy, g = P[i]
        feats.append(({"parcel_id": i.rstrip("a"), "kind": kind, "status": status,
                       "completed_on": done, "legacy": legacy}, g))
    write(name, feats)
parcels("parcels_2017.geojson", ["P1", "P2", "P9"])
parcels("parcels_2018.geojson", ["P1", "P2", "P3", "P4", "P5a", "P9"])
parcels("parcels_2019.geojson", ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"])
