#!/usr/bin/env bash
# Load and backpressure for longer than CI's 10 s: ingest above what the
# (fake, rate-limited) provider takes, then measure the drain.
#   bash scripts/soak.sh [SECONDS]   (default 300)
# Prints accepted events, 503 answers, peak RSS and drain time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tests/system_tests ] || bash scripts/build.sh
HERALD_SOAK_SECONDS="${1:-300}" build/tests/system_tests --warn NoTests "[soak]" | grep -v "^$"
