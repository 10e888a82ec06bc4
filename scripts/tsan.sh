#!/usr/bin/env bash
# The threaded code under ThreadSanitizer (GM_TSAN, docs/robustness.md):
# builds build-tsan/ with -fsanitize=thread and runs the thread pool's and
# the writer thread's unit tests, then `analyze` on the integration fixture
# (tests/integration/data: 25 mines, 12 red lines, overlapping and duplicate
# parcels, zones in a FileGDB; the demo data takes over 20 minutes under TSan
# on a shared 2-core machine) with 4 threads (the loader's workers, the checksum thread, the partition workers
# and the GeoPackage writer thread all at once). Any data race fails it.
# GDAL, GEOS and PROJ are not instrumented: tests/tsan.supp silences reports
# that lie wholly inside them (each entry says why).
# Usage: scripts/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
gm_ensure_packages "${GM_BUILD_PACKAGES[@]}" libcmocka-dev
# -Werror here too: some warnings (-Wmaybe-uninitialized, -Wformat-truncation,
# -Wstringop-overread) appear only in an optimised build, which the test build is not
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGM_TSAN=ON -DGM_WERROR=ON > /dev/null
cmake --build build-tsan -j "$(nproc)" --target test_pool test_output greenmine-cli > /dev/null
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp${TSAN_OPTIONS:+:$TSAN_OPTIONS}"
export GDAL_PAM_ENABLED=NO
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
run() {
  local what=$1; shift
  if "$@" > "$out/log" 2>&1; then echo "tsan $what: ok"
  else echo "tsan $what: FAILED"; grep -m5 -A12 'WARNING: ThreadSanitizer' "$out/log" || tail -20 "$out/log"; status=1; fi
}
run "pool" build-tsan/tests/test_pool
run "writer thread" build-tsan/tests/test_output
d=tests/integration/data
run "analyze --threads 4" build-tsan/greenmine analyze --quiet --threads 4 \
  --mines $d/mines.shp --redlines $d/redlines.gpkg --parcels $d/parcels.geojson \
  --zones $d/zones.gdb --allow-duplicate-ids -o "$out/run/greenmine.gpkg"
exit $status
