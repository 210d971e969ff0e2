#!/usr/bin/env bash
# Builds the Debian package of Hindsight Workbench with CPack (rules at the end of the top-level
# CMakeLists.txt): the hindsight CLI and the hindsight-workbench GUI in /usr/bin, the
# sentencepiece module in /usr/lib/hindsight-workbench, prompts, the pretrained dialogue model and
# the demo corpus in /usr/share/hindsight-workbench, the desktop entry, icon and project MIME type.
#   ./packaging/make-deb.sh [OUT_DIR]     (default: $HW_BUILD_DIR/package; HW_BUILD_DIR = build/release)
# Install with: sudo apt install ./OUT_DIR/hindsight-workbench_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${HW_BUILD_DIR:-build/release}
OUT=${1:-$BUILD/package}
. ./packaging/ccache-env.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $HW_CCACHE_LAUNCHER
cmake --build "$BUILD" -j2 --target hindsight hindsight-workbench hw_sentencepiece
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cpack --config "$BUILD/CPackConfig.cmake" -B "$OUT"
rm -rf "$OUT/_CPack_Packages"
ls -l "$OUT"/*.deb
