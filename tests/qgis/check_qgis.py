#!/usr/bin/python3
"""The real client: loads greenmine's outputs in QGIS (PyQGIS, headless) and
fails on any problem.

Checks every GeoPackage layer (valid, CRS, the default style QGIS actually
applied -- renderer type and its settings, not merely that a layer_styles row
exists --, Chinese aliases, labels), both rasters (valid, CRS, the .qml
renderer, nodata, overviews), and the project: every entry of its layer tree
resolves to a valid layer of the project (QGIS silently drops broken entries
from layerOrder(), so the tree itself is walked), each layer rendered alone
draws pixels, vectors lie above rasters; then the project is rendered to a PNG:
conflict areas, clear mines and restored parcels each show their own colour at
their own places (conflicts above the mine fill), conflict mines show a marker
at the opening scale, labels are drawn, and the category colours stay apart
(colour-blind-safe hues).

Usage: QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=DIR \
       /usr/bin/python3 check_qgis.py OUTPUT_DIR PNG
"""
import itertools
import os
import re
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")  # no .aux.xml beside the rasters

from qgis.core import (QgsApplication, QgsCoordinateTransform, QgsGeometry, QgsMapRendererParallelJob,
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


# What the writer puts in layer_styles (src/out/styles.c), independently
# restated: the Okabe-Ito colours (Okabe & Ito 2008, "Color Universal Design").
VERMILLION, PURPLE, ORANGE = (213, 94, 0), (204, 121, 167), (230, 159, 0)
BLUE, GREEN, YELLOW = (0, 114, 178), (0, 158, 115), (240, 228, 66)
EXPECTED = {
    "mine_conflicts": ("categorizedSymbol", "verdict",
                       {"conflict": PURPLE, "near": ORANGE, "clear": BLUE}),
    "conflict_areas": ("singleSymbol", None, None),
    "restored_areas": ("categorizedSymbol", "kind",
                       {"restoration": GREEN, "reclamation": YELLOW}),
    "zone_progress": ("graduatedSymbol", None, None),
    "province_indicators": (None, None, None),
}
# The stored codes QGIS must show in Chinese (value maps).
VALUE_WORDS = {
    "mine_conflicts": {"verdict": {"conflict": "红线冲突", "clear": "无冲突"},
                       "scale": {"small": "小型", "large": "大型"}},
    "conflict_areas": {"category": {"forest_park": "森林公园", "nature_reserve": "自然保护区"}},
    "restored_areas": {"kind": {"restoration": "恢复治理", "reclamation": "土地复垦"}},
    "province_indicators": {"indicator": {"restoration_done_ha": "历史遗留矿山恢复治理面积"},
                            "unit": {"ha": "公顷"}},
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


def check_zone_classes(layer, r):
    """Classes from the data on a progress measure: restored ha per 100 km²,
    recomputed here from the layer's own fields; every zone falls in a class,
    no class is empty, the lowest label starts at the smallest value and the
    highest ends at the largest (no "800 - 1000" running to 1e6)."""
    vals = sorted(f["restoration_done_ha"] * 10000 / f["zone_ha"] for f in layer.getFeatures())
    ranges = r.ranges()
    check(2 <= len(ranges) <= 5 and len(ranges) <= len(set(vals)),
          f"zone_progress: {len(ranges)} classes for {len(set(vals))} distinct values")
    check("zone_ha" in r.classAttribute() and "restoration_done_ha" in r.classAttribute(),
          f"zone_progress: classified by {r.classAttribute()!r}, not a progress measure")
    counts = [sum(1 for v in vals if rg.lowerValue() <= v <= rg.upperValue()) for rg in ranges]
    # natural breaks: of every way to cut the sorted values into that many
    # classes (brute force), the least squared deviation within the classes
    if 2 <= len(ranges) <= len(vals) <= 30:
        def ssd(part):
            m = sum(part) / len(part)
            return sum((v - m) ** 2 for v in part)
        best = min(itertools.combinations(range(1, len(vals)), len(ranges) - 1),
                   key=lambda cuts: sum(ssd(vals[a:b]) for a, b in
                                        zip((0,) + cuts, cuts + (len(vals),))))
        sizes = [b - a for a, b in zip((0,) + best, best + (len(vals),))]
        check(counts == sizes, f"zone_progress: classes of {counts} zones, natural breaks "
              f"give {sizes}")
    check(all(c > 0 for c in counts), f"zone_progress: empty classes {counts}")
    check(sum(counts) == len(vals), f"zone_progress: {sum(counts)} of {len(vals)} zones classed")
    if ranges:
        lo, hi = ranges[0].lowerValue(), ranges[-1].upperValue()
        check(abs(lo - vals[0]) < 1e-6 * max(1, vals[0]) and
              abs(hi - vals[-1]) < 1e-6 * max(1, vals[-1]),
              f"zone_progress: classes span {lo}..{hi}, data {vals[0]}..{vals[-1]}")
        # the labels print those bounds: "2.0 – 2.9 公顷/百平方公里"
        first = re.findall(r"\d+(?:\.\d+)?", ranges[0].label())
        last = re.findall(r"\d+(?:\.\d+)?", ranges[-1].label())
        if check(len(first) >= 2 and len(last) >= 2 and "公顷/百平方公里" in ranges[0].label(),
                 f"zone_progress: labels {ranges[0].label()!r} .. {ranges[-1].label()!r}"):
            d = len(first[0].split(".")[1]) if "." in first[0] else 0
            check(first[0] == f"{vals[0]:.{d}f}" and last[1] == f"{vals[-1]:.{d}f}",
                  f"zone_progress: labels {ranges[0].label()!r} .. {ranges[-1].label()!r} "
                  f"for data {vals[0]:.4f} .. {vals[-1]:.4f}")


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
                check_zone_classes(layer, r)
            if name == "conflict_areas":
                sl = r.symbol().symbolLayer(0)
                c = sl.color()
                check((c.red(), c.green(), c.blue()) == VERMILLION, f"{name}: fill {c.name()}")
                check(any(r.symbol().symbolLayer(i).brushStyle() == Qt.BDiagPattern
                          for i in range(r.symbol().symbolLayerCount())
                          if r.symbol().symbolLayer(i).layerType() == "SimpleFill"),
                      f"{name}: not hatched")
    if name in ("mine_conflicts", "zone_progress"):
        check(layer.labelsEnabled(), f"{name}: labels off")
        if layer.labelsEnabled():
            expr = layer.labeling().settings().fieldName
            check('"name"' in expr, f"{name}: label from {expr!r}, expected the name")
    fields = layer.fields()
    formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter("ValueMap")
    for field, words in VALUE_WORDS.get(name, {}).items():
        idx = fields.indexOf(field)
        setup = layer.editorWidgetSetup(idx)
        if check(setup.type() == "ValueMap", f"{name}.{field}: widget {setup.type()!r}"):
            for code, word in words.items():
                shown = formatter.representValue(layer, idx, setup.config(), None, code)
                check(shown == word, f"{name}.{field}: {code} shown as {shown!r}, expected {word}")
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


def render(settings, layers, size=(1000, 1000)):
    settings.setLayers(layers)
    settings.setOutputSize(QSize(*size))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    return job.renderedImage()


def non_background(img, step=1):
    bg = 0xFFFFFF  # the settings' white background
    return sum(1 for y in range(0, img.height(), step) for x in range(0, img.width(), step)
               if img.pixel(x, y) & 0xFFFFFF != bg)


def near(rgb, want, tol=40):
    return sum((a - b) ** 2 for a, b in zip(rgb, want)) <= tol * tol


def colour_at(img, x, y, r=3):
    """The commonest colour in a small square: a hatch line is not the fill."""
    seen = {}
    for yy in range(y - r, y + r + 1):
        for xx in range(x - r, x + r + 1):
            if 0 <= xx < img.width() and 0 <= yy < img.height():
                c = QColor(img.pixel(xx, yy))
                k = (c.red(), c.green(), c.blue())
                seen[k] = seen.get(k, 0) + 1
    return max(seen, key=seen.get) if seen else None


def largest_part(feature):
    """The largest polygon of a (dissolved, multi-part) feature."""
    parts = [QgsGeometry(p.clone()) for p in feature.geometry().constParts()]
    return max(parts, key=lambda g: g.area())


def point_in_image(settings, layer, feature, project):
    """Pixel of the feature's point on surface in a render of `settings`."""
    pt = largest_part(feature).pointOnSurface().asPoint()
    ct = QgsCoordinateTransform(layer.crs(), settings.destinationCrs(), project)
    p = settings.mapToPixel().transform(ct.transform(pt))
    return int(round(p.x())), int(round(p.y()))


def zoomed(project, layer, feature, half_m=None):
    """Map settings centred on one feature, framing it with some margin."""
    s = QgsMapSettings()
    s.setDestinationCrs(project.crs())
    s.setBackgroundColor(QColor(255, 255, 255))
    s.setOutputSize(QSize(400, 400))
    s.setFlag(QgsMapSettings.DrawLabeling, False)  # a label is not the fill below it
    ct = QgsCoordinateTransform(layer.crs(), project.crs(), project)
    box = ct.transformBoundingBox(largest_part(feature).boundingBox())
    box.scale(1.6)
    s.setExtent(box)
    return s


def check_project(project):
    root = project.layerTreeRoot()
    # The tree as QGIS shows it in the Layers panel: every entry must point at
    # a valid layer of the project. layerOrder() would skip broken entries.
    nodes = root.findLayers()
    check(len(nodes) == 7, f"project: {len(nodes)} layer-tree entries, expected 7")
    layers_by_id = project.mapLayers()
    for node in nodes:
        lyr = node.layer()
        if check(lyr is not None and node.layerId() in layers_by_id,
                 f"project: layer-tree entry {node.name()!r} (id {node.layerId()}) "
                 "resolves to no layer"):
            check(lyr.isValid(), f"project layer {lyr.name()} ({lyr.source()}) not valid")
    check(len(layers_by_id) == 7, f"project: {len(layers_by_id)} layers, expected 7")
    tree_layers = [n.layer() for n in nodes if n.layer() is not None]
    for lyr in tree_layers:
        base = lyr.source().split("|layername=")[-1] if "|layername=" in lyr.source() \
            else os.path.basename(lyr.source())
        if isinstance(lyr, QgsVectorLayer):
            check_vector(lyr, base)
        else:
            check_raster(lyr, base)
    order = [l.type() for l in tree_layers]
    # drawing order top first: all vector layers (type 0) before the rasters (type 1)
    check(order == sorted(order), f"project: layer order {order}, rasters must be last")
    names = [l.source().split("|layername=")[-1] for l in tree_layers]
    if "conflict_areas" in names and "mine_conflicts" in names:
        check(names.index("conflict_areas") < names.index("mine_conflicts"),
              "project: conflict areas drawn below the mine fill (hidden)")
    crs = project.crs()
    check("+proj=aea" in crs.toProj(), f"project CRS {crs.toProj()}")
    by_name = {n: l for n, l in zip(names, tree_layers)}
    zones = by_name.get("zone_progress")
    if zones is None:
        return

    settings = QgsMapSettings()
    settings.setDestinationCrs(crs)
    settings.setBackgroundColor(QColor(255, 255, 255))
    extent = QgsCoordinateTransform(zones.crs(), crs, project).transformBoundingBox(
        zones.extent())
    extent.scale(1.05)
    settings.setExtent(extent)

    # Each layer of the tree alone draws something (the table has no geometry).
    for name, lyr in by_name.items():
        if name == "province_indicators":
            continue
        img = render(settings, [lyr], (500, 500))
        n = non_background(img)
        print(f"render alone: {name}: {n} px")
        check(n > 20, f"render: layer {name} alone draws {n} pixels")

    # The whole project at the opening extent.
    img = render(settings, root.layerOrder(), (1400, 1600))
    check(img.save(png), f"cannot save {png}")
    w, h = img.width(), img.height()
    marker = sum(1 for y in range(0, h, 2) for x in range(0, w, 2)
                 if near((QColor(img.pixel(x, y)).red(), QColor(img.pixel(x, y)).green(),
                          QColor(img.pixel(x, y)).blue()), VERMILLION, 30))
    mines = by_name["mine_conflicts"]
    n_conflict = sum(1 for f in mines.getFeatures() if f["verdict"] == "conflict")
    print(f"render: {png} {w}x{h}; vermillion (conflict markers) {marker} px (of 1/4 sampled), "
          f"{n_conflict} conflict mines")
    # a 3.2 mm marker at 96 dpi is ~12 px across: ~100 px each, ~25 sampled
    check(n_conflict == 0 or marker > 10 * n_conflict,
          f"render: conflicts not visible at the opening scale ({marker} px)")

    # Labels: the zones' names are drawn (the picture differs with labels off).
    lab_on = render(settings, [zones], (700, 800))
    zones.setLabelsEnabled(False)
    lab_off = render(settings, [zones], (700, 800))
    zones.setLabelsEnabled(True)
    diff = sum(1 for y in range(0, 800, 2) for x in range(0, 700, 2)
               if lab_on.pixel(x, y) != lab_off.pixel(x, y))
    check(diff > 200, f"render: zone labels draw {diff} pixels")

    # At a conflict area, a clear mine and a restored parcel, zoomed in, the
    # whole project shows each one's colour: the conflict above the mine.
    everything = root.layerOrder()
    samples = {}
    areas = by_name["conflict_areas"]
    biggest = max(areas.getFeatures(), key=lambda f: f["area_ha"], default=None)
    if biggest is not None:
        s = zoomed(project, areas, biggest)
        samples["conflict area"] = colour_at(render(s, everything, (400, 400)),
                                             *point_in_image(s, areas, biggest, project))
    clear = max((f for f in mines.getFeatures() if f["verdict"] == "clear"),
                key=lambda f: f["mine_ha"], default=None)
    if clear is not None:
        s = zoomed(project, mines, clear)
        samples["clear mine"] = colour_at(render(s, everything, (400, 400)),
                                          *point_in_image(s, mines, clear, project))
    restored = by_name["restored_areas"]
    parcel = max((f for f in restored.getFeatures() if f["kind"] == "restoration"),
                 key=lambda f: f["area_ha"], default=None)
    if parcel is not None:
        s = zoomed(project, restored, parcel)
        samples["restored parcel"] = colour_at(render(s, everything, (400, 400)),
                                               *point_in_image(s, restored, parcel, project))
    print("render: colours at", samples)
    want = {"conflict area": VERMILLION, "clear mine": BLUE, "restored parcel": GREEN}
    for what, rgb in want.items():
        got = samples.get(what)
        check(got is not None and near(got, rgb, 60),
              f"render: {what} drawn {got}, expected near {rgb}")
    got = list(samples.values())
    for i in range(len(got)):
        for j in range(i + 1, len(got)):
            check(not near(got[i], got[j], 60), f"render: {got[i]} and {got[j]} alike")


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
        check_project(project)
finally:
    layers.clear()
    QgsProject.instance().clear()

for p in problems:
    print("FAIL:", p)
print(f"qgis check: {len(problems)} problem(s)")
sys.stdout.flush()
os._exit(1 if problems else 0)  # PyQGIS may crash in exitQgis(); do not call it
