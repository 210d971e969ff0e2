#!/usr/bin/env bash
# Builds the offline demo project from the corpus in resources/demo (our own dialogues, no
# dataset download needed) and the two example tasks defined as data in resources/tasks
# (teaching, travel agent: `hindsight task import`, then their 12 dialogues each), then runs the
# whole method on all four tasks offline with small local models, so every screen of the
# workbench has something to show:
#   forward, hard forward and reward models (train-lm) -> hindsight pipeline with the local roles
#   (retrieval controller, local forward models, reward model) -> training sets (SFT, Hindsight
#   RL) -> SFT and ILQL agents (train) -> both evaluated against the local user simulator.
# Every model is fine-tuned from the pretrained dialogue model in resources/pretrained/
# dialogue-small (trained by packaging/pretrain-dialogue-model.sh on PersuasionForGood and this
# corpus), with its tokenizer, so the models write readable English; at the end the script prints
# the share of English words (Debian's wamerican list) in the agents' replies. Without the
# pretrained model (HW_DEMO_PRETRAINED=none) the models are tiny ones trained from scratch.
# Safe to run again: an existing project is kept, the import adds nothing already there, and a
# task whose demo training set exists is not trained again. HW_DEMO_IMPORT_ONLY=1 stops after
# the import; HW_DEMO_QUICK=1 trains a few steps per model (a check of the script).
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
# The example tasks: the definition first (roles, opener, reward range, personas, examples), then
# its dialogues (an import of dialogues for an unknown task would make a bare task).
example_tasks=(teaching travel-agent)
for task in "${example_tasks[@]}"; do
  if ! "$CLI" task list "$PROJECT" | grep -q "^$task "; then
    "$CLI" task import "$PROJECT" "resources/tasks/$task.json"
  fi
done
example_corpus=()
for task in "${example_tasks[@]}"; do example_corpus+=("resources/tasks/$task.jsonl"); done
"$CLI" import "$PROJECT" --format jsonl --quiet "${example_corpus[@]}"
"$CLI" stats "$PROJECT"

[ "${HW_DEMO_IMPORT_ONLY:-0}" = 1 ] && exit 0
RUNS="$(dirname "$PROJECT")/demo-models"
PRETRAINED=${HW_DEMO_PRETRAINED:-resources/pretrained/dialogue-small}
if [ "$PRETRAINED" != none ] && [ -f "$PRETRAINED/model.safetensors" ]; then
  # Fine-tuning: the pretrained model and its tokenizer, a lower learning rate, few steps (36
  # dialogues per task; 9 in the top or bottom quarter).
  lm=(--tiny --init "$PRETRAINED" --config resources/pretrained/finetune-lm.json)
  agent=(--tiny --config resources/pretrained/finetune-agent.json)
  steps_forward=30 steps_hard=15 steps_reward=30 bc_steps=20
else
  echo "demo: no pretrained model at $PRETRAINED: tiny models from scratch (their text is not readable)"
  PRETRAINED=none
  lm=(--tiny) agent=(--tiny)
  steps_forward=300 steps_hard=100 steps_reward=150 bc_steps=60
fi
eval_episodes=2 eval_turns=4
ilql_updates=()
if [ "${HW_DEMO_QUICK:-0}" = 1 ]; then
  # A check of the script itself (every step runs, the models learn next to nothing).
  steps_forward=3 steps_hard=2 steps_reward=3 bc_steps=2 eval_episodes=1 eval_turns=2
  agent+=(--iterations 1)
  ilql_updates=(--updates 2)
