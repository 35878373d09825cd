#!/usr/bin/env bash
# Configures and builds Herald into ./build (the program is build/herald,
# benchmarks build/bench/*). Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${HERALD_BUILD_TYPE:-Release}" "$@" >/dev/null
cmake --build build -j "${HERALD_JOBS:-2}"
