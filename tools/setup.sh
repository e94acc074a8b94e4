#!/usr/bin/env bash
# Installs mmrope's Debian dependencies (if missing), then configures and builds it in build/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake g++ make libboost-dev libmpfr-dev libgmp-dev libgtest-dev librapidcheck-dev libcli11-dev nlohmann-json3-dev libzip-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake --preset release >/dev/null
cmake --build build -j"$(nproc)"
