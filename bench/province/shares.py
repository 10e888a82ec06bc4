#!/usr/bin/env python3
"""shares.py DATADIR -- the generated province's shapes, measured (bench/make_province.py):
the share of the box the red lines' union covers, and the shares of parcels that overlap
another parcel and that cross a zone border (shapely STRtree, in CGCS2000 lon/lat)."""
import sys
import warnings

warnings.filterwarnings("ignore", "STRtree")

import geopandas as gpd
from shapely.ops import unary_union
from shapely.strtree import STRtree

d = sys.argv[1]
par = gpd.read_file(f"{d}/parcels.gpkg").to_crs(4490).geometry.values
zones = gpd.read_file(f"{d}/zones.geojson").to_crs(4490).geometry.values
red = gpd.read_file(f"{d}/redlines.gpkg").to_crs(4490).geometry.values
tree = STRtree(list(par))
idx = {id(g): i for i, g in enumerate(par)}
overlap = 0
for g in par:
    if any(idx[id(o)] != idx[id(g)] and g.intersection(o).area > 0 for o in tree.query(g)):
        overlap += 1
borders = unary_union([z.boundary for z in zones])
cross = sum(1 for g in par if g.intersects(borders))
box = (108.8, 24.7, 114.2, 30.0)
from shapely.geometry import box as mkbox
cover = unary_union(list(red)).intersection(mkbox(*box)).area / mkbox(*box).area
n = len(par)
print(f"parcels {n}: {100 * overlap / n:.1f} % overlap another, "
      f"{100 * cross / n:.1f} % cross a zone border; red lines cover {100 * cover:.1f} % of the box")
