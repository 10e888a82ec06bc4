#!/usr/bin/env bash
# The pictures of docs/outputs.md: the demo's project rendered by QGIS
# (headless, the opening extent, and zoomed on the largest mine partly in a
# red line) and the first two printed pages of its run report (Chromium
# --print-to-pdf, then pdftoppm). Writes docs/img/qgis_project.png,
# docs/img/qgis_conflict.png, docs/img/report_page1.png and report_page2.png.
# Usage: doc_pictures.sh GREENMINE WORKDIR
set -eu
gm=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
img=$here/../../docs/img
rm -rf "$work" && mkdir -p "$work" "$img"
export GDAL_PAM_ENABLED=NO QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/xdg
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
"$gm" demo -q -o "$work/out" --cell 90
env -u LD_PRELOAD /usr/bin/python3 - "$work/out/greenmine.qgs" "$img" <<'PY'
import os, sys
from qgis.core import (QgsApplication, QgsCoordinateTransform, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsProject)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
qgs, img = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()
p = QgsProject.instance()
p.read(qgs)
layers = p.layerTreeRoot().layerOrder()
by = {l.source().split("|layername=")[-1]: l for l in layers}
def render(extent, size, path):
    s = QgsMapSettings()
    s.setDestinationCrs(p.crs())
    s.setBackgroundColor(QColor(255, 255, 255))
    s.setLayers(layers)
    s.setOutputSize(QSize(*size))
    s.setExtent(extent)
    job = QgsMapRendererParallelJob(s)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(path)
zones = by["zone_progress"]
e = QgsCoordinateTransform(zones.crs(), p.crs(), p).transformBoundingBox(zones.extent())
e.scale(1.05)
render(e, (900, 1030), os.path.join(img, "qgis_project.png"))
# the largest mine only partly inside a red line: both colours show
mines = by["mine_conflicts"]
mine = max((f for f in mines.getFeatures() if 20 <= f["conflict_pct"] <= 80),
           key=lambda f: f["mine_ha"])
e = QgsCoordinateTransform(mines.crs(), p.crs(), p).transformBoundingBox(
    mine.geometry().boundingBox())
e.scale(4)
render(e, (700, 500), os.path.join(img, "qgis_conflict.png"))
os._exit(0)
PY
"$gm" report -q --gpkg "$work/out/greenmine.gpkg" -o "$work/report.html"
env -u LD_PRELOAD chromium --headless --no-sandbox --disable-gpu --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/chrome" --no-pdf-header-footer --print-to-pdf="$work/report.pdf" \
  "file://$work/report.html" 2> /dev/null
pdftoppm -r 80 -f 1 -l 2 -png "$work/report.pdf" "$work/page"
cp "$work"/page-1.png "$img/report_page1.png"
cp "$work"/page-2.png "$img/report_page2.png"
ls -la "$img"