fi
# One pass of the method over a task; its step counts are set by the caller.
run_method() {
  local task=$1
  shift
  local pipeline_preset=("$@")
  echo "demo: the method offline on the $task dialogues"
  rm -rf "$RUNS/$task-"*
  "$CLI" train-lm "$PROJECT" --role forward --task "$task" "${lm[@]}" --max-steps $steps_forward --quiet --out "$RUNS/$task-forward"
  "$CLI" train-lm "$PROJECT" --role forward-hard --task "$task" "${lm[@]}" --max-steps $steps_hard --quiet --out "$RUNS/$task-forward-hard"
  "$CLI" train-lm "$PROJECT" --role reward --task "$task" "${lm[@]}" --max-steps $steps_reward --quiet --out "$RUNS/$task-reward"
  "$CLI" pipeline "$PROJECT" --task "$task" --quiet --controller retrieval \
    --forward-checkpoint "$RUNS/$task-forward" --hard-checkpoint "$RUNS/$task-forward-hard" \
    --reward-checkpoint "$RUNS/$task-reward" --turn-budget 6 --name "demo-aggregate-$task" "${pipeline_preset[@]}"
  "$CLI" trainset create "$PROJECT" --name "demo-sft-$task" --preset sft --task "$task" >/dev/null
  "$CLI" trainset create "$PROJECT" --name "demo-hindsight-rl-$task" --preset hindsight-rl --task "$task" >/dev/null
  if [ "$PRETRAINED" = none ]; then
    "$CLI" train "$PROJECT" --set "demo-sft-$task" --agent sft "${agent[@]}" --quiet --out "$RUNS/$task-sft"
    "$CLI" train "$PROJECT" --set "demo-hindsight-rl-$task" --agent ilql "${agent[@]}" "${ilql_args[@]}" \
      --quiet --out "$RUNS/$task-ilql"
  else
    # SFT = behaviour cloning from the pretrained model; ILQL starts from it as π_β (the
    # authors' recipe: π_β by BC first), so its own behaviour-cloning stage is not run again.
    "$CLI" train "$PROJECT" --set "demo-sft-$task" --agent sft "${agent[@]}" --init "$PRETRAINED" \
      --bc-steps $bc_steps --quiet --out "$RUNS/$task-sft"
    "$CLI" train "$PROJECT" --set "demo-hindsight-rl-$task" --agent ilql "${agent[@]}" "${ilql_args[@]}" \
      --init "$RUNS/$task-sft" --quiet --out "$RUNS/$task-ilql"
  fi
}
trained() { "$CLI" trainset list "$PROJECT" | grep -q "demo-hindsight-rl-$1"; }

# Counseling and persuasion (36 dialogues each): two completions per dialogue, a quarter by the
# hard forward model, so the training set is 3x the originals (asked for as such: the default
# 5x would be reported short).
ilql_args=("${ilql_updates[@]}")
for task in counseling persuasion; do
  trained "$task" || run_method "$task" --samples 2 --hard-share 0.25 --k 3
done
# The example tasks (12 dialogues each) with the paper preset (README, "Paper defaults"): 5x the
# originals with five completions per dialogue, a quarter by the hard forward model, and ILQL with
# the paper's CQL weight (0). A third as many dialogues: fewer steps.
if [ "${HW_DEMO_QUICK:-0}" != 1 ]; then
  steps_forward=$(( (steps_forward + 1) / 2 )) steps_hard=$(( (steps_hard + 1) / 2 ))
  steps_reward=$(( (steps_reward + 1) / 2 )) bc_steps=$(( (bc_steps + 1) / 2 ))
  [ "$PRETRAINED" = none ] || ilql_updates=(--updates 10)
fi
ilql_args=(--preset paper "${ilql_updates[@]}")
for task in "${example_tasks[@]}"; do
  trained "$task" || run_method "$task" --preset paper
done

# SFT against Hindsight RL (ILQL decoding, beta = 4) with the local user simulator (the forward
# model plays each persona, the reward model decides the outcome), paired episode by episode, so
# the Evaluation page has a run to show. A finished evaluation is found again, not re-run. The
# example tasks have one episode per persona (five personas each).
for task in counseling persuasion "${example_tasks[@]}"; do
  [ -d "$RUNS/$task-sft" ] && [ -d "$RUNS/$task-ilql" ] || continue
  episodes=$eval_episodes
  case $task in counseling|persuasion) ;; *) episodes=1 ;; esac
  echo "demo: evaluating the $task agents against the local simulator"
  "$CLI" evaluate "$PROJECT" --task "$task" --agent "ckpt:$RUNS/$task-sft,name=SFT" \
    --agent "ckpt:$RUNS/$task-ilql,beta=4,name=Hindsight RL" \
    --simulator "local:$RUNS/$task-forward,reward=$RUNS/$task-reward" \
    --episodes-per-persona $episodes --max-turns $eval_turns --seed 1 --quiet >/dev/null
done
"$CLI" stats "$PROJECT"

# How readable the agents are: the share of English words in their replies to the first few
# dialogues of each task (sampled at temperature 0.7 from π of the SFT and ILQL checkpoints).
if command -v python3 >/dev/null 2>&1 && [ -f /usr/share/dict/american-english ]; then
  replies="$RUNS/agent-replies.jsonl"
  : >"$replies"
  for task in counseling persuasion; do
    for agent_dir in "$RUNS/$task-sft" "$RUNS/$task-ilql"; do
      [ -d "$agent_dir" ] || continue
      for n in 01 02 03 04; do
        "$CLI" generate --checkpoint "$agent_dir" --project "$PROJECT" --dialogue-id "demo-$task-0$n" \
          --num 3 --max-new-tokens 48 --seed 1 --json >>"$replies" 2>/dev/null || true
      done
    done
  done
  python3 packaging/english-share.py --label "demo agents' replies" "$replies" || true
else
  echo "demo: install python3 and wamerican to measure the share of English words in the agents' replies"
fi
