#!/usr/bin/env python3
"""geopandas_job.py DATADIR -- the analyze job in GeoPandas (bench/run_province.py times it).

Reads the four inputs, reprojects to EPSG:4490 (lon/lat), repairs invalid geometries,
joins mines with red lines and zones (sjoin, R-tree), unions each mine's overlaps and the
qualifying parcels per kind, areas on GRS 80 with pyproj Geod (GeographicLib).  Prints the
same CSV rows as postgis.sql: mine, zone, province.
"""
import csv
import sys

import geopandas as gpd
from pyproj import Geod
from shapely.ops import unary_union
from shapely.validation import make_valid

d = sys.argv[1]
geod = Geod(ellps="GRS80")


def ha(g):
    if g is None or g.is_empty:
        return 0.0
    polys = [g] if g.geom_type == "Polygon" else [p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]
    return sum(abs(geod.geometry_area_perimeter(p)[0]) for p in polys) / 10000.0


def read(name, **kw):
    df = gpd.read_file(f"{d}/{name}", **kw).to_crs(4490)
    bad = ~df.geometry.is_valid
    df.loc[bad, "geometry"] = [make_valid(g) for g in df.geometry[bad]]
    return df


mines = read("mines.shp", encoding="gbk")
red = read("redlines.gpkg")
par = read("parcels.gpkg")
zones = read("zones.geojson")
mines["mine_ha"] = [ha(g) for g in mines.geometry]

pairs = gpd.sjoin(mines[["geometry"]], red[["geometry"]], predicate="intersects")
conflict = {}
for mi, grp in pairs.groupby(level=0):
    mg = mines.geometry.iloc[mi]
    pieces = [mg.intersection(red.geometry.iloc[ri]) for ri in grp["index_right"]]
    a = ha(unary_union(pieces))
    conflict[mi] = a if a >= 1e-6 else 0.0
zp = gpd.sjoin(mines[["geometry"]], zones[["geometry", "名称"]], predicate="intersects")
zone_of = {}
for mi, grp in zp.groupby(level=0):
    mg = mines.geometry.iloc[mi]
    best = max(((ha(mg.intersection(zones.geometry.iloc[zi])), zones["名称"].iloc[zi])
                for zi in grp["index_right"]), key=lambda t: t[0])
    zone_of[mi] = best[1] if best[0] >= 1e-6 else ""

q = par[(par["ZT"] == "已完成") & (par["WCRQ"] >= "2016-01-01") & (par["WCRQ"] <= "2020-12-31")
        & ((par["LX"] == "土地复垦") | ((par["LX"] == "恢复治理") & (par["LSYL"] == "是")))]
union = {k: unary_union(list(q[q["LX"] == lx].geometry))
         for k, lx in (("restoration", "恢复治理"), ("reclamation", "土地复垦"))}

w = csv.writer(sys.stdout, lineterminator="\n")
rows = sorted(zip(mines["许可证号"], range(len(mines))))
for mid, i in rows:
    w.writerow(["mine", mid, repr(mines["mine_ha"].iloc[i]), repr(conflict.get(i, 0.0)), zone_of.get(i, "")])
for _, z in zones.sort_values("编号").iterrows():
    n = sum(1 for v in zone_of.values() if v == z["名称"])
    w.writerow(["zone", z["名称"], repr(ha(union["restoration"].intersection(z.geometry))),
                repr(ha(union["reclamation"].intersection(z.geometry))), n])
for k in sorted(union):
    w.writerow(["province", k, repr(ha(union[k])), 0, ""])
