#!/usr/bin/env bash
# Installs every Debian 12 package Hindsight Workbench needs to build, test and run.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# Real package names only: dpkg-query never reports a virtual package (one that another merely
# Provides) as installed, so listing one would run apt-get on every call.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev libgl-dev
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libsqlite3-dev libcurl4-openssl-dev libsentencepiece-dev libcpp-httplib-dev
  xvfb xauth fonts-dejavu-core python3 wamerican
  clang libclang-rt-14-dev libgloo-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (for the test that drives `hindsight serve` with the official openai client) is checked as a
# command: where Node.js comes from another archive it ships its own npm, and Debian's npm package
# would conflict with it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# libtorch must multiply matrices with OpenBLAS, not the reference BLAS (50x slower here).
blas=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | awk '/^Value:/{print $2}')
case "$blas" in
  *openblas*) ;;
  *) $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
       /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ;;
esac
