#!/usr/bin/env bash
# The engine against the PostGIS geography reference, end to end.
#
# Usage: tests/integration/run_postgis.sh GREENMINE [WORKDIR]
#   starts a private PostgreSQL + PostGIS cluster (postgis_env.sh: installs the Debian
#   packages when missing, 127.0.0.1, a free port, removed afterwards), runs
#   scripts/postgis_reference.sh on tests/integration/data, runs GREENMINE analyze on the
#   same data, and compares
#     1. the engine's GeoPackage with PostGIS            (1e-4 relative, compare_postgis.py)
#     2. expected.json (pyproj/GEOS) with PostGIS         (1e-6 relative, --json mode)
#   The last line is "N passed, M failed" over both; exit 1 if anything failed.
#   With GM_PG_OPTIONAL=1 a cluster that cannot be started exits 77 (ctest: skipped).
set -u
gm=${1:?usage: run_postgis.sh GREENMINE [WORKDIR]}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/gm-postgis.XXXXXX")}
rm -rf "$work" && mkdir -p "$work" || exit 1

# shellcheck source=tests/integration/postgis_env.sh
. "$here/postgis_env.sh"
if ! gm_pg_start; then
    echo "cannot start PostgreSQL + PostGIS"
    [ "${GM_PG_OPTIONAL:-0}" = 1 ] && exit 77
    echo "0 passed, 1 failed"
    exit 1
fi
trap gm_pg_stop EXIT

"$root/scripts/postgis_reference.sh" "$here/data" >"$work/postgis.json" ||
    { echo "postgis_reference.sh failed"; echo "0 passed, 1 failed"; exit 1; }
"$gm" analyze --mines "$here/data/mines.shp" --redlines "$here/data/redlines.gpkg" \
    --parcels "$here/data/parcels.geojson" --zones "$here/data/zones.gdb" --allow-duplicate-ids \
    -o "$work/out.gpkg" --quiet ||
    { echo "greenmine analyze failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0
run() {
    local out last
    out=$("$@")
    echo "$out" | sed '$d'
    last=$(echo "$out" | tail -n 1)
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        echo "$last"
        failed=$((failed + 1))
    fi
}
echo "== engine output vs PostGIS (1e-4 relative)"
run /usr/bin/python3 "$here/compare_postgis.py" "$work/out.gpkg" "$work/postgis.json"
echo "== expected.json vs PostGIS (1e-6 relative)"
run /usr/bin/python3 "$here/compare_postgis.py" --json "$here/expected.json" "$work/postgis.json"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
