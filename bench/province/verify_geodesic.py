#!/usr/bin/env python3
"""verify_geodesic.py MINE_ID... -- an independent check of greenmine's red-line conflicts.

Run in a run_province.py work folder (data/ and gm/greenmine.gpkg). For each mine: the
mine and every red line it meets, densified every 10 m along their GRS 80 geodesics
(pyproj Geod.npts), intersected and unioned with shapely, area with pyproj Geod; printed
beside greenmine's redline_conflict_ha. Used for the mines where PostGIS differs by more
than 1e-4 (its overlay cuts edges on the lon/lat chord, off the geodesic).
"""
import sys
from osgeo import ogr, osr
from pyproj import Geod
from shapely import wkb
from shapely.geometry import Polygon, MultiPolygon
from shapely.ops import unary_union
geod = Geod(ellps="GRS80")
ids = sys.argv[1:]
def dens(poly, step=10.0):
    def ring(coords):
        out = []
        c = list(coords)
        for (x0, y0), (x1, y1) in zip(c, c[1:]):
            out.append((x0, y0))
            d = geod.inv(x0, y0, x1, y1)[2]
            n = int(d // step)
            if n > 0:
                out.extend(geod.npts(x0, y0, x1, y1, n))
        out.append(c[-1])
        return out
    if poly.geom_type == "MultiPolygon":
        return MultiPolygon([dens(p, step) for p in poly.geoms])
    return Polygon(ring(poly.exterior.coords), [ring(i.coords) for i in poly.interiors])
def ha(g):
    ps = [g] if g.geom_type == "Polygon" else [p for p in getattr(g, "geoms", []) if p.geom_type == "Polygon"]
    return sum(abs(geod.geometry_area_perimeter(p)[0]) for p in ps) / 1e4
gds = ogr.Open("gm/greenmine.gpkg"); gm = gds.GetLayerByName("mine_conflicts")
t = osr.SpatialReference(); t.ImportFromEPSG(4490); t.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
mds = ogr.Open("data/mines.shp"); mines = mds.GetLayer(0)
rds = ogr.Open("data/redlines.gpkg"); red = rds.GetLayer(0)
s = mines.GetSpatialRef().Clone(); s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ct = osr.CoordinateTransformation(s, t)
for mid in ids:
    mines.SetAttributeFilter(f"\"许可证号\" = '{mid}'")
    f = mines.GetNextFeature(); g = f.GetGeometryRef().Clone(); g.Transform(ct)
    m = wkb.loads(bytes(g.ExportToWkb()))
    x0, y0, x1, y1 = m.bounds
    red.SetSpatialFilterRect(x0, y0, x1, y1)
    pieces = []
    md = dens(m)
    for r in red:
        rg = wkb.loads(bytes(r.GetGeometryRef().ExportToWkb()))
        if rg.intersects(m):
            pieces.append(md.intersection(dens(rg)))
    ref = ha(unary_union(pieces)) if pieces else 0
    gm.SetAttributeFilter(f"mine_id = '{mid}'"); gv = gm.GetNextFeature()["redline_conflict_ha"]
    print(f"{mid}: greenmine {gv:.6f}  pyproj+shapely (10 m geodesic densify) {ref:.6f}  rel {abs(gv-ref)/max(ref,1):.1e}")
