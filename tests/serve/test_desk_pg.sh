#!/usr/bin/env bash
# The desk's users, roles, sessions and CSRF (test_desk_api.py) on a PostGIS
# registry: migration 5 there, and a session opened on one server used on
# another (the servers keep no state of their own).
# Usage: test_desk_pg.sh GREENMINE WORKDIR
set -u
gm=$(realpath "$1")
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
. "$root/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
/usr/bin/python3 "$root/serve/test_desk_api.py" "$gm" "$work/api" \
  "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
