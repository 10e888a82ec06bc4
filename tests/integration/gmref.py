"""Shared helpers of greenmine's independent integration reference (Python, not the engine).

What it is for: reading the four input layers with OGR following docs/contract.md
(field aliases, value vocabularies, reprojection to CGCS2000 lon/lat, MakeValid
"structure" repair), geodesic areas with pyproj (GeographicLib), the comparison
tolerance, and the engine-output reader used by check_outputs.py / compare_postgis.py.

What it must never do: import or call anything of the engine itself.
"""
import datetime
import math

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()

# ----- tolerance (the checker's) -----------------------------------------------------
REL_TOL = 1e-6      # relative
ABS_FLOOR_HA = 1e-6  # absolute floor, hectares
NOISE_HA = 1e-6     # an overlap below this is reprojection noise = 0 (contract)


def close(actual, expected, rel=REL_TOL, floor=ABS_FLOOR_HA):
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, float) and math.isnan(actual):
        return False
    return abs(actual - expected) <= max(rel * abs(expected), floor)


def rel_err(actual, expected):
    if expected == 0:
        return abs(actual - expected)
    return abs(actual - expected) / abs(expected)


# ----- field aliases (contract.md) ---------------------------------------------------
ALIASES = {
    "mines": {
        "mine_id": ["mine_id", "采矿许可证号", "许可证号", "XKZH", "KSBH"],
        "name": ["name", "矿山名称", "KSMC"],
        "mineral": ["mineral", "矿种", "开采矿种", "KZ"],
        "industry": ["industry", "行业", "HY"],
        "scale": ["scale", "规模", "生产规模", "GM"],
        "status": ["status", "状态", "ZT"],
        "green": ["green", "绿色矿山", "LSKS"],
    },
    "redlines": {
        "redline_id": ["redline_id", "红线编号", "HXBH"],
        "name": ["name", "名称", "MC"],
        "category": ["category", "类型", "类别", "LX"],
    },
    "parcels": {
        "parcel_id": ["parcel_id", "图斑编号", "TBBH"],
        "kind": ["kind", "类型", "LX"],
        "status": ["status", "状态", "ZT"],
        "completed_on": ["completed_on", "完成日期", "WCRQ"],
        "legacy": ["legacy", "历史遗留", "LSYL"],
    },
    "zones": {
        "zone_id": ["zone_id", "编号", "BH"],
        "name": ["name", "名称", "MC"],
    },
}

SCALE = {"large": "large", "大型": "large", "medium": "medium", "中型": "medium",
         "small": "small", "小型": "small"}
KIND = {"restoration": "restoration", "恢复治理": "restoration",
        "reclamation": "reclamation", "土地复垦": "reclamation"}
STATUS = {"planned": "planned", "规划": "planned", "in_progress": "in_progress",
          "在建": "in_progress", "completed": "completed", "已完成": "completed"}
TRUE = {"1", "true", "是", "t", "yes", "y"}


def norm(table, value):
    if value is None:
        return None
    return table.get(str(value).strip().lower(), table.get(str(value).strip()))


def truthy(value):
    return value is not None and str(value).strip().lower() in TRUE


def parse_date(value):
    if value is None:
        return None
    s = str(value).strip().replace("/", "-")
    if not s:
        return None
    try:
        return datetime.date.fromisoformat(s[:10])
    except ValueError:
        return None


# ----- reading -----------------------------------------------------------------------
def srs(code):
    s = osr.SpatialReference()
    s.ImportFromEPSG(code)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


CGCS2000 = srs(4490)


def polygonal(g):
    """Keep the polygonal parts of g as a MultiPolygon (possibly empty)."""
    out = ogr.Geometry(ogr.wkbMultiPolygon)
    if g is None or g.IsEmpty():
        return out
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        out.AddGeometry(g)
    elif t in (ogr.wkbMultiPolygon, ogr.wkbGeometryCollection):
        for i in range(g.GetGeometryCount()):
            sub = polygonal(g.GetGeometryRef(i))
            for j in range(sub.GetGeometryCount()):
                out.AddGeometry(sub.GetGeometryRef(j))
    elif t in (ogr.wkbCurvePolygon, ogr.wkbMultiSurface):
        return polygonal(g.GetLinearGeometry(0.0001))
    return out


def repair(g, method="structure"):
    """Repair as GEOS MakeValid method=structure does; returns a MultiPolygon."""
    if g is None:
        return ogr.Geometry(ogr.wkbMultiPolygon)
    g = g.Clone()
    g.FlattenTo2D()
    if g.HasCurveGeometry():
        g = g.GetLinearGeometry(0.0001)
    gdal.PushErrorHandler("CPLQuietErrorHandler")   # IsValid() warns on every bow-tie
    try:
        valid = g.IsEmpty() or g.IsValid()
    finally:
        gdal.PopErrorHandler()
    if not valid:
        if method == "structure":
            g = g.MakeValid(["METHOD=STRUCTURE"])
        elif method == "buffer0":
            g = g.Buffer(0)
        else:
            g = g.MakeValid()
    return polygonal(g)


