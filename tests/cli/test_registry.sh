#!/usr/bin/env bash
# The registry in SpatiaLite end to end: three yearly ingests of the fixture
# (tests/registry/fixture.py: parcels added, changed, duplicated, dropped),
# progress against figures computed by hand, refusal to rewrite a snapshot, a
# kill during ingest, two writers at once, the spatialite shell, and the HTML
# report in headless Chromium (screenshot kept in WORKDIR/report.png).
# Usage: test_registry.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")/../registry" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
export GDAL_PAM_ENABLED=NO
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
q() { spatialite -silent r.sqlite "$1" 2>/dev/null; }

/usr/bin/python3 "$here/fixture.py" make . || exit 1
"$gm" ingest -q --db r.sqlite --as-of 2018-12-31 --parcels parcels_2018.gpkg --zones zones.gpkg \
  --mines mines.gpkg --redlines redlines.gpkg || fail "ingest 2018"
"$gm" ingest --db r.sqlite --as-of 2019-12-31 --parcels parcels_2019.gpkg > ingest2019.txt ||
  fail "ingest 2019"
"$gm" ingest -q --db r.sqlite --as-of 2020-12-31 --parcels parcels_2020.gpkg \
  --mines mines_2020.gpkg || fail "ingest 2020"

# what ingest said about 2019: P1 duplicated, P3 grown, P4 now completed, P7 + P8 new
grep -Eq '^  new +2$' ingest2019.txt || fail "2019: 2 new parcels"
grep -Eq '^  duplicate +1$' ingest2019.txt || fail "2019: 1 duplicate"
grep -Eq '^  geometry +1$' ingest2019.txt || fail "2019: 1 geometry change"
grep -q 'geometry    P3: 17.3427 ha -> 26.0140 ha' ingest2019.txt || fail "2019: P3's change reported"
grep -Eq '^  attributes +1$' ingest2019.txt || fail "2019: 1 attribute change"
[ "$(q "SELECT count(*) FROM parcel")" = 9 ] || fail "9 tracked parcels (ids), not one per version"
[ "$(q "SELECT snapshots FROM parcel_history WHERE parcel_id = 'P1'")" = 3 ] ||
  fail "P1 tracked over 3 snapshots"
[ "$(q "SELECT change FROM parcel_version v JOIN snapshot s USING (snapshot_id) WHERE parcel_id = 'P5' ORDER BY as_of DESC LIMIT 1")" = unchanged ] ||
  fail "P5 unchanged in 2019"
[ "$(q "SELECT count(*) FROM source WHERE length(sha256) = 64 AND file_name LIKE 'parcels_20%.gpkg'")" = 3 ] ||
  fail "each snapshot records its parcels file and SHA-256"
want=$(sha256sum parcels_2019.gpkg | cut -d' ' -f1)
[ "$(q "SELECT sha256 FROM source JOIN snapshot USING (snapshot_id) WHERE as_of = '2019-12-31' AND layer = 'parcels'")" = "$want" ] ||
  fail "the recorded checksum is sha256sum's"

# progress against the hand computation
"$gm" progress --db r.sqlite --json > progress.json || fail "progress --json"
/usr/bin/python3 "$here/fixture.py" check progress.json || fail "progress figures"
"$gm" progress --db r.sqlite --csv > progress.csv || fail "progress --csv"
head -1 progress.csv | grep -q '^as_of,snapshot_id,zone,zone_id,restoration_done_ha,reclamation_done_ha,restoration_increment_ha,reclamation_increment_ha' ||
  fail "csv header"
[ "$(wc -l < progress.csv)" = 10 ] || fail "csv: 9 rows (3 snapshots x province + 2 zones)"
"$gm" progress --db r.sqlite --zone 浏阳市 --json > zone.json || fail "progress --zone"
/usr/bin/python3 -c "
import json,sys; s=json.load(open('zone.json'))['series']
sys.exit(0 if len(s)==3 and all(r['zone']=='浏阳市' for r in s) else 1)" || fail "--zone: that zone only"
"$gm" progress --db r.sqlite > progress.txt || fail "progress table"
"$gm" progress --db r.sqlite --zone 无此区 2> err.txt; [ $? = 2 ] || fail "unknown zone: exit 2"
"$gm" progress --db missing.sqlite 2> err.txt; [ $? = 2 ] && [ ! -e missing.sqlite ] ||
  fail "missing registry: exit 2, nothing created"

# snapshots are never rewritten: same or earlier date refused, nothing changes
before=$(q "SELECT count(*) FROM parcel_version")
"$gm" ingest -q --db r.sqlite --as-of 2019-12-31 --parcels parcels_2020.gpkg 2> err.txt
[ $? = 2 ] || fail "re-ingest of 2019: exit 2"
grep -q 'not after the latest snapshot' err.txt || fail "re-ingest: says why"
[ "$(q "SELECT count(*) FROM parcel_version")" = "$before" ] || fail "re-ingest left rows behind"
q "UPDATE snapshot SET as_of = '2017-01-01'" ; [ "$(q "SELECT min(as_of) FROM snapshot")" = 2018-12-31 ] ||
  fail "the append-only trigger lets a snapshot be rewritten"

