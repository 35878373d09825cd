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
# Reports go to files (the presets' log_path): the herald servers the system
# tests start write theirs there too, where a test's own output can't show
# them. Any report fails the run, even from a test that passed.
reports="build-$preset/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
status=0
ctest --preset "$preset" -j "${HERALD_JOBS:-2}" || status=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports:"
  for f in "$reports"/*; do echo "== $f"; head -60 "$f"; done
  status=1
fi
exit $status
