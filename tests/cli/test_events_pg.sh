#!/usr/bin/env bash
# The management records on PostgreSQL + PostGIS: test_events.py against a
# private cluster (tests/integration/postgis_env.sh), each registry in its own
# schema of one database.
# Usage: test_events_pg.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$1
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
export GDAL_PAM_ENABLED=NO
. "$root/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
createdb events && psql -X -q -d events -c "CREATE EXTENSION postgis" || exit 1
/usr/bin/python3 "$root/cli/test_events.py" "$gm" "$work/run" \
  "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=events"
