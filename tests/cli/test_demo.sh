#!/usr/bin/env bash
# The demo end to end: `greenmine demo` writes a GeoPackage that passes GDAL's
# validate_gpkg.py, has the contract's layers and fields with spatial indexes,
# prints the summary, and gives the same figures with 1 and 2 threads.
# Usage: test_demo.sh GREENMINE WORKDIR
set -u
gm=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" || exit 1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
validator=/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py

# 120 m cells: the rasters are tested in test_outputs.sh; here they only exist.
if "$gm" demo -o "$work/t1" --threads 1 --cell 120 > "$work/summary.txt" 2> "$work/stderr.txt"; then ok
else bad "demo failed: $(tail -3 "$work/stderr.txt")"; fi
out=$work/t1/greenmine.gpkg
[ -s "$out" ] && ok || bad "no $out"
ls -a "$work/t1" | grep -q tmp && bad "temporary file left in $work/t1" || ok
for f in greenmine.qgs restoration_coverage.tif redline_conflict.tif; do
  [ -s "$work/t1/$f" ] && ok || bad "demo wrote no $f"
done

for line in "restoration of legacy mine land" "land reclamation" "large + medium mines" \
            "mines in red-line conflict" "郴州市" "衡南县" "Output: $out"; do
  grep -qF "$line" "$work/summary.txt" && ok || bad "summary lacks '$line'"
done

if /usr/bin/python3 "$validator" "$out" > "$work/validate.txt" 2>&1; then ok
else bad "validate_gpkg.py: $(cat "$work/validate.txt")"; fi

if /usr/bin/python3 "$here/check_contract.py" "$out" > "$work/contract.txt" 2>&1; then ok
else bad "contract: $(cat "$work/contract.txt")"; fi

# Threads change nothing: identical attribute values, and the same warnings
# about the inputs in the same order (with 2 threads the layers are read side
# by side and their warnings said afterwards).
"$gm" demo -o "$work/t2" --threads 2 --no-rasters > /dev/null 2> "$work/stderr2.txt" ||
  bad "demo --threads 2 failed"
inputs() { grep -F '(layer ' "$1"; }
[ "$(inputs "$work/stderr.txt" | wc -l)" -gt 5 ] && ok || bad "the demo's input warnings are missing"
if diff <(inputs "$work/stderr.txt") <(inputs "$work/stderr2.txt") > "$work/warnings.diff"; then ok
else bad "warnings differ between 1 and 2 threads: $(head -4 "$work/warnings.diff")"; fi
# The contract's layers only: layer_styles holds the time it was written.
dump() { ogrinfo -ro -q -nomd -geom=NO "$1" mine_conflicts conflict_areas zone_progress \
           restored_areas province_indicators | grep -v -E '^(INFO|Layer name)' ; }
if diff <(dump "$out") <(dump "$work/t2/greenmine.gpkg") > "$work/threads.diff"; then ok
else bad "threads 1 vs 2 differ: $(head -5 "$work/threads.diff")"; fi

echo "cli_demo: $pass passed, $fail failed"
[ $fail -eq 0 ]
