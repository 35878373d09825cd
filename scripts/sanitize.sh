#!/usr/bin/env bash
# Builds Herald with sanitizers (clang) and runs the test suite under them.
#   bash scripts/sanitize.sh          ASan + UBSan, the whole suite (build-asan/)
#   bash scripts/sanitize.sh tsan     ThreadSanitizer, the actor and store tests (build-tsan/)
# The system tests start build-*/herald, so the server runs sanitized too.
# Any report fails the run (halt_on_error / abort_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-asan}"
case "$preset" in
  asan|tsan) ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan]" >&2; exit 2 ;;
esac
if [ ! -f "build-$preset/build.ninja" ]; then
  cmake --preset "$preset" >/dev/null
fi
cmake --build "build-$preset" -j "${HERALD_JOBS:-2}"
ctest --preset "$preset" -j "${HERALD_JOBS:-2}"
