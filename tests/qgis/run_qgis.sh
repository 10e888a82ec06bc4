#!/usr/bin/env bash
# The real client: `greenmine demo`, then QGIS (PyQGIS, headless) loads every
# output and the project and renders it (check_qgis.py). Installs QGIS's
# Python bindings from apt when missing (python3-qgis qgis-providers, about
# 450 MB; 147 s measured on Debian 12 with warm package lists).
# Then the demo data is ingested into a SpatiaLite registry and QGIS opens its
# tables and views (check_registry_qgis.py).
# The rendered map is kept as WORKDIR/greenmine.png.
# Usage: run_qgis.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
if ! /usr/bin/python3 -c "import qgis.core" 2> /dev/null; then
  source "$here/../../scripts/deps.sh"
  start=$(date +%s)
  gm_ensure_packages python3-qgis qgis-providers || { echo "FAIL: cannot install QGIS"; exit 1; }
  echo "installed QGIS in $(( $(date +%s) - start )) s"
fi
export GDAL_PAM_ENABLED=NO QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/xdg
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
if ! "$gm" demo -o "$work/out" --cell 90 --quiet 2> "$work/stderr.txt"; then
  echo "FAIL: demo failed: $(tail -3 "$work/stderr.txt")"; exit 1
fi
fails=0
# ASan's runtime is not in the Python process: keep it out of QGIS's way.
env -u LD_PRELOAD /usr/bin/python3 "$here/check_qgis.py" "$work/out" "$work/greenmine.png" ||
  fails=$((fails + 1))
# The check must catch the fault of QGIS 3.22 discarding short layer ids
# (the layer tree then points at nothing): the same outputs with the raster
# ids shortened to raster_0 / raster_1 must fail it.
rm -rf "$work/short_ids" && cp -r "$work/out" "$work/short_ids" &&
  sed -i 's/greenmine_restoration_coverage/raster_0/g; s/greenmine_redline_conflict/raster_1/g' \
    "$work/short_ids/greenmine.qgs"
if env -u LD_PRELOAD /usr/bin/python3 "$here/check_qgis.py" "$work/short_ids" \
    "$work/short_ids.png" > "$work/short_ids.txt" 2>&1 ||
    ! grep -q "resolves to no layer" "$work/short_ids.txt"; then
  echo "FAIL: the QGIS check accepts layer-tree entries that resolve to no layer"
  fails=$((fails + 1))
fi

# The registry: the demo data ingested into SpatiaLite, its tables and views
# opened in QGIS (check_registry_qgis.py); and the check shown to fail when
# the views are not registered in views_geometry_columns.
demo=$here/../../data/demo
if ! "$gm" ingest -q --db "$work/registry.sqlite" --as-of 2020-12-31 \
    --parcels "$demo/parcels.gpkg" --mines "$demo/mines.shp" --zones "$demo/zones.geojson" \
    --redlines "$demo/redlines.gpkg" 2> "$work/ingest.txt"; then
  echo "FAIL: ingest failed: $(tail -3 "$work/ingest.txt")"; exit 1
fi
# and the example management records, so their tables and views hold rows
mgmt=$here/../../data/management
"$gm" licences import -q --db "$work/registry.sqlite" "$mgmt/licences_example.csv" --by qgis &&
  "$gm" events import -q --db "$work/registry.sqlite" "$mgmt/events_example.csv" --by qgis &&
  "$gm" thresholds import -q --db "$work/registry.sqlite" "$mgmt/thresholds_example.csv" \
    --by qgis --label "example, not official figures" ||
  { echo "FAIL: the example management records"; fails=$((fails + 1)); }
env -u LD_PRELOAD /usr/bin/python3 "$here/check_registry_qgis.py" "$work/registry.sqlite" ||
  fails=$((fails + 1))
cp "$work/registry.sqlite" "$work/unregistered.sqlite"
/usr/bin/python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);
c.execute('DELETE FROM views_geometry_columns'); c.commit()" "$work/unregistered.sqlite"
if env -u LD_PRELOAD /usr/bin/python3 "$here/check_registry_qgis.py" \
    "$work/unregistered.sqlite" > "$work/unregistered.txt"; then
  echo "FAIL: the registry check accepts views not registered in views_geometry_columns"
  fails=$((fails + 1))
fi
[ $fails = 0 ]
