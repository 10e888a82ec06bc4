#!/usr/bin/env bash
# The main job on the embedded demo data: installs what is missing, builds
# greenmine (Release) into build/, runs `greenmine demo`, prints the summary
# and where the outputs are.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
gm_ensure_packages "${GM_BUILD_PACKAGES[@]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGM_TESTS=OFF > /dev/null
cmake --build build -j "$(nproc)" > /dev/null
out=${1:-out/demo}
build/greenmine demo -o "$out"
echo
echo "Outputs in $out/: greenmine.gpkg, restoration_coverage.tif, redline_conflict.tif and"
echo "greenmine.qgs -- open $out/greenmine.qgs in QGIS for the styled map."
