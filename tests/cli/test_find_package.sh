#!/usr/bin/env bash
# The library as another program uses it: installed, found with
# find_package(greenmine), the core linked alone (GEOS and PROJ, no GDAL) and
# the whole library linked.  test_find_package.sh BUILD_DIR WORK SANITIZE
set -euo pipefail
build=$1 work=$2 sanitize=${3:-OFF}
src=$(cd "$(dirname "$0")/../consumer" && pwd)
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$src" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DGM_SANITIZE="$sanitize" \
      > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
# the core-only program must not need GDAL at link time
if grep -q -i "gdal" "$work/build/CMakeFiles/core_only.dir/link.txt"; then
    echo "FAIL: the core links GDAL: $(cat "$work/build/CMakeFiles/core_only.dir/link.txt")"
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
"$work/build/core_only"
"$work/build/whole"
echo ok
