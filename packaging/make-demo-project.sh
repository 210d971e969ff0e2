#!/usr/bin/env bash
# Builds the offline demo project from the corpus in resources/demo (our own dialogues, no
# dataset download needed), then runs the whole method on it offline with tiny local models
# (about a minute on 2 CPU cores), so every screen of the workbench has something to show:
#   forward, hard forward and reward models (train-lm --tiny) -> hindsight pipeline with the
#   local roles (retrieval controller, local forward models, reward model) -> training sets
#   (SFT, Hindsight RL) -> SFT and ILQL agents (train --tiny).
# Safe to run again: an existing project is kept, the import adds nothing already there, and a
# task whose demo training set exists is not trained again. HW_DEMO_IMPORT_ONLY=1 stops after
# the import.
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

[ "${HW_DEMO_IMPORT_ONLY:-0}" = 1 ] && exit 0
RUNS="$(dirname "$PROJECT")/demo-models"
for task in counseling persuasion; do
  if "$CLI" trainset list "$PROJECT" | grep -q "demo-hindsight-rl-$task"; then
    continue
  fi
  echo "demo: the method offline on the $task dialogues (tiny models)"
  "$CLI" train-lm "$PROJECT" --role forward --task "$task" --tiny --max-steps 300 --quiet --out "$RUNS/$task-forward"
  "$CLI" train-lm "$PROJECT" --role forward-hard --task "$task" --tiny --max-steps 100 --quiet --out "$RUNS/$task-forward-hard"
  "$CLI" train-lm "$PROJECT" --role reward --task "$task" --tiny --max-steps 150 --quiet --out "$RUNS/$task-reward"
  "$CLI" pipeline "$PROJECT" --task "$task" --quiet --controller retrieval \
    --forward-checkpoint "$RUNS/$task-forward" --hard-checkpoint "$RUNS/$task-forward-hard" --hard-share 0.25 \
    --reward-checkpoint "$RUNS/$task-reward" --samples 2 --turn-budget 6 --name "demo-aggregate-$task"
  "$CLI" trainset create "$PROJECT" --name "demo-sft-$task" --preset sft --task "$task" >/dev/null
  "$CLI" trainset create "$PROJECT" --name "demo-hindsight-rl-$task" --preset hindsight-rl --task "$task" >/dev/null
  "$CLI" train "$PROJECT" --set "demo-sft-$task" --agent sft --tiny --quiet
  "$CLI" train "$PROJECT" --set "demo-hindsight-rl-$task" --agent ilql --tiny --quiet
done
"$CLI" stats "$PROJECT"
