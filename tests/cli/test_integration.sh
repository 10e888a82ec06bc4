#!/usr/bin/env bash
# The integration reference: the engine on tests/integration/data (four CRSs
# and formats: GBK shapefile in GK zone 37, GeoPackage in EPSG:4490, GeoJSON in
# WGS 84, FileGDB in Xian 1980 GK) against expected.json, which
# compute_expected.py computed with a second tool (pyproj/GeographicLib areas,
# GEOS overlay through OGR), to 1e-6 relative.
# Usage: test_integration.sh GREENMINE WORKDIR [THREADS]
set -u
gm=$1
work=$2
threads=${3:-1}
here=$(cd "$(dirname "$0")/../integration" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
"$gm" analyze --mines "$here/data/mines.shp" --redlines "$here/data/redlines.gpkg" \
  --parcels "$here/data/parcels.geojson" --zones "$here/data/zones.gdb" --allow-duplicate-ids \
  -o "$work/out.gpkg" --threads "$threads" --quiet || { echo "greenmine analyze failed"; exit 1; }
/usr/bin/python3 "$here/check_outputs.py" "$work/out.gpkg" "$here/expected.json"
