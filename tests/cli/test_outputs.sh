#!/usr/bin/env bash
# The outputs for QGIS, end to end: `greenmine demo` writes the GeoPackage,
# both rasters with their .qml and the project; check_outputs.py validates
# them (validate_gpkg.py, validate_cloud_optimized_geotiff.py, raster
# structure, coverage sums against independent vector areas, styles, titles,
# provenance); check_raster_cells.py compares sampled cells with GEOS and the
# overviews with the full resolution. Cells of 90 m keep the sanitizer build quick: the fractions are
# exact at any cell size, so the sums test the same thing as at 30 m.
# Usage: test_outputs.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
export GDAL_PAM_ENABLED=NO
if ! "$gm" demo -o "$work/out" --cell 90 --quiet 2> "$work/stderr.txt"; then
  echo "FAIL: demo failed: $(tail -3 "$work/stderr.txt")"; exit 1
fi
for f in greenmine.gpkg greenmine.qgs restoration_coverage.tif restoration_coverage.qml \
         redline_conflict.tif redline_conflict.qml; do
  [ -s "$work/out/$f" ] || { echo "FAIL: demo wrote no $f"; exit 1; }
done
if ls -a "$work/out" | grep -q tmp; then echo "FAIL: temporary files left: $(ls -a "$work/out")"; exit 1; fi
/usr/bin/python3 "$here/check_outputs.py" "$work/out" "$here/../../data/demo" || exit 1
/usr/bin/python3 "$here/check_raster_cells.py" "$work/out"
