#!/usr/bin/env bash
# `greenmine report --gpkg`: the report of one analyze run (the demo, no
# rasters), rendered by headless Chromium, its figures compared with the
# GeoPackage's layers (tests/registry/check_report_gpkg.py); the checker shown
# to fail on a changed figure; bad input refused with exit 2. Screenshot kept
# in WORKDIR/report_gpkg.png.
# Usage: test_report_gpkg.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")/../registry" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
export GDAL_PAM_ENABLED=NO
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$gm" demo -q -o demo --no-rasters || exit 1
"$gm" report --gpkg demo/greenmine.gpkg -o report.html > report.txt || fail "report --gpkg"
grep -q 'as of 2020-12-31, one analysis run' report.txt || fail "report --gpkg says what it did"
"$gm" report -q --gpkg demo/greenmine.gpkg -o zone.html --zone 浏阳市 || fail "zone report"

# bad input: exit 2, one line naming the problem
expect2() { # what, then the command
  local what=$1; shift
  "$@" > /dev/null 2> err.txt; local rc=$?
  [ $rc = 2 ] || fail "$what: exit $rc, not 2"
  grep -q '^greenmine: error: ' err.txt || fail "$what: no error line"
}
expect2 "--db and --gpkg" "$gm" report --db x.sqlite --gpkg demo/greenmine.gpkg
expect2 "--from with --gpkg" "$gm" report --gpkg demo/greenmine.gpkg --from 2017-01-01
expect2 "missing file" "$gm" report --gpkg nothing.gpkg
expect2 "not a GeoPackage" "$gm" report --gpkg report.txt -o x.html
expect2 "unknown zone" "$gm" report --gpkg demo/greenmine.gpkg -o x.html --zone 不存在
grep -q "no zone named '不存在'" err.txt || fail "unknown zone named"
ogr2ogr -f GPKG partial.gpkg demo/greenmine.gpkg province_indicators mine_conflicts 2> /dev/null
expect2 "layer missing" "$gm" report --gpkg partial.gpkg -o x.html
grep -q 'no layer zone_progress' err.txt || fail "missing layer named"
[ -e x.html ] && fail "a report written from bad input"

chrome=$(command -v chromium || command -v chromium-browser)
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
  --disable-component-update --disable-sync --user-data-dir=$work/chrome"
if [ -z "$chrome" ]; then
  fail "chromium is not installed (scripts/deps.sh)"
else
  timeout 120 "$chrome" $flags --dump-dom "file://$work/report.html" > dom.html 2> chrome.log ||
    fail "chromium --dump-dom"
  /usr/bin/python3 "$here/check_report_gpkg.py" dom.html demo/greenmine.gpkg ||
    fail "report figures"
  timeout 120 "$chrome" $flags --dump-dom "file://$work/zone.html" > zone_dom.html 2>> chrome.log
  /usr/bin/python3 "$here/check_report_gpkg.py" zone_dom.html demo/greenmine.gpkg 浏阳市 ||
    fail "zone report figures"
  # the checker can fail: one headline figure changed by 0.01 ha
  sed -E 's/(data-figure="restoration_done_ha" data-value=")([0-9]+)\./\1\2.01/' dom.html \
    > bad_dom.html
  cmp -s dom.html bad_dom.html && fail "the mutation changed nothing"
  /usr/bin/python3 "$here/check_report_gpkg.py" bad_dom.html demo/greenmine.gpkg > bad.txt &&
    fail "the checker accepts a changed figure"
  # and a missed target drawn without its pace line
  sed -E 's/<line class="projection"[^>]*>//' dom.html > bad_dom2.html
  /usr/bin/python3 "$here/check_report_gpkg.py" bad_dom2.html demo/greenmine.gpkg > bad2.txt &&
    fail "the checker accepts a missed target without its pace line"
  timeout 120 "$chrome" $flags --window-size=900,2600 --screenshot="$work/report_gpkg.png" \
    "file://$work/report.html" >> chrome.log 2>&1 || fail "chromium --screenshot"
  [ -s report_gpkg.png ] || fail "no screenshot"
fi
grep -Eq '(src|href)="(https?:)?//' report.html && fail "report refers to the network"

echo "report --gpkg: $fails failed"
[ $fails = 0 ]
