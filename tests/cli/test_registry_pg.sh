#!/usr/bin/env bash
# The registry in PostgreSQL + PostGIS (--db PG:...): the same three yearly
# ingests as test_registry.sh must give the hand-computed figures and the same
# series as SpatiaLite; three yearly ingests of the demo data must agree, in
# both backends, with PostGIS geography unions of the same parcels (1e-4).
# Starts a private cluster (tests/integration/postgis_env.sh).
# Usage: test_registry_pg.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$1
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/registry
demo=$root/../data/demo
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
export GDAL_PAM_ENABLED=NO
. "$root/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for db in fixture demo; do
  createdb "$db" && psql -X -q -d "$db" -c "CREATE EXTENSION postgis" || exit 1
done
pg() { echo "PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$1"; }

# the fixture, in both backends
/usr/bin/python3 "$here/fixture.py" make . || exit 1
for db in "$(pg fixture)" fixture.sqlite; do
  "$gm" ingest -q --db "$db" --as-of 2018-12-31 --parcels parcels_2018.gpkg --zones zones.gpkg \
    --mines mines.gpkg --redlines redlines.gpkg || fail "ingest 2018 into $db"
  "$gm" ingest -q --db "$db" --as-of 2019-12-31 --parcels parcels_2019.gpkg || fail "2019 $db"
  "$gm" ingest -q --db "$db" --as-of 2020-12-31 --parcels parcels_2020.gpkg \
    --mines mines_2020.gpkg || fail "2020 $db"
done
"$gm" progress --db "$(pg fixture)" --json > fixture_pg.json || fail "progress on PostGIS"
"$gm" progress --db fixture.sqlite --json > fixture_lite.json || fail "progress on SpatiaLite"
/usr/bin/python3 "$here/fixture.py" check fixture_pg.json || fail "PostGIS registry: hand figures"
/usr/bin/python3 "$here/postgis_reference.py" fixture fixture_pg.json fixture_lite.json ||
  fail "fixture: PostGIS geography / SpatiaLite"
[ "$(psql -X -At -d fixture -c "SELECT count(*) FROM parcel")" = 9 ] || fail "9 tracked parcels"
[ "$(psql -X -At -d fixture -c "SELECT max(version) = count(*) AND max(version) >= 3 FROM schema_version")" = t ] ||
  fail "schema versions 1..N, N >= 3"
[ "$(psql -X -At -d fixture -c "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")" = 4 ] ||
  fail "4 GiST indexes"
psql -X -q -d fixture -c "UPDATE snapshot SET as_of = '2017-01-01'" 2> /dev/null &&
  fail "the append-only trigger lets a snapshot be rewritten"
"$gm" ingest -q --db "$(pg fixture)" --as-of 2020-12-31 --parcels parcels_2020.gpkg 2> err.txt
[ $? = 2 ] || fail "PostGIS: re-ingest of 2020 exit 2"
GREENMINE_TEST_KILL_AFTER=3 "$gm" ingest -q --db "$(pg fixture)" --as-of 2021-12-31 \
  --parcels parcels_2020.gpkg 2> /dev/null
[ $? = 137 ] || fail "PostGIS: kill hook"
sleep 1 # the server notices the dead client and rolls its transaction back
[ "$(psql -X -At -d fixture -c "SELECT count(*) FROM snapshot")" = 3 ] ||
  fail "PostGIS: a killed ingest left a snapshot"
# a second writer waits for the first (advisory lock), or fails after its timeout
# (held until the first writer has given up, however slow the machine: then
# the holder's sleep is cancelled, which rolls its transaction back)
psql -X -q -d fixture -c "BEGIN; SELECT pg_advisory_xact_lock(1735552621); SELECT pg_sleep(600); COMMIT" > /dev/null 2>&1 &
holder=$!
until [ "$(psql -X -At -d fixture -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ]; do
  sleep 0.1
done
"$gm" ingest -q --db "$(pg fixture)" --as-of 2021-12-31 --parcels parcels_2020.gpkg \
  --busy-timeout 1 2> err.txt
rc=$?
psql -X -q -At -d fixture -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" > /dev/null
[ $rc = 1 ] && grep -q 'locked by another writer' err.txt || fail "PostGIS: locked -> exit 1 ($(cat err.txt))"
"$gm" ingest -q --db "$(pg fixture)" --as-of 2021-12-31 --parcels parcels_2020.gpkg ||
  fail "PostGIS: the waiting writer gets in"
wait $holder || true
"$gm" report -q --db "$(pg fixture)" -o fixture_pg.html || fail "report from PostGIS"

# realistic data: the demo province, three yearly snapshots, both backends
for db in "$(pg demo)" demo.sqlite; do
  "$gm" ingest -q --db "$db" --as-of 2018-12-31 --parcels "$demo/parcels.gpkg" \
    --zones "$demo/zones.geojson" --mines "$demo/mines.shp" --redlines "$demo/redlines.gpkg" \
    2> /dev/null || fail "demo 2018 $db"
  "$gm" ingest -q --db "$db" --as-of 2019-12-31 --parcels "$demo/parcels.gpkg" 2> /dev/null ||
    fail "demo 2019 $db"
  "$gm" ingest -q --db "$db" --as-of 2020-12-31 --parcels "$demo/parcels.gpkg" 2> /dev/null ||
    fail "demo 2020 $db"
done
"$gm" progress --db "$(pg demo)" --json > demo_pg.json || fail "demo progress PostGIS"
"$gm" progress --db demo.sqlite --json > demo_lite.json || fail "demo progress SpatiaLite"
/usr/bin/python3 "$here/postgis_reference.py" demo demo_pg.json demo_lite.json ||
  fail "demo: PostGIS geography / SpatiaLite"
echo "registry (PostGIS): $fails failed"
[ $fails = 0 ]
