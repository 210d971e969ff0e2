#!/usr/bin/env bash
# The README's first command: install what is needed, build, create the offline demo project from
# resources/demo, and open the workbench on it.
#   ./packaging/run-demo.sh [--no-install] [--fresh] [--screenshot FILE.png] [extra workbench args]
#     --no-install  skip packaging/install-deps.sh (packages already there)
#     --fresh       rebuild the demo project even if it exists (your edits to it are lost)
#     --screenshot  render the window to FILE and exit (works without a display)
set -euo pipefail
cd "$(dirname "$0")/.."

install=1 fresh=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --fresh) fresh=1 ;;
    *) args+=("$1") ;;
  esac
  shift
done

if [ "$install" = 1 ]; then
  ./packaging/install-deps.sh
fi

BUILD=${HW_BUILD_DIR:-build/release}
. ./packaging/ccache-env.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $HW_CCACHE_LAUNCHER
cmake --build "$BUILD" -j2 --target hindsight hindsight-workbench

# The programs set OPENBLAS_CORETYPE (from the CPU flags) and OMP_WAIT_POLICY=PASSIVE themselves
# (core/util/runtime_env.h); exported here too for anything else started from this shell.
export OMP_WAIT_POLICY=PASSIVE

PROJECT="$BUILD/demo/demo.hwb"
if [ "$fresh" = 1 ]; then
  rm -f "$PROJECT" "$PROJECT-wal" "$PROJECT-shm"
fi
if [ ! -s "$PROJECT" ]; then
  mkdir -p "$(dirname "$PROJECT")"
  if [ -x packaging/make-demo-project.sh ]; then
    HW_BUILD_DIR="$BUILD" ./packaging/make-demo-project.sh "$PROJECT"
  else
    shopt -s nullglob
    demo_files=(resources/demo/*.jsonl)
    shopt -u nullglob
    if [ "${#demo_files[@]}" -eq 0 ]; then
      echo "run-demo: no demo corpus in resources/demo (*.jsonl)" >&2
      exit 1
    fi
    "$BUILD/app/hindsight" init "$PROJECT"
    "$BUILD/app/hindsight" import "$PROJECT" --format jsonl "${demo_files[@]}"
  fi
  echo "run-demo: created $PROJECT"
fi

has_screenshot=0
for a in "${args[@]+"${args[@]}"}"; do
  case "$a" in --screenshot*) has_screenshot=1 ;; esac
done
if [ "$has_screenshot" = 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-demo: no display. Run it in a desktop session, under xvfb-run, or with --screenshot FILE.png" >&2
  exit 1
fi
exec "$BUILD/app/hindsight-workbench" "$PROJECT" "${args[@]+"${args[@]}"}"
