#!/usr/bin/env bash
# Builds the offline demo project from the corpus in resources/demo (our own dialogues, no
# dataset download needed). Safe to run again: an existing project is kept and the import adds
# nothing that is already there.
#   ./packaging/make-demo-project.sh [PROJECT.hwb]     (default: $HW_BUILD_DIR/demo/demo.hwb)
# Uses the CLI at $HINDSIGHT, else $HW_BUILD_DIR/app/hindsight (HW_BUILD_DIR defaults to build/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${HW_BUILD_DIR:-build/release}
CLI=${HINDSIGHT:-$BUILD/app/hindsight}
PROJECT=${1:-$BUILD/demo/demo.hwb}

if [ ! -x "$CLI" ]; then
  echo "make-demo-project: no CLI at $CLI (build first, or set HINDSIGHT=/path/to/hindsight)" >&2
  exit 1
fi
shopt -s nullglob
corpus=(resources/demo/*.jsonl)
shopt -u nullglob
if [ "${#corpus[@]}" -eq 0 ]; then
  echo "make-demo-project: no demo corpus in resources/demo (*.jsonl)" >&2
  exit 1
fi

mkdir -p "$(dirname "$PROJECT")"
"$CLI" init "$PROJECT" --if-missing
"$CLI" import "$PROJECT" --format jsonl --quiet "${corpus[@]}"
"$CLI" stats "$PROJECT"
