#!/usr/bin/env bash
# Fuzzes greenmine's parsers and geometry kernels with libFuzzer
# (tests/fuzz/, docs/robustness.md). Builds build-fuzz/ with clang-14
# (-fsanitize=fuzzer,address,undefined) and runs each target for SECONDS
# (default 60) on 1 worker, starting from the seeds in tests/fuzz/corpus/NAME
# plus what earlier runs found (build-fuzz/corpus/NAME). A crash, leak, UB or
# broken invariant stops that target, leaves the input in
# build-fuzz/artifacts/ and makes the script exit 1: turn it into a
# regression test (docs/robustness.md, "Findings").
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh               # every target, 60 s each (CI)
#   scripts/fuzz.sh 14400 corners # four hours on the corner-point parser
#   GM_FUZZ_JOBS=2 scripts/fuzz.sh 3600   # two workers per target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(corners applications fields coverage area text)
jobs=${GM_FUZZ_JOBS:-1}
parallel=()
# several workers: libFuzzer writes their logs to fuzz-N.log in the working directory
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")

source scripts/deps.sh
gm_ensure_packages "${GM_BUILD_PACKAGES[@]}" "${GM_FUZZ_PACKAGES[@]}"
CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGM_FUZZ=ON \
  -DGM_TESTS=OFF > /dev/null
cmake --build build-fuzz -j "$(nproc)" > /dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export GDAL_PAM_ENABLED=NO CPL_DEBUG=OFF
mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t
  mkdir -p "$corpus"
  log=build-fuzz/fuzz_$t.log
  printf 'fuzz %-13s %5ss ... ' "$t" "$seconds"
  # new inputs go to the build's corpus; the seeds in the tree are only read
  # (run inside build-fuzz/, where libFuzzer's own fuzz-N.log files then land)
  if (cd build-fuzz && tests/fuzz/fuzz_"$t" "corpus/$t" "../tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=16384 \
      ${parallel[@]+"${parallel[@]}"} -print_final_stats=1 \
      -artifact_prefix="artifacts/${t}-") > "$log" 2>&1; then
    echo "ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s+=$2} END {print s+0}') runs)"
  else
    echo "FAILED: see $log and build-fuzz/artifacts/${t}-*"
    grep -m3 -E 'ERROR|SUMMARY|runtime error' "$log" || tail -5 "$log"
    status=1
  fi
done
exit $status
