#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs `herald serve`
# on the embedded default (RocksDB in ./herald-data, http://127.0.0.1:8080)
# with the demo workflows and data of examples/training loaded.
# Arguments go to `herald serve` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
# The demo of examples/training (seed 001): its config first, so that flags
# given here (even another --config) win.
exec ./build/herald serve --config examples/training/herald.json --load examples/training "$@"
