#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test
# with CTest. Tests that need ../shared/fixtures report themselves skipped
# when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "${HERALD_JOBS:-2}" --timeout 600
