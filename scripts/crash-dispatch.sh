#!/usr/bin/env bash
# Crash consistency of dispatch, many times over: `herald serve` sends email
# through a fake SendGrid and is SIGKILLed at random points; after each
# restart nothing acknowledged is lost and nothing is sent twice.
#   bash scripts/crash-dispatch.sh [KILLS]   (default 50; CI runs 3)
# Prints the counts (attempts sent, unknown, provider calls, doubles).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/tests/system_tests ] || bash scripts/build.sh
# --warn NoTests: a renamed test fails the script instead of running nothing.
HERALD_CRASH_ITERATIONS="${1:-50}" build/tests/system_tests --warn NoTests "[kill-loop]" | grep -v "^$"
