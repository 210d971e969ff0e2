#!/usr/bin/env bash
# Trains the small pretrained dialogue model shipped in resources/pretrained/dialogue-small, the
# starting point of every local model of the demo (packaging/make-demo-project.sh fine-tunes it),
# so that the demo's models write readable English instead of what a tiny model learns from 36
# dialogues.
#
# Data: only text we may redistribute a model of: PersuasionForGood (Apache-2.0; the authors'
# data/FullData folder, default ../shared/data/p4g beside the checkout) and our own demo corpus
# (resources/demo, written for this project). Never ESConv (CC BY-NC 4.0). All dialogues become one
# task, "dialogue", so one model learns both kinds of conversation.
#
# Model and schedule: resources/pretrained/pretrain.json (the "small" Llama-style preset: hidden
# 256, 4 layers, 4 query / 2 KV heads, SwiGLU 688; a SentencePiece BPE tokenizer of up to 4000
# pieces trained on the same text). The result is exported as float16 (half the file).
#   ./packaging/pretrain-dialogue-model.sh [P4G_DIR] [OUT_DIR]
#     HW_PRETRAIN_WORK   scratch folder (default $HW_BUILD_DIR/pretrain); a stopped run (Ctrl+C,
#                        or HW_PRETRAIN_SECONDS) is resumed from its checkpoint on the next call
#     HW_PRETRAIN_SECONDS  wall-clock budget of this call (default: none)
# Uses the CLI at $HINDSIGHT, else $HW_BUILD_DIR/app/hindsight (HW_BUILD_DIR defaults to build/release).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${HW_BUILD_DIR:-build/release}
CLI=${HINDSIGHT:-$BUILD/app/hindsight}
P4G=${1:-../shared/data/p4g}
OUT=${2:-resources/pretrained/dialogue-small}
WORK=${HW_PRETRAIN_WORK:-$BUILD/pretrain}
CONFIG=resources/pretrained/pretrain.json

if [ ! -x "$CLI" ]; then
  echo "pretrain: no CLI at $CLI (build first, or set HINDSIGHT=/path/to/hindsight)" >&2
  exit 1
fi
if [ ! -f "$P4G/full_dialog.csv" ] || [ ! -f "$P4G/full_info.csv" ]; then
  echo "pretrain: no PersuasionForGood at $P4G (full_dialog.csv and full_info.csv of data/FullData)" >&2
  exit 1
fi
mkdir -p "$WORK"

# 1. One corpus, one task: import each source, export it, and re-import under task "dialogue".
if [ ! -s "$WORK/corpus.hwb" ]; then
  rm -f "$WORK/sources.hwb" "$WORK/corpus.partial.hwb"
  "$CLI" init "$WORK/sources.hwb" >/dev/null
  "$CLI" import "$WORK/sources.hwb" --format p4g --quiet "$P4G"
  "$CLI" import "$WORK/sources.hwb" --format jsonl --quiet resources/demo/*.jsonl
  "$CLI" export "$WORK/sources.hwb" --format jsonl --quiet -o "$WORK/sources.jsonl"
  python3 - "$WORK/sources.jsonl" "$WORK/corpus.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in src:
        d = json.loads(line)
        d["id"] = d["task"] + "/" + str(d["id"])   # ids stay unique across the sources
        d["task"] = "dialogue"
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
  "$CLI" init "$WORK/corpus.partial.hwb" >/dev/null
  "$CLI" import "$WORK/corpus.partial.hwb" --format jsonl --quiet "$WORK/corpus.jsonl"
  mv "$WORK/corpus.partial.hwb" "$WORK/corpus.hwb"
fi
"$CLI" stats "$WORK/corpus.hwb"

# 2. Train (or resume) the forward role on everything: every turn of every dialogue is a target.
budget=()
[ -n "${HW_PRETRAIN_SECONDS:-}" ] && budget=(--max-seconds "$HW_PRETRAIN_SECONDS")
if compgen -G "$WORK/run/step-*" >/dev/null; then
  "$CLI" train-lm "$WORK/corpus.hwb" --role forward --resume "$WORK/run" "${budget[@]}"
else
  "$CLI" train-lm "$WORK/corpus.hwb" --role forward --task dialogue --config "$CONFIG" \
    --out "$WORK/run" "${budget[@]}"
fi

# 3. The model alone, as float16, with its tokenizer (what the demo fine-tunes).
rm -rf "$OUT.new"
"$CLI" export-model "$WORK/run" --out "$OUT.new" --dtype float16
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
echo "pretrain: $OUT written"
