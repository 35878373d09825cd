#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `herald serve`
# on the embedded default (RocksDB in ./herald-data, http://127.0.0.1:8080).
# Arguments go to `herald serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
exec ./build/herald serve "$@"
