#!/usr/bin/env bash
# Installs mmrope's Debian dependencies (if missing), then configures and builds it in build/.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang, libclang-rt-dev and zip: the ClusterFuzzLite build test (tests/fuzz_build_test.sh); g++ builds the rest.
# libthrust-dev: the kernels' position builder's host twin (Thrust's CPP system).
packages=(cmake g++ make libboost-dev libmpfr-dev libgmp-dev libgtest-dev librapidcheck-dev libcli11-dev nlohmann-json3-dev libzip-dev libthrust-dev
          clang libclang-rt-dev zip unzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# For the python3 on PATH: NumPy (the documentation's Python snippets, tests/docs), and nanobind and pytest (the
# Python module, python/, and its tests). pip first; else Debian's packages, without which the module is skipped.
if ! python3 -c 'import numpy, pytest, nanobind' 2>/dev/null; then
  echo "setup: installing numpy, pytest and nanobind for $(command -v python3)" >&2
  python3 -m pip install --quiet numpy pytest nanobind 2>/dev/null ||
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-numpy python3-pytest >/dev/null ||
    echo "setup: no pip: the Python module is not built" >&2
fi

cmake --preset release >/dev/null
cmake --build build -j"$(nproc)"
