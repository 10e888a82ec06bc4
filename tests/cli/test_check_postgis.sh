#!/usr/bin/env bash
# `greenmine check` against PostGIS geography, end to end (issue 3's "Done
# when": hectares within 1e-4 relative of PostGIS geography areas).
# Builds a small deterministic data set (check_postgis.py make: overlapping red
# lines, zones, existing mines, ~60 applications -- inside, across, touching,
# near, long-edged 1-3 km rectangles, corner-point files with the zone prefix),
# loads red lines, zones, mines and applications into a private PostGIS with
# ogr2ogr (the corner-point polygons transformed from EPSG:4525 by ogr2ogr, not
# by the engine), computes every figure in SQL (test_check_postgis.sql), runs
# `greenmine check --json` on the same inputs and compares (check_postgis.py
# compare). Last line "N passed, M failed"; exit 1 on any failure.
# Usage: test_check_postgis.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
buffer=300
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
export GDAL_PAM_ENABLED=NO
die() { echo "$*"; echo "0 passed, 1 failed"; exit 1; }

/usr/bin/python3 "$here/check_postgis.py" make . || die "check_postgis.py make failed"

cd "$root" || exit 1
# shellcheck source=tests/integration/postgis_env.sh
. tests/integration/postgis_env.sh
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  die "cannot start PostgreSQL + PostGIS"
fi
trap gm_pg_stop EXIT
cd "$work" || exit 1

pg="PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
load() { # SRC TABLE [ogr2ogr options]
  local src=$1 table=$2
  shift 2
  ogr2ogr -f PostgreSQL "$pg" "$src" -nln "$table" -t_srs EPSG:4490 -nlt PROMOTE_TO_MULTI \
    "$@" || die "ogr2ogr $src failed"
}
new="-lco GEOMETRY_NAME=geom -lco LAUNDER=NO"
# shellcheck disable=SC2086
{
  load redlines.gpkg redlines $new
  load zones.gpkg zones $new
  load mines.gpkg mines $new
  load apps.gpkg apps $new
  load corners_gk.gpkg apps -append # EPSG:4525 -> 4490 by ogr2ogr (PROJ)
}
psql -X -q -At -v ON_ERROR_STOP=1 -f "$here/test_check_postgis.sql" >postgis.json 2>psql.err ||
  die "PostGIS queries failed: $(cat psql.err)"

"$gm" check --redlines redlines.gpkg --zones zones.gpkg --mines mines.gpkg --buffer "$buffer" \
  --json apps.gpkg corners/*.txt >greenmine.json 2>greenmine.err
rc=$?
[ "$rc" = 3 ] || die "greenmine check exit $rc, expected 3: $(cat greenmine.err)"

/usr/bin/python3 "$here/check_postgis.py" compare greenmine.json postgis.json "$buffer"
