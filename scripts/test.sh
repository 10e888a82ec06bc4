#!/usr/bin/env bash
# Every test: installs what is missing, builds with AddressSanitizer, UBSan and
# -Werror into build-test/, and runs the whole suite with ctest; then each
# fuzz target for GM_FUZZ_SECONDS (default 60, the targets side by side on
# every core; 0 skips), the threaded tests
# under ThreadSanitizer (GM_TSAN_RUN=0 skips) -- docs/robustness.md --, and the
# end-to-end demo and reference tests on the build users run (Release, linked
# with jemalloc, into build/ as scripts/demo.sh makes it; GM_RELEASE_RUN=0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
gm_ensure_packages "${GM_BUILD_PACKAGES[@]}" "${GM_TEST_PACKAGES[@]}" "${GM_FUZZ_PACKAGES[@]}"

cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DGM_SANITIZE=ON -DGM_WERROR=ON -DGM_TEST_HOOKS=ON > /dev/null
cmake --build build-test -j "$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export GDAL_PAM_ENABLED=NO
(cd build-test && ctest --output-on-failure -j "$(nproc)" "$@")
fuzz_seconds=${GM_FUZZ_SECONDS:-60}
[ "$fuzz_seconds" != 0 ] && scripts/fuzz.sh "$fuzz_seconds"
[ "${GM_TSAN_RUN:-1}" != 0 ] && scripts/tsan.sh
if [ "${GM_RELEASE_RUN:-1}" != 0 ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGM_TESTS=OFF > /dev/null
  cmake --build build -j "$(nproc)" --target greenmine-cli
  tests/cli/test_demo.sh "$PWD/build/greenmine" "$PWD/build/release-tests/demo"
  tests/cli/test_integration.sh "$PWD/build/greenmine" "$PWD/build/release-tests/integration" 1
  echo "release build: the demo and the reference tests pass"
fi
exit 0
