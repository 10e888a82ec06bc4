#!/usr/bin/env bash
# Fuzzes greenmine's parsers, geometry kernels and serve's request handling
# with libFuzzer (tests/fuzz/, docs/robustness.md). Builds build-fuzz/ with
# clang-14 (-fsanitize=fuzzer,address,undefined), first replays every saved
# finding (tests/fuzz/findings/TARGET-*), then runs each target for SECONDS
# (default 60), starting from the seeds in tests/fuzz/corpus/NAME plus what
# earlier runs found (build-fuzz/corpus/NAME). The targets run side by side,
# as many at a time as the machine has cores (GM_FUZZ_PARALLEL), so 60 s
# each costs about 60 s x targets / cores. A crash, leak, UB or broken
# invariant stops that target, leaves the input in build-fuzz/artifacts/ and
# makes the script exit 1: turn it into a regression test (docs/robustness.md,
# "Findings": copy it to tests/fuzz/findings/TARGET-WHAT).
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   scripts/fuzz.sh                  # every target, 60 s each, in parallel (CI)
#   scripts/fuzz.sh 14400 corners    # four hours on the corner-point parser
#   scripts/fuzz.sh 28800            # the long run: 8 hours, every target at once
#   GM_FUZZ_JOBS=2 scripts/fuzz.sh 3600   # two workers per target
#   GM_FUZZ_PARALLEL=1 scripts/fuzz.sh    # one target at a time
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(corners applications fields coverage area text serve cog)
jobs=${GM_FUZZ_JOBS:-1}
parallel=()
# several workers: libFuzzer writes their logs to fuzz-N.log in the working directory
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
# targets at a time: the cores, shared by each target's workers
slots=${GM_FUZZ_PARALLEL:-$(($(nproc) / jobs))}
[ "$slots" -lt 1 ] && slots=1

source scripts/deps.sh
gm_ensure_packages "${GM_BUILD_PACKAGES[@]}" "${GM_FUZZ_PACKAGES[@]}"
CC=clang-14 cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGM_FUZZ=ON \
  -DGM_TESTS=OFF > /dev/null
cmake --build build-fuzz -j "$(nproc)" > /dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# a leak inside GEOS itself, of objects it never hands over (tests/lsan.supp)
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export GDAL_PAM_ENABLED=NO CPL_DEBUG=OFF
mkdir -p build-fuzz/artifacts
status=0
# Every saved finding first: each must now pass (a regression fails here, fast)
for t in "${targets[@]}"; do
  found=(tests/fuzz/findings/"$t"-*)
  [ -e "${found[0]}" ] || continue
  if build-fuzz/tests/fuzz/fuzz_"$t" "${found[@]}" > "build-fuzz/findings_$t.log" 2>&1; then
    echo "fuzz $t: ${#found[@]} saved finding(s) pass"
  else
    echo "fuzz $t: a saved finding fails again: see build-fuzz/findings_$t.log"
    grep -m3 -E '==ERROR|ERROR: libFuzzer|SUMMARY|runtime error|^fuzz_' "build-fuzz/findings_$t.log" || true
    status=1
  fi
done

# One target: its log and a one-line verdict in build-fuzz/fuzz_NAME.{log,result}.
fuzz_one() {
  local t=$1 log=build-fuzz/fuzz_$1.log res=build-fuzz/fuzz_$1.result
  mkdir -p "build-fuzz/corpus/$t"
  # new inputs go to the build's corpus; the seeds in the tree are only read.
  # Each target runs in its own folder, where libFuzzer's workers write
  # their fuzz-N.log files (they would collide between targets).
  local b=$PWD/build-fuzz
  mkdir -p "$b/work/$t"
  if (cd "$b/work/$t" && "$b/tests/fuzz/fuzz_$t" "$b/corpus/$t" "$b/../tests/fuzz/corpus/$t" \
      -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -max_len=16384 \
      ${parallel[@]+"${parallel[@]}"} -print_final_stats=1 \
      -artifact_prefix="$b/artifacts/${t}-") > "$log" 2>&1; then
    printf 'fuzz %-13s %5ss ... ok (%s runs)\n' "$t" "$seconds" \
      "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{s+=$2} END {print s+0}')" > "$res"
  else
    { printf 'fuzz %-13s %5ss ... FAILED: see %s and build-fuzz/artifacts/%s-*\n' "$t" "$seconds" "$log" "$t"
      grep -m3 -E '==ERROR|ERROR: libFuzzer|SUMMARY|runtime error|^fuzz_' "$log" || tail -5 "$log"; } > "$res"
    return 1
  fi
}

echo "fuzz: ${#targets[@]} target(s), ${seconds} s each, $slots at a time"
rm -f build-fuzz/fuzz_*.result
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$slots" ]; do wait -n || true; done
  fuzz_one "$t" &
done
wait || true
for t in "${targets[@]}"; do
  cat "build-fuzz/fuzz_$t.result" 2>/dev/null || { echo "fuzz $t: no result"; status=1; }
  grep -q '\.\.\. ok' "build-fuzz/fuzz_$t.result" 2>/dev/null || status=1
done
exit $status
