#!/usr/bin/env bash
# The draw on a PostgreSQL + PostGIS registry: tests/cli/test_draw.py with --pg
# (the same fixture, records, reference comparisons, rules, tampering and the
# public record as on SpatiaLite), on a private cluster
# (tests/integration/postgis_env.sh); then the same draw on both backends must
# give the same lists and picks.
# Usage: test_draw_pg.sh GREENMINE WORKDIR   (exit 77 = skipped, GM_PG_OPTIONAL=1)
set -u
gm=$1
work=$2
root=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
export GDAL_PAM_ENABLED=NO
. "$root/integration/postgis_env.sh"
if ! gm_pg_start; then
  [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
  echo "cannot start PostgreSQL + PostGIS"; exit 1
fi
trap gm_pg_stop EXIT
createdb draws || exit 1
/usr/bin/python3 "$root/cli/test_draw.py" "$gm" "$work/pg" --pg draws || exit 1
/usr/bin/python3 "$root/cli/test_draw.py" "$gm" "$work/lite" || exit 1
# same registry contents, same seed: the same published lists and picks
fails=0
for f in share count floor floor3 filter county seed0 seed5; do
  cmp -s "$work/pg/$f.mines.csv" "$work/lite/$f.mines.csv" || { echo "FAIL: $f.mines.csv differs"; fails=1; }
  cmp -s "$work/pg/$f.inspectors.csv" "$work/lite/$f.inspectors.csv" ||
    { echo "FAIL: $f.inspectors.csv differs"; fails=1; }
  # the record without drawn_at
  diff <(grep -v '^"drawn_at"' "$work/pg/$f.csv") <(grep -v '^"drawn_at"' "$work/lite/$f.csv") ||
    { echo "FAIL: $f.csv differs between PostGIS and SpatiaLite"; fails=1; }
done
[ "$fails" = 0 ] && echo "PostGIS and SpatiaLite draws agree"
exit "$fails"
