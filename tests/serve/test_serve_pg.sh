#!/usr/bin/env bash
# Two `greenmine serve --db PG:...` on one PostGIS registry: they answer the
# same (progress, check) as each other and as the CLI, and a snapshot ingested
# while both run is on both progress answers (the servers keep no progress of
# their own; SIGHUP re-reads the layers as well). Usage: test_serve_pg.sh GREENMINE WORKDIR
set -u
gm=$(realpath "$1")
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
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; gm_pg_stop; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
db="PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"

/usr/bin/python3 "$root/registry/fixture.py" make . || exit 1
"$gm" ingest -q --db "$db" --as-of 2018-12-31 --parcels parcels_2018.gpkg --zones zones.gpkg \
  --mines mines.gpkg --redlines redlines.gpkg || fail "ingest 2018"

start() { # NAME: a server on a free port; sets url_NAME
  "$gm" serve --db "$db" --redlines redlines.gpkg --zones zones.gpkg --mines mines.gpkg \
    --listen 127.0.0.1:0 > "$1.out" 2> "$1.err" &
  pids+=($!)
  eval "pid_$1=$!"
  for _ in $(seq 200); do grep -q '^greenmine serve: http' "$1.out" && break; sleep 0.05; done
  eval "url_$1=\$(sed -n 's|^greenmine serve: \(http://[^ ]*\)/\$|\1|p' $1.out)"
}
start a
start b
# shellcheck disable=SC2154
[ -n "$url_a" ] && [ -n "$url_b" ] || { echo "servers did not start"; cat a.err b.err; exit 1; }

same_progress() { # WHAT: both servers == the CLI, byte for byte
  "$gm" progress --db "$db" --json > cli.json || fail "$1: progress --json"
  curl -sf "$url_a/api/progress" > a.json || fail "$1: server a"
  curl -sf "$url_b/api/progress" > b.json || fail "$1: server b"
  cmp -s a.json cli.json || fail "$1: server a differs from the CLI"
  cmp -s b.json cli.json || fail "$1: server b differs from the CLI"
  "$gm" progress --db "$db" --csv > cli.csv
  curl -sf "$url_b/api/progress.csv" > b.csv
  cmp -s b.csv cli.csv || fail "$1: CSV differs"
}
same_progress "one snapshot"
grep -c '"as_of"' a.json | grep -qx 3 || fail "one snapshot: 3 rows (province + 2 zones)"

# A check answers the same on both (and as the CLI).
wkt=$(/usr/bin/python3 -c "
from osgeo import ogr
ds = ogr.Open('redlines.gpkg'); f = ds.GetLayer(0).GetNextFeature()
print(f.GetGeometryRef().Centroid().Buffer(0.01, 8).ExportToWkt())")
curl -sf -X POST --data-binary "$wkt" "$url_a/api/check?buffer=50" > ca.json || fail "check on a"
curl -sf -X POST --data-binary "$wkt" "$url_b/api/check?buffer=50" > cb.json || fail "check on b"
"$gm" check --redlines redlines.gpkg --zones zones.gpkg --mines mines.gpkg --buffer 50 --json "$wkt" > cc.json
grep -q "\"verdict\": \"conflict\"" ca.json || fail "the check is a conflict"
cmp -s ca.json cb.json || fail "the two servers' checks differ"
cmp -s ca.json cc.json || fail "the server's check differs from the CLI's"
# A result kept through a is answered by b (the registry keeps it, not a).
loc=$(curl -sf -D - -o /dev/null -X POST --data-binary "$wkt" "$url_a/api/check?buffer=50" |
  tr -d '\r' | sed -n 's/^Location: //Ip')
[ -n "$loc" ] || fail "no result URL from a"
curl -sf "$url_a$loc" > ra.json || fail "result on a"
curl -sf "$url_b$loc" > rb.json || fail "a's result on b"
cmp -s ra.json rb.json || fail "a's result differs on b"

# A snapshot ingested while both run: both show it (b after a SIGHUP too).
"$gm" ingest -q --db "$db" --as-of 2019-12-31 --parcels parcels_2019.gpkg --allow-duplicate-ids || fail "ingest 2019"
# shellcheck disable=SC2154
kill -HUP "$pid_b"
for _ in $(seq 100); do grep -q 'reloaded' b.err && break; sleep 0.1; done
grep -q 'reloaded' b.err || fail "b: SIGHUP did not reload"
same_progress "two snapshots"
grep -c '"as_of": "2019-12-31"' a.json | grep -qx 3 || fail "the 2019 snapshot is on server a"
grep -c '"as_of": "2019-12-31"' b.json | grep -qx 3 || fail "the 2019 snapshot is on server b"

[ $fails = 0 ] && echo "serve on PostGIS: all checks passed"
[ $fails = 0 ]
