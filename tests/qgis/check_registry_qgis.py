#!/usr/bin/python3
"""The registry in the real client: QGIS (PyQGIS, headless) opens a SpatiaLite
registry's spatial tables and views through both the spatialite provider (Add
SpatiaLite Layer) and the ogr provider (dragging the file in), and its
attribute tables and views through the spatialite provider.

Each layer must be valid, have the feature count sqlite3 counts itself, the
CRS EPSG:4490, polygon geometries whose extent lies in Hunan in lon/lat
order, and every feature's geometry present (views: through their registered
row id). Exit 1 on any problem.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 check_registry_qgis.py REGISTRY.sqlite
"""
import os
import sqlite3
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer, QgsWkbTypes

db = sys.argv[1]
problems = []
SPATIAL = {  # layer: its key column (views: the row id registered in views_geometry_columns)
    "parcel_version": "version_id", "mine_version": "version_id",
    "zone_version": "version_id", "redline_version": "version_id",
    "parcel_current": "version_id", "parcel_changes": "version_id",
}
ATTRIBUTES = ["schema_version", "snapshot", "source", "parcel", "snapshot_layer",
              "parcel_history",
              # the management records (migration 3, docs/management.md)
              "licence", "event", "threshold_set", "threshold", "event_log", "event_current",
              "threshold_current"]
HUNAN = (108.0, 24.0, 115.0, 31.0)  # lon/lat box around the province


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


con = sqlite3.connect(db)
rows = {t: con.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0]
        for t in list(SPATIAL) + ATTRIBUTES}
geoms = {t: con.execute('SELECT count(*) FROM "%s" WHERE geom IS NOT NULL' % t).fetchone()[0]
         for t in SPATIAL}
con.close()

app = QgsApplication([], False)
app.initQgis()
loaded = 0
for table, key in SPATIAL.items():
    uri = QgsDataSourceUri()
    uri.setDatabase(db)
    uri.setDataSource("", table, "geom", "", key)
    for how, layer in (("spatialite", QgsVectorLayer(uri.uri(), table, "spatialite")),
                       ("ogr", QgsVectorLayer("%s|layername=%s" % (db, table), table, "ogr"))):
        what = "%s (%s provider)" % (table, how)
        if not check(layer.isValid(), "%s: not valid" % what):
            continue
        loaded += 1
        check(rows[table] > 0, "%s: no rows in the registry" % table)
        check(layer.featureCount() == rows[table],
              "%s: %d features, sqlite3 counts %d" % (what, layer.featureCount(), rows[table]))
        check(layer.crs().authid() == "EPSG:4490", "%s: CRS %s" % (what, layer.crs().authid()))
        check(QgsWkbTypes.geometryType(layer.wkbType()) == QgsWkbTypes.PolygonGeometry,
              "%s: geometry type %s" % (what, QgsWkbTypes.displayString(layer.wkbType())))
        e = layer.extent()
        check(e.xMinimum() >= HUNAN[0] and e.yMinimum() >= HUNAN[1] and
              e.xMaximum() <= HUNAN[2] and e.yMaximum() <= HUNAN[3] and not e.isEmpty(),
              "%s: extent %s is not Hunan in lon/lat" % (what, e.toString()))
        n = with_geom = 0
        for f in layer.getFeatures():
            n += 1
            with_geom += f.hasGeometry() and not f.geometry().isEmpty()
        check(n == rows[table], "%s: %d features read, %d rows" % (what, n, rows[table]))
        check(with_geom == geoms[table],
              "%s: %d geometries read, %d in the registry" % (what, with_geom, geoms[table]))
        print("%-16s %-10s %6d features  %s" % (table, how, n, layer.crs().authid()))
for table in ATTRIBUTES:
    uri = QgsDataSourceUri()
    uri.setDatabase(db)
    uri.setDataSource("", table, "")
    layer = QgsVectorLayer(uri.uri(), table, "spatialite")
    what = "%s (spatialite provider)" % table
    if not check(layer.isValid(), "%s: not valid" % what):
        continue
    loaded += 1
    n = sum(1 for _ in layer.getFeatures())
    check(n == rows[table] and n > 0, "%s: %d rows read, sqlite3 counts %d" % (what, n, rows[table]))
    print("%-16s %-10s %6d rows" % (table, "spatialite", n))
check(loaded == 2 * len(SPATIAL) + len(ATTRIBUTES), "%d layers loaded" % loaded)
for p in problems:
    print("FAIL " + p)
print("registry in QGIS: %d layers, %d problems" % (loaded, len(problems)))
sys.stdout.flush()
os._exit(1 if problems else 0)  # PyQGIS may crash in exitQgis(); do not call it
