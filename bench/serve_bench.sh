#!/usr/bin/env bash
# serve_bench.sh -- `greenmine serve` under load against PostGIS computing the
# same answer, side by side in one run (bench/serve.md).
#
#   greenmine: POST /api/check?buffer=100, one application per request,
#              16 connections, wrk with a Lua body cycling over the applications;
#   PostGIS:   one SQL query per application over 16 warm connections (pgbench):
#              area on the geography, the union overlap, each red line's own
#              overlap, the nearest red line within 5 km by geodesic distance,
#              the zone of the largest part.
#
# Data: bench/make_data.py (red lines over Hunan, rectangles as applications)
# and the demo's eight zones. Prints checks/s, p99, the ratio, the server's
# start time and resident memory.
#
# Usage: bench/serve_bench.sh GREENMINE WORKDIR [--smoke]
#   full:   3,000 red lines x 500 vertices (1.5 M), 1,000 applications, 20 s each
#   smoke:  300 x 100, 200 applications, 3 s each; fails only when something
#           does not answer (for the test suite; timings there mean nothing)
set -u
gm=$(realpath "$1")
work=$2
smoke=0
[ "${3:-}" = --smoke ] && smoke=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
if [ $smoke = 1 ]; then N=300 V=100 M=200 DUR=3; else N=3000 V=500 M=1000 DUR=20; fi
CONN=16
export GDAL_PAM_ENABLED=NO
die() { echo "serve_bench: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
mkdir -p "$work" || exit 1
cd "$work" || exit 1

# ---- data -----------------------------------------------------------------------
if [ ! -f data/redlines.gpkg ] || [ "$(cat data/shape 2>/dev/null)" != "$N $V $M" ]; then
  rm -rf data
  /usr/bin/python3 "$root/bench/make_data.py" data "$N" "$V" "$M" >/dev/null || die "make_data failed"
  echo "$N $V $M" > data/shape
fi
cp "$root/data/demo/zones.geojson" data/zones.geojson
# one WKT per line: the request bodies
/usr/bin/python3 - <<'EOF' || die "cannot write the bodies"
from osgeo import ogr
ds = ogr.Open("data/apps.gpkg")
with open("bodies.txt", "w") as f:
    for feat in ds.GetLayer(0):
        f.write(feat.GetGeometryRef().ExportToWkt() + "\n")
EOF
cat > check.lua <<'EOF'
-- one application per request, cycling over bodies.txt
local bodies = {}
for line in io.lines("bodies.txt") do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/api/check?buffer=100", { ["Content-Type"] = "text/plain" }, bodies[i])
end
EOF

# ---- greenmine serve (run before and after PostGIS; the worse run counts) ---------------
# run_gm N: starts the server, loads it for DUR s, stops it; sets gm_rps_N, gm_p99_N,
# gm_cpu_N (the server's CPU ms per check), start_s, rss_start, rss_peak.
run_gm() {
  local n=$1 t0 t1 pid url c0 c1 reqs
  t0=$(date +%s.%N)
  "$gm" serve --redlines data/redlines.gpkg --zones data/zones.geojson --listen 127.0.0.1:0 \
    --threads 2 -q > serve.out 2> serve.err &
  pid=$!
  trap 'kill $pid 2>/dev/null' EXIT
  for _ in $(seq 600); do grep -q '^greenmine serve: http' serve.out && break; sleep 0.05; done
  t1=$(date +%s.%N)
  url=$(sed -n 's|^greenmine serve: \(http://[^ ]*\)/$|\1|p' serve.out)
  [ -n "$url" ] || die "serve did not start: $(cat serve.err)"
  start_s=$(echo "$t1 - $t0" | bc)
  eval "start_s_$n=$start_s"
  rss_start=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
  curl -sf -X POST --data-binary "$(head -1 bodies.txt)" "$url/api/check?buffer=100" > one.json ||
    die "the first check failed"
  c0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  wrk -t2 -c$CONN -d${DUR}s --latency -s check.lua "$url" > wrk$n.txt 2>&1 ||
    die "wrk failed: $(cat wrk$n.txt)"
  c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  rss_peak=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
  kill -0 $pid 2>/dev/null || die "serve died under load: $(tail -3 serve.err)"
  reqs=$(awk '/requests in/ {print $1}' wrk$n.txt)
  eval "gm_rps_$n=$(awk '/^Requests\/sec/ {print $2}' wrk$n.txt)"
  eval "gm_p99_$n=$(awk '$1 == "99%" {print $2}' wrk$n.txt)"
  eval "gm_cpu_$n=$(echo "scale=3; ($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $reqs" | bc)"
  local bad
  bad=$(awk '/Non-2xx/ {print $NF}' wrk$n.txt)
  gm_bad=$(( ${gm_bad:-0} + ${bad:-0} ))
  gm_err="${gm_err:-}$(awk '/Socket errors/ {print}' wrk$n.txt)"
  kill $pid
  wait $pid 2>/dev/null
  trap - EXIT
}
run_gm 1

# ---- PostGIS ------------------------------------------------------------------------------
# shellcheck source=tests/integration/postgis_env.sh
. "$root/tests/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  die "cannot start PostgreSQL + PostGIS"
fi
trap gm_pg_stop EXIT
pg="PG:host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
ogr2ogr -f PostgreSQL "$pg" data/redlines.gpkg -nln redlines -lco GEOMETRY_NAME=geom \
  -lco FID=fid || die "loading red lines"
ogr2ogr -f PostgreSQL "$pg" data/apps.gpkg -nln apps -lco GEOMETRY_NAME=geom -lco FID=fid ||
  die "loading applications"
ogr2ogr -f PostgreSQL "$pg" data/zones.geojson -nln zones -lco GEOMETRY_NAME=geom \
  -lco FID=fid || die "loading zones"
psql -X -q -v ON_ERROR_STOP=1 <<'EOF' || die "indexing"
CREATE INDEX ON redlines USING gist ((geom::geography));
ANALYZE;
EOF
cat > check.sql <<'EOF'
\set id random(1, :napps)
WITH a AS (SELECT geom, geom::geography AS g FROM apps WHERE fid = :id),
hits AS (SELECT r."红线编号" AS id, ST_Intersection(r.geom, a.geom) AS x
         FROM redlines r, a WHERE ST_Intersects(r.geom, a.geom))
SELECT ST_Area(a.g) AS area_m2,
       (SELECT ST_Area(ST_Union(x)::geography) FROM hits) AS overlap_m2,
       (SELECT json_agg(json_build_object('id', id, 'm2', ST_Area(x::geography))) FROM hits) AS each_m2,
       (SELECT json_build_object('id', r."红线编号", 'm', ST_Distance(r.geom::geography, a.g))
          FROM redlines r WHERE ST_DWithin(r.geom::geography, a.g, 5000)
          ORDER BY ST_Distance(r.geom::geography, a.g) LIMIT 1) AS nearest,
       (SELECT z."名称" FROM zones z WHERE ST_Intersects(z.geom, a.geom)
          ORDER BY ST_Area(ST_Intersection(z.geom, a.geom)::geography) DESC LIMIT 1) AS zone
FROM a;
EOF
bindir=$(_gm_pg_bindir)
"$bindir/pgbench" -n -c $CONN -j 2 -T $DUR -D napps=$M -f check.sql -r > pgbench.txt 2>&1 ||
  die "pgbench failed: $(tail -5 pgbench.txt)"
pg_tps=$(awk '/^tps = / {print $3}' pgbench.txt | tail -1)
pg_lat=$(awk '/^latency average = / {print $4}' pgbench.txt)

gm_pg_stop
trap - EXIT
run_gm 2
# the worse of the two runs
if [ "$(echo "$gm_rps_1 < $gm_rps_2" | bc)" = 1 ]; then gm_rps=$gm_rps_1; else gm_rps=$gm_rps_2; fi
ratio=$(echo "scale=2; $gm_rps / $pg_tps" | bc)
echo
echo "serve_bench: $N red lines x $V vertices, $M applications, $CONN connections, ${DUR} s each"
printf '  %-44s %12s %12s\n' "" "checks/s" "latency"
printf '  %-44s %12s %12s %16s\n' "greenmine serve (wrk, Lua body), before" "$gm_rps_1" "p99 $gm_p99_1" "cpu $gm_cpu_1 ms/check"
printf '  %-44s %12s %12s\n' "PostGIS, one query per application (pgbench)" "$pg_tps" "avg ${pg_lat} ms"
printf '  %-44s %12s %12s %16s\n' "greenmine serve, after" "$gm_rps_2" "p99 $gm_p99_2" "cpu $gm_cpu_2 ms/check"
printf '  %-44s %12s\n' "ratio greenmine (the worse run) / PostGIS" "$ratio"
echo "  server start (load, index): ${start_s_1} s before, ${start_s_2} s after; resident memory (the second run) ${rss_start} MB after start, peak ${rss_peak} MB"
echo "  non-2xx answers: $gm_bad ${gm_err}"
[ "$gm_bad" = 0 ] || die "greenmine answered $gm_bad requests with an error"
exit 0