def field_map(lyr, layer_kind):
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    lower = {n.lower(): n for n in names}
    out = {}
    for canon, aliases in ALIASES[layer_kind].items():
        for a in aliases:
            if a.lower() in lower:
                out[canon] = lower[a.lower()]
                break
    return out


def read_layer(path, layer_kind, layer_name=None, repair_method="structure"):
    """Returns a list of dicts: canonical attributes + 'geom' (MultiPolygon, EPSG:4490
    lon/lat, repaired) + 'raw' (the reprojected geometry before repair, or None)."""
    ds = gdal.OpenEx(path, gdal.OF_VECTOR, open_options=[])
    lyr = ds.GetLayerByName(layer_name) if layer_name else ds.GetLayer(0)
    src = lyr.GetSpatialRef().Clone()
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, CGCS2000)
    fmap = field_map(lyr, layer_kind)
    rows = []
    for f in lyr:
        rec = {}
        for canon, src_name in fmap.items():
            idx = f.GetFieldIndex(src_name)
            if not f.IsFieldSetAndNotNull(idx):
                rec[canon] = None
            elif f.GetFieldType(idx) in (ogr.OFTDate, ogr.OFTDateTime):
                y, m, d = f.GetFieldAsDateTime(idx)[:3]
                rec[canon] = "%04d-%02d-%02d" % (y, m, d)
            else:
                rec[canon] = f.GetFieldAsString(idx)
        g = f.GetGeometryRef()
        raw = None
        if g is not None and not g.IsEmpty():
            raw = g.Clone()
            raw.Transform(ct)
        rec["raw"] = raw
        rec["geom"] = repair(raw, repair_method)
        rows.append(rec)
    return rows


def transform(g, code_from, code_to):
    g = g.Clone()
    g.Transform(osr.CoordinateTransformation(srs(code_from), srs(code_to)))
    return g


# ----- areas -------------------------------------------------------------------------
_GEOD = []


def default_geod():
    """pyproj.Geod(ellps="GRS80") = the CGCS2000 ellipsoid (a, 1/f = 298.257222101).
    Imported lazily: the output checker needs only GDAL's Python bindings."""
    if not _GEOD:
        import pyproj
        _GEOD.append(pyproj.Geod(ellps="GRS80"))
    return _GEOD[0]


def _ring_area(ring, geod):
    n = ring.GetPointCount()
    if n < 4:
        return 0.0
    lons = [ring.GetX(i) for i in range(n - 1)]
    lats = [ring.GetY(i) for i in range(n - 1)]
    a, _ = geod.polygon_area_perimeter(lons, lats)
    return abs(a)


def area_ha(g, geod=None, holes=True):
    """Geodesic area (GeographicLib geod_polygonarea) in ha of a lon/lat (multi)polygon:
    per polygon |outer| - sum |holes|, summed over the parts."""
    if g is None or g.IsEmpty():
        return 0.0
    geod = geod or default_geod()
    t = ogr.GT_Flatten(g.GetGeometryType())
    if t == ogr.wkbPolygon:
        a = _ring_area(g.GetGeometryRef(0), geod)
        if holes:
            for i in range(1, g.GetGeometryCount()):
                a -= _ring_area(g.GetGeometryRef(i), geod)
        return a / 10000.0
    return sum(area_ha(g.GetGeometryRef(i), geod, holes) for i in range(g.GetGeometryCount()))


def union_all(geoms):
    u = ogr.Geometry(ogr.wkbMultiPolygon)
    for g in geoms:
        if g is not None and not g.IsEmpty():
            u = u.Union(g)
    return polygonal(u)


def inter(a, b):
    if a is None or b is None or a.IsEmpty() or b.IsEmpty():
        return ogr.Geometry(ogr.wkbMultiPolygon)
    return polygonal(a.Intersection(b))


# ----- engine output -----------------------------------------------------------------
def read_output_layer(ds, name):
    """Rows of an output layer as dicts keyed by lower-case field name, or None."""
    lyr = None
    for i in range(ds.GetLayerCount()):
        if ds.GetLayer(i).GetName().lower() == name.lower():
            lyr = ds.GetLayer(i)
            break
    if lyr is None:
        return None
    defn = lyr.GetLayerDefn()
    names = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    rows = []
    lyr.ResetReading()
    for f in lyr:
        r = {}
        for i, n in enumerate(names):
            if not f.IsFieldSetAndNotNull(i):
                r[n.lower()] = None
            elif f.GetFieldType(i) in (ogr.OFTReal, ogr.OFTInteger, ogr.OFTInteger64):
                r[n.lower()] = f.GetField(i)
            else:
                r[n.lower()] = f.GetFieldAsString(i)
        rows.append(r)
    return rows
