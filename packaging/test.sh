#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
./packaging/install-deps.sh
BUILD=${HW_BUILD_DIR:-build/release}
. ./packaging/ccache-env.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $HW_CCACHE_LAUNCHER
cmake --build "$BUILD" -j2
# The official openai npm package, for the test that drives `hindsight serve` with it (skipped
# when npm or the package is missing).
if command -v npm >/dev/null 2>&1; then
  (cd tests/npm && npm ci --no-audit --no-fund --silent) || echo "warning: npm ci in tests/npm failed; that test will skip" >&2
fi
cd "$BUILD"
# OpenBLAS uses its own threads; keep libtorch's pool at 1 in tests (see README, Threads).
export OMP_NUM_THREADS=1
ctest --output-on-failure -j2 --timeout 900 "$@"
