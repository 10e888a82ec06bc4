#!/usr/bin/env bash
# Inputs read from PostGIS through PG: connection strings (PG:...:SCHEMA.TABLE),
# each table in its source CRS: the figures must equal the file-based reference.
# Starts a private PostgreSQL + PostGIS cluster (tests/integration/postgis_env.sh).
# Usage: test_pg_source.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$1
work=$2
data=$(cd "$(dirname "$0")/../integration" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
. "$data/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
pg="PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
psql -q -c "CREATE SCHEMA gmsrc" || exit 1
for f in mines.shp redlines.gpkg parcels.geojson zones.gdb; do
  # no -t_srs: each table keeps its own CRS (GK zone 37, 4490, 4326, Xian 1980)
  ogr2ogr -f PostgreSQL "$pg" "$data/data/$f" -lco SCHEMA=gmsrc -nln "${f%%.*}" \
    -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom || { echo "ogr2ogr $f failed"; exit 1; }
done
"$gm" analyze --mines "$pg:gmsrc.mines" --redlines "$pg:gmsrc.redlines" \
  --parcels "$pg:gmsrc.parcels" --zones "$pg:gmsrc.zones" --allow-duplicate-ids -o "$work/out.gpkg" --quiet ||
  { echo "greenmine analyze on PG: sources failed"; exit 1; }
/usr/bin/python3 "$data/check_outputs.py" "$work/out.gpkg" "$data/expected.json"
