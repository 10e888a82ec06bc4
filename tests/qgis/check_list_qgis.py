#!/usr/bin/python3
"""The public list of green mines (greenmine list -o 名录.gpkg) in QGIS
(PyQGIS, headless): the layer loads valid in EPSG:4490 with every mine's
boundary; the default style QGIS actually applied is the one written --
categorised by scale with the Okabe-Ito colours restated here, labels from the
mine's name, Chinese aliases, value maps showing Chinese words for the stored
codes; and rendered zoomed on each mine, the colour at its point on surface is
its scale's colour.

Usage: QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=DIR \
       /usr/bin/python3 check_list_qgis.py LIST.gpkg EXPECTED_MINES
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

gpkg, expected_n = sys.argv[1], int(sys.argv[2])
problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


# Okabe & Ito's colours: large bluish green, medium blue, small yellow.
COLOURS = {"large": (0, 158, 115), "medium": (0, 114, 178), "small": (240, 228, 66)}
ALIASES = {"licence_no": "采矿许可证号", "mine_name": "矿山名称", "enterprise": "采矿权人",
           "credit_code": "统一社会信用代码", "listed_on": "入选名录日期", "batch": "名录批次",
           "mine_ha": "矿区面积(公顷)"}
WORDS = {"industry": {"coal": "煤炭", "nonmetal": "非金属", "cement": "水泥"},
         "scale": {"large": "大型", "small": "小型"},
         "spot_check_result": {"fail": "不合格", "pass": "合格"}}


def colour_at(img, x, y, r=3):
    seen = {}
    for yy in range(y - r, y + r + 1):
        for xx in range(x - r, x + r + 1):
            if 0 <= xx < img.width() and 0 <= yy < img.height():
                c = QColor(img.pixel(xx, yy))
                k = (c.red(), c.green(), c.blue())
                seen[k] = seen.get(k, 0) + 1
    return max(seen, key=seen.get) if seen else None


def near(rgb, want, tol=40):
    return rgb is not None and sum((a - b) ** 2 for a, b in zip(rgb, want)) <= tol * tol


app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(gpkg + "|layername=green_mine_list", "名录", "ogr")
try:
    if check(layer.isValid(), "the layer is not valid"):
        check(layer.crs().authid() == "EPSG:4490", f"CRS {layer.crs().authid()}")
        feats = list(layer.getFeatures())
        check(len(feats) == expected_n, f"{len(feats)} mines, expected {expected_n}")
        check(all(f.hasGeometry() and not f.geometry().isEmpty() for f in feats),
              "a mine without its boundary")
        for f in feats:  # lon/lat order, inside Hunan
            c = f.geometry().centroid().asPoint()
            check(108 < c.x() < 115 and 24 < c.y() < 31, f"{f['licence_no']} at {c.x()} {c.y()}")
        r = layer.renderer()
        if check(r is not None and r.type() == "categorizedSymbol",
                 f"renderer {r.type() if r else None}: the default style was not applied"):
            check(r.classAttribute() == "scale", f"classified by {r.classAttribute()}")
            got = {c.value(): c.symbol().color() for c in r.categories()}
            for value, rgb in COLOURS.items():
                c = got.get(value)
                check(c is not None and (c.red(), c.green(), c.blue()) == rgb,
                      f"category {value}: colour {c.name() if c else None}")
        check(layer.labelsEnabled() and '"mine_name"' in layer.labeling().settings().fieldName,
              "labels: the mine's name")
        fields = layer.fields()
        for field, alias in ALIASES.items():
            idx = fields.indexOf(field)
            if check(idx >= 0, f"no field {field}"):
                check(layer.attributeAlias(idx) == alias,
                      f"{field}: alias {layer.attributeAlias(idx)!r}, expected {alias}")
        formatter = QgsApplication.fieldFormatterRegistry().fieldFormatter("ValueMap")
        for field, words in WORDS.items():
            idx = fields.indexOf(field)
            setup = layer.editorWidgetSetup(idx)
            if check(setup.type() == "ValueMap", f"{field}: widget {setup.type()!r}"):
                for code, word in words.items():
                    shown = formatter.representValue(layer, idx, setup.config(), None, code)
                    check(shown == word, f"{field}: {code} shown as {shown!r}, expected {word}")
        # each mine drawn in its scale's colour where it is
        for f in feats:
            s = QgsMapSettings()
            s.setDestinationCrs(layer.crs())
            s.setBackgroundColor(QColor(255, 255, 255))
            s.setOutputSize(QSize(300, 300))
            s.setFlag(QgsMapSettings.DrawLabeling, False)
            box = f.geometry().boundingBox()
            box.scale(3.0)
            s.setExtent(box)
            s.setLayers([layer])
            job = QgsMapRendererParallelJob(s)
            job.start()
            job.waitForFinished()
            img = job.renderedImage()
            # a corner of the mine, off the centroid marker
            g = f.geometry().boundingBox()
            pt = s.mapToPixel().transform(g.xMinimum() + g.width() * 0.15,
                                          g.yMinimum() + g.height() * 0.15)
            got = colour_at(img, int(pt.x()), int(pt.y()))
            want = COLOURS[f["scale"]]
            # the fill is 92 % opaque over white
            blend = tuple(round(c * 235 / 255 + 255 * 20 / 255) for c in want)
            check(near(got, blend), f"{f['licence_no']} ({f['scale']}): drawn {got}, "
                                    f"expected about {blend}")
finally:
    del layer

for p in problems:
    print("FAIL:", p)
print(f"list qgis check: {len(problems)} problem(s)")
sys.stdout.flush()
os._exit(1 if problems else 0)
