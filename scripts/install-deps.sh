#!/usr/bin/env bash
# Installs the Debian packages Herald needs to build, run and test, if any
# are missing. Idempotent and quiet when everything is already there.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache
  libcaf-dev librocksdb-dev libboost-json1.81-dev libboost1.81-dev
  libcurl4-openssl-dev libssl-dev catch2 libcli11-dev
  libhowardhinnant-date-dev libjemalloc-dev tzdata curl ca-certificates
  python3-aiosmtpd libhpdf-dev libzip-dev unzip chromium
  clang libclang-rt-14-dev
)
# Node for the browser test: Debian's, unless a node is already on the PATH.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core (pinned in tests/browser/package-lock.json) drives chromium;
# it downloads no browser of its own.
browser_dir="$(dirname "$0")/../tests/browser"
if [ ! -d "$browser_dir/node_modules/playwright-core" ]; then
  echo "installing the browser test's npm packages"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
