#!/usr/bin/env bash
# The real client: `greenmine demo`, then QGIS (PyQGIS, headless) loads every
# output and the project and renders it (check_qgis.py). Installs QGIS's
# Python bindings from apt when missing (python3-qgis qgis-providers, about
# 450 MB; 147 s measured on Debian 12 with warm package lists).
# The rendered map is kept as WORKDIR/greenmine.png.
# Usage: run_qgis.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
if ! /usr/bin/python3 -c "import qgis.core" 2> /dev/null; then
  source "$here/../../scripts/deps.sh"
  start=$(date +%s)
  gm_ensure_packages python3-qgis qgis-providers || { echo "FAIL: cannot install QGIS"; exit 1; }
  echo "installed QGIS in $(( $(date +%s) - start )) s"
fi
export GDAL_PAM_ENABLED=NO QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$work/xdg
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
if ! "$gm" demo -o "$work/out" --cell 90 --quiet 2> "$work/stderr.txt"; then
  echo "FAIL: demo failed: $(tail -3 "$work/stderr.txt")"; exit 1
fi
# ASan's runtime is not in the Python process: keep it out of QGIS's way.
env -u LD_PRELOAD /usr/bin/python3 "$here/check_qgis.py" "$work/out" "$work/greenmine.png"