# a kill in the middle of an ingest leaves the registry as it was
cp r.sqlite killed.sqlite
GREENMINE_TEST_KILL_AFTER=3 "$gm" ingest -q --db killed.sqlite --as-of 2021-12-31 \
  --parcels parcels_2020.gpkg 2> /dev/null
rc=$?
[ $rc = 137 ] || fail "the kill hook did not kill the ingest (exit $rc)"
[ "$(spatialite -silent killed.sqlite "SELECT count(*) FROM snapshot")" = 3 ] ||
  fail "killed ingest: a 4th snapshot survived"
[ "$(spatialite -silent killed.sqlite "SELECT count(*) FROM parcel_version")" = "$before" ] ||
  fail "killed ingest: partial parcel rows survived"
[ "$(spatialite -silent killed.sqlite "PRAGMA integrity_check")" = ok ] || fail "killed: integrity"
"$gm" ingest -q --db killed.sqlite --as-of 2021-12-31 --parcels parcels_2020.gpkg ||
  fail "ingest after a kill"

# two writers: one waits for the other, or fails clearly after its timeout
# (the lock is held until the first writer has given up, however slow the
# machine, then for two seconds more while the second one waits)
/usr/bin/python3 -c "
import os,sqlite3,time; c=sqlite3.connect('r.sqlite', isolation_level=None)
c.execute('BEGIN IMMEDIATE'); open('locked','w').close()
while not os.path.exists('release'): time.sleep(0.05)
time.sleep(2); c.execute('ROLLBACK')" &
holder=$!
while [ ! -e locked ]; do sleep 0.1; done
"$gm" ingest -q --db r.sqlite --as-of 2021-06-30 --parcels parcels_2020.gpkg --busy-timeout 1 2> err.txt
rc=$?
touch release
[ $rc = 1 ] || fail "locked registry: exit 1"
grep -q 'locked by another writer' err.txt || fail "locked registry: says so ($(cat err.txt))"
"$gm" ingest -q --db r.sqlite --as-of 2021-06-30 --parcels parcels_2020.gpkg --busy-timeout 30 ||
  fail "a writer that waits gets in after the other"
wait $holder
[ "$(q "SELECT count(*) FROM snapshot")" = 4 ] || fail "4 snapshots after the waiting writer"

# open in the spatialite shell: metadata, spatial indexes, geometry views
[ "$(q "SELECT count(*) FROM geometry_columns WHERE srid = 4490 AND spatial_index_enabled = 1")" = 4 ] ||
  fail "4 geometry tables with spatial indexes"
[ "$(q "SELECT CheckSpatialIndex('parcel_version', 'geom')")" = 1 ] || fail "parcel R-tree valid"
[ "$(q "SELECT count(*) FROM views_geometry_columns")" = 2 ] || fail "geometry views registered"
[ "$(q "SELECT count(*) FROM parcel_current")" -gt 0 ] || fail "parcel_current"
# every migration applied, none skipped (3 and up: the management records, docs/management.md)
[ "$(q "SELECT max(version) = count(*) AND max(version) >= 3 FROM schema_version")" = 1 ] ||
  fail "schema versions 1..N, N >= 3"
ogrinfo -ro -q r.sqlite parcel_current > /dev/null 2>&1 || fail "OGR reads the parcel_current view"

# the report, rendered by Chromium: figures equal the registry's
"$gm" progress --db killed.sqlite --json > p4.json
"$gm" report -q --db r.sqlite -o report.html || fail "report"
"$gm" report -q --db r.sqlite -o zone.html --zone 浏阳市 || fail "zone report"
"$gm" progress --db r.sqlite --json > progress_now.json
chrome=$(command -v chromium || command -v chromium-browser)
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
  --disable-component-update --disable-sync --user-data-dir=$work/chrome"
if [ -z "$chrome" ]; then
  fail "chromium is not installed (scripts/deps.sh)"
else
  timeout 120 "$chrome" $flags --dump-dom "file://$work/report.html" > dom.html 2> chrome.log ||
    fail "chromium --dump-dom"
  /usr/bin/python3 "$here/check_report.py" dom.html progress_now.json || fail "report figures"
  timeout 120 "$chrome" $flags --dump-dom "file://$work/zone.html" > zone_dom.html 2>> chrome.log
  /usr/bin/python3 "$here/check_report.py" zone_dom.html progress_now.json 浏阳市 ||
    fail "zone report figures"
  timeout 120 "$chrome" $flags --window-size=900,2600 --screenshot="$work/report.png" \
    "file://$work/report.html" >> chrome.log 2>&1 || fail "chromium --screenshot"
  [ -s report.png ] || fail "no screenshot"
  timeout 120 "$chrome" $flags --no-pdf-header-footer --print-to-pdf="$work/report.pdf" \
    "file://$work/report.html" >> chrome.log 2>&1 || fail "chromium --print-to-pdf"
  [ -s report.pdf ] || fail "no PDF"
fi
grep -Eq '(src|href)="(https?:)?//' report.html && fail "report refers to the network"

echo "registry (SpatiaLite): $fails failed"
[ $fails = 0 ]
