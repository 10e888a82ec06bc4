#!/usr/bin/env bash
# Bad input on the command line: one clear line on stderr naming the file,
# layer, field or feature; exit code 2; no output file, and an existing output
# left untouched. Usage: test_errors.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

square() { # lon lat -> a small GeoJSON polygon ring
  echo "[[[$1,$2],[$(awk "BEGIN{print $1+0.01}"),$2],[$(awk "BEGIN{print $1+0.01}"),$(awk "BEGIN{print $2+0.01}")],[$1,$(awk "BEGIN{print $2+0.01}")],[$1,$2]]]"
}
fc() { # name props geometry-json -> FeatureCollection in EPSG:4490
  printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[{"type":"Feature","properties":%s,"geometry":%s}]}\n' "$1" "$2"
}
fc '{"mine_id":"C1","scale":"大型"}' "{\"type\":\"Polygon\",\"coordinates\":$(square 112 28)}" > mines.geojson
fc '{"redline_id":"R1","name":"甲","category":"nature_reserve"}' "{\"type\":\"Polygon\",\"coordinates\":$(square 112.005 28)}" > redlines.geojson
fc '{"parcel_id":"P1","kind":"restoration","status":"completed","completed_on":"2018-01-01","legacy":"1"}' "{\"type\":\"Polygon\",\"coordinates\":$(square 112.2 28)}" > parcels.geojson
fc '{"zone_id":"Z1","name":"浏阳市"}' "{\"type\":\"Polygon\",\"coordinates\":$(square 111.9 27.9 | sed 's/0.01/0.5/g')}" > zones.geojson
fc '{"mine_id":"C1","scale":"大型"}' '{"type":"Point","coordinates":[112,28]}' > points.geojson
fc '{"mine_id":"C1"}' "{\"type\":\"Polygon\",\"coordinates\":$(square 112 28)}" > noscale.geojson
echo "not a geopackage" > broken.gpkg
ogr2ogr -f "ESRI Shapefile" noprj.shp mines.geojson -lco ENCODING=UTF-8 && rm -f noprj.prj
ogr2ogr -f "ESRI Shapefile" localcs.shp mines.geojson -lco ENCODING=UTF-8
echo 'LOCAL_CS["mine grid",UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]' > localcs.prj

good=(--mines mines.geojson --redlines redlines.geojson --parcels parcels.geojson --zones zones.geojson)

# A good run works, so the failures below are the inputs' fault.
if "$gm" analyze "${good[@]}" -o good/out.gpkg --quiet > stdout.txt 2> stderr.txt && [ -s good/out.gpkg ] \
   && [ ! -s stdout.txt ]; then ok; else bad "good run failed or --quiet printed: $(cat stderr.txt)"; fi

# --from and --as-of reach the right ends of the period (P1 is dated 2018-01-01)
"$gm" analyze "${good[@]}" -o period/out.gpkg --from 2018-01-02 --as-of 2019-06-30 > period.txt 2>&1
if grep -q "period 2018-01-02 .. 2019-06-30" period.txt \
   && [ "$(ogrinfo -ro -q period/out.gpkg -sql "SELECT value FROM province_indicators WHERE indicator='restoration_done_ha'" | grep -o 'value (Real) = .*')" = "value (Real) = 0" ] \
   && [ "$(ogrinfo -ro -q period/out.gpkg -sql "SELECT value FROM province_indicators WHERE indicator='period_start'" | grep -o 'value (Real) = .*')" = "value (Real) = 20180102" ]
then ok; else bad "--from/--as-of: $(cat period.txt)"; fi

# A failure in the middle of writing leaves an existing output as it was, and no temporary file
cp good/out.gpkg before.gpkg
( trap '' XFSZ; ulimit -f 64; "$gm" analyze "${good[@]}" -o good/out.gpkg --quiet ) 2> xfsz.txt
rc=$?
if [ $rc -eq 1 ] && cmp -s good/out.gpkg before.gpkg && ! ls -a good | grep -q tmp; then ok
else bad "mid-write failure: exit $rc, output $(cmp -s good/out.gpkg before.gpkg && echo kept || echo changed): $(cat xfsz.txt)"; fi
# the same when the GeoPackage is written on its own thread during the analysis
cp good/out.gpkg before.gpkg
( trap '' XFSZ; ulimit -f 64; "$gm" analyze "${good[@]}" -o good/out.gpkg --quiet --threads 2 ) 2> xfsz.txt
rc=$?
if [ $rc -eq 1 ] && cmp -s good/out.gpkg before.gpkg && ! ls -a good | grep -q tmp; then ok
else bad "mid-write failure, 2 threads (written while the analysis runs): exit $rc, output $(cmp -s good/out.gpkg before.gpkg && echo kept || echo changed): $(cat xfsz.txt)"; fi

echo "previous result" > keep.gpkg
expect() { # description, needle, args...
  local what=$1 needle=$2; shift 2
  "$gm" analyze "$@" -o keep.gpkg > stdout.txt 2> stderr.txt
  local rc=$?
  local lines; lines=$(grep -c . stderr.txt)
  if [ $rc -ne 2 ]; then bad "$what: exit $rc, expected 2 ($(cat stderr.txt))"
  elif ! grep -q -- "$needle" stderr.txt; then bad "$what: stderr lacks '$needle': $(cat stderr.txt)"
  elif [ "$lines" -ne 1 ]; then bad "$what: $lines lines on stderr, expected 1: $(cat stderr.txt)"
  elif [ "$(cat keep.gpkg)" != "previous result" ]; then bad "$what: the existing output was touched"
  elif ls .keep.gpkg.* 2>/dev/null | grep -q .; then bad "$what: a temporary file was left behind"
  else ok; fi
}
m=(--redlines redlines.geojson --parcels parcels.geojson --zones zones.geojson)
expect "missing file" "missing.shp: no such file" --mines missing.shp "${m[@]}"
expect "points for polygons" "points.geojson (layer points): holds points" --mines points.geojson "${m[@]}"
expect "missing field" "required field 'scale'" --mines noscale.geojson "${m[@]}"
expect "unreadable dataset" "broken.gpkg" --mines broken.gpkg "${m[@]}"
expect "no such layer" "no layer named 'nolayer'" --mines mines.geojson:nolayer "${m[@]}"
expect "no CRS" "noprj.shp (layer noprj): no CRS" --mines noprj.shp "${m[@]}"
expect "unknown CRS" "PROJ cannot transform" --mines localcs.shp "${m[@]}"
expect "bad date" "--as-of 2020-13-01" "${good[@]}" --as-of 2020-13-01
expect "bad field mapping" "mines.colour" "${good[@]}" --field mines.colour=X
expect "missing option" "--zones is required" --mines mines.geojson --redlines redlines.geojson --parcels parcels.geojson

# --help on every command
for c in "" analyze demo; do
  if "$gm" $c --help > help.txt 2>&1 && grep -q "Usage: greenmine" help.txt; then ok; else bad "greenmine $c --help"; fi
done
"$gm" analyze --help | grep -q -- "--threads" && ok || bad "analyze --help lacks --threads"

echo "cli_errors: $pass passed, $fail failed"
[ $fail -eq 0 ]
