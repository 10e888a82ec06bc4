#!/usr/bin/python3
"""The real client: loads greenmine's outputs in QGIS (PyQGIS, headless) and
fails on any problem.

Checks every GeoPackage layer (valid, CRS, the default style QGIS actually
applied -- renderer type and its settings, not merely that a layer_styles row
exists --, Chinese aliases, labels), both rasters (valid, CRS, the .qml
renderer, nodata, overviews), and the project (reads, every layer valid,
vectors above rasters), then renders the project to a PNG and checks the
picture has the expected colours.

Usage: QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=DIR \
       /usr/bin/python3 check_qgis.py OUTPUT_DIR PNG
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")  # no .aux.xml beside the rasters

from qgis.core import (QgsApplication, QgsCoordinateTransform, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsProject, QgsRasterLayer, QgsRectangle,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor

out_dir, png = sys.argv[1], sys.argv[2]
gpkg = os.path.join(out_dir, "greenmine.gpkg")
qgs = os.path.join(out_dir, "greenmine.qgs")
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


# What the writer puts in layer_styles (src/out/styles.c), independently restated.
EXPECTED = {
    "mine_conflicts": ("categorizedSymbol", "verdict",
                       {"conflict": (227, 26, 28), "near": (253, 174, 97), "clear": (26, 152, 80)}),
    "conflict_areas": ("singleSymbol", None, None),
    "restored_areas": ("categorizedSymbol", "kind",
                       {"restoration": (0, 109, 44), "reclamation": (116, 196, 118)}),
    "zone_progress": ("graduatedSymbol", "restoration_done_ha", None),
    "province_indicators": (None, None, None),
}
ALIASES = {
    "mine_conflicts": {"redline_conflict_ha": "红线冲突面积(公顷)", "mine_id": "采矿许可证号",
                       "verdict": "冲突结论", "name": "矿山名称"},
    "conflict_areas": {"area_ha": "冲突面积(公顷)", "redline_id": "红线编号"},
    "zone_progress": {"restoration_done_ha": "已完成恢复治理面积(公顷)",
                      "reclamation_done_ha": "已完成土地复垦面积(公顷)", "name": "示范区名称"},
    "restored_areas": {"area_ha": "面积(公顷)", "kind": "类型"},
    "province_indicators": {"indicator": "指标", "pct_of_target": "完成目标比例(%)"},
}


def check_vector(layer, name):
    if not check(layer.isValid(), f"{name}: not a valid layer"):
        return
    renderer_type, attr, colours = EXPECTED[name]
    if renderer_type:
        check(layer.crs().authid() == "EPSG:4490", f"{name}: CRS {layer.crs().authid()}")
        r = layer.renderer()
        check(r is not None and r.type() == renderer_type,
              f"{name}: renderer {r.type() if r else None}, expected {renderer_type} "
              "(the default style was not applied)")
        if r is not None and r.type() == renderer_type:
            if attr:
                check(r.classAttribute() == attr, f"{name}: classified by {r.classAttribute()}")
            if renderer_type == "categorizedSymbol":
                got = {c.value(): c.symbol().color() for c in r.categories()}
                for value, rgb in colours.items():
                    c = got.get(value)
                    check(c is not None and (c.red(), c.green(), c.blue()) == rgb,
                          f"{name}: category {value} colour {c.name() if c else None}")
            if renderer_type == "graduatedSymbol":
                check(len(r.ranges()) == 5, f"{name}: {len(r.ranges())} classes, expected 5")
            if name == "conflict_areas":
                sl = r.symbol().symbolLayer(0)
                check(sl.layerType() == "SimpleFill" and sl.brushStyle() == Qt.BDiagPattern,
                      f"{name}: not hatched ({sl.layerType()}, brush {sl.brushStyle()})")
                c = sl.color()
                check((c.red(), c.green(), c.blue()) == (227, 26, 28), f"{name}: hatch colour")
    if name in ("mine_conflicts", "zone_progress"):
        check(layer.labelsEnabled(), f"{name}: labels off")
        if layer.labelsEnabled():
            expr = layer.labeling().settings().fieldName
            check('"name"' in expr, f"{name}: label from {expr!r}, expected the name")
    fields = layer.fields()
    for field, alias in ALIASES[name].items():
        idx = fields.indexOf(field)
        if check(idx >= 0, f"{name}: no field {field}"):
            check(layer.attributeAlias(idx) == alias,
                  f"{name}.{field}: alias {layer.attributeAlias(idx)!r}, expected {alias!r}")


def check_raster(layer, name):
    if not check(layer.isValid(), f"{name}: not a valid raster"):
        return
    proj = layer.crs().toProj()
    check("+proj=aea" in proj and "+lat_1=25" in proj and "+lat_2=30" in proj
          and "+lon_0=111.5" in proj, f"{name}: CRS {proj}")
    r = layer.renderer()
    check(r is not None and r.type() == "singlebandpseudocolor",
          f"{name}: renderer {r.type() if r else None} (the .qml was not applied)")
    dp = layer.dataProvider()
    check(dp.sourceHasNoDataValue(1) and dp.sourceNoDataValue(1) == -9999,
          f"{name}: nodata {dp.sourceHasNoDataValue(1)} {dp.sourceNoDataValue(1)}")
    pyramids = [p for p in dp.buildPyramidList() if p.getExists()]
    check(len(pyramids) >= 3, f"{name}: {len(pyramids)} overviews")
    check(dp.dataType(1) == 6, f"{name}: data type {dp.dataType(1)}, expected Float32 (6)")


app = QgsApplication([], False)
app.initQgis()
layers = []
try:
    for name in EXPECTED:
        vl = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        layers.append(vl)
        check_vector(vl, name)
    for tif in ("restoration_coverage.tif", "redline_conflict.tif"):
        rl = QgsRasterLayer(os.path.join(out_dir, tif), tif)
        layers.append(rl)
        check_raster(rl, tif)

    project = QgsProject.instance()
    if check(project.read(qgs), f"{qgs}: QGIS cannot read it: {project.error()}"):
        plist = list(project.mapLayers().values())
        check(len(plist) == 7, f"project: {len(plist)} layers, expected 7")
        for lyr in plist:
            check(lyr.isValid(), f"project layer {lyr.name()} ({lyr.source()}) not valid")
            base = lyr.source().split("|layername=")[-1] if "|layername=" in lyr.source() \
                else os.path.basename(lyr.source())
            if isinstance(lyr, QgsVectorLayer):
                check_vector(lyr, base)
            else:
                check_raster(lyr, base)
        order = [l.type() for l in project.layerTreeRoot().layerOrder()]
        # drawing order top first: all vector layers (type 0) before the rasters (type 1)
        check(order == sorted(order), f"project: layer order {order}, rasters must be last")
        crs = project.crs()
        check("+proj=aea" in crs.toProj(), f"project CRS {crs.toProj()}")

        # Render the whole project, drawing order as in the layer tree.
        settings = QgsMapSettings()
        settings.setDestinationCrs(crs)
        settings.setLayers(project.layerTreeRoot().layerOrder())
        settings.setOutputSize(QSize(1400, 1600))
        settings.setBackgroundColor(QColor(255, 255, 255))
        zones = next(l for l in plist if l.source().endswith("layername=zone_progress"))
        extent = QgsCoordinateTransform(zones.crs(), crs, project).transformBoundingBox(
            zones.extent())
        extent.scale(1.05)
        settings.setExtent(extent)
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        img = job.renderedImage()
        check(img.save(png), f"cannot save {png}")
        # The picture must show the zones' graduated fills, red conflicts and
        # something green (restored areas / coverage): count characteristic pixels.
        w, h = img.width(), img.height()
        counts = {"red": 0, "green": 0, "nonwhite": 0}
        for y in range(0, h, 2):
            for x in range(0, w, 2):
                c = QColor(img.pixel(x, y))
                r_, g_, b_ = c.red(), c.green(), c.blue()
                if (r_, g_, b_) != (255, 255, 255):
                    counts["nonwhite"] += 1
                if r_ > 150 and g_ < 90 and b_ < 90:
                    counts["red"] += 1
                if g_ > r_ + 30 and g_ > b_ + 30:
                    counts["green"] += 1
        total = (w // 2) * (h // 2)
        print(f"render: {png} {w}x{h}; non-white {counts['nonwhite'] / total:.1%}, "
              f"red {counts['red']} px, green {counts['green']} px (of {total} sampled)")
        check(counts["nonwhite"] > 0.05 * total, "render: the map is almost blank")
        check(counts["red"] > 20, "render: no red (conflicts) visible")
        check(counts["green"] > 200, "render: no green (restoration, progress) visible")
finally:
    layers.clear()
    QgsProject.instance().clear()

for p in problems:
    print("FAIL:", p)
print(f"qgis check: {len(problems)} problem(s)")
sys.stdout.flush()
os._exit(1 if problems else 0)  # PyQGIS may crash in exitQgis(); do not call it
