#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test
# with CTest; then the same suite built with AddressSanitizer and
# UndefinedBehaviorSanitizer, and a short pass of every fuzz target.
# Tests that need ../shared/fixtures report themselves skipped when it is
# absent. HERALD_SANITIZERS=0 skips the sanitizer and fuzz stages;
# HERALD_FUZZ_SECONDS sets the time per fuzz target (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure -j "${HERALD_JOBS:-2}" --timeout 600)
if [ "${HERALD_SANITIZERS:-1}" != 0 ]; then
  echo "== the suite under ASan + UBSan (build-asan/)"
  bash scripts/sanitize.sh asan
  echo "== fuzz targets, ${HERALD_FUZZ_SECONDS:-15} s each"
  bash scripts/fuzz.sh "${HERALD_FUZZ_SECONDS:-15}"
fi
