#!/usr/bin/env bash
# The management fixture in PostgreSQL + PostGIS: the same hand-computed
# figures as with SpatiaLite (test_management_figures.py on a PG: registry).
# Starts a private cluster (tests/integration/postgis_env.sh).
# Usage: test_management_pg.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$1
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work" && mkdir -p "$work/pg" || exit 1
cd "$work/pg" || exit 1
export GDAL_PAM_ENABLED=NO
. "$root/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
createdb mgmt && psql -X -q -d mgmt -c "CREATE EXTENSION postgis" || exit 1
/usr/bin/python3 "$root/management/test_management_figures.py" "$gm" "$work/run" \
  "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=mgmt"
