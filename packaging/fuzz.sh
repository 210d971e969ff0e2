#!/usr/bin/env bash
# Builds the libFuzzer targets of core/fuzz (CMakePresets.json "fuzz": clang, ASan + UBSan, no Qt,
# no libtorch) and runs each for a bounded time on its seed corpus in core/fuzz/corpus/.
#   packaging/fuzz.sh                 # every target, HW_FUZZ_SECONDS (default 25) each
#   packaging/fuzz.sh fuzz_p4g_import # only these
# New inputs found go to build/fuzz/corpus/TARGET (not the repository); a crash, leak, timeout or
# invariant violation stops the run with libFuzzer's report and leaves the input as
# build/fuzz/artifacts/TARGET/crash-* (add it to tests/fixtures and fix the parser).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${HW_FUZZ_SECONDS:-25}
BUILD=build/fuzz
. ./packaging/ccache-env.sh
cmake --preset fuzz $HW_CCACHE_LAUNCHER >/dev/null
declare -A CORPUS=(
  [fuzz_controller]=replies [fuzz_matcher]=replies [fuzz_dialogue_lines]=replies [fuzz_rewards]=replies
  [fuzz_template]=replies [fuzz_jsonl_import]=jsonl_import [fuzz_esconv_import]=esconv_import
  [fuzz_p4g_import]=p4g_import [fuzz_http_request]=http_request
)
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for t in "${!CORPUS[@]}"; do targets+=("$t"); done
  IFS=$'\n' targets=($(sort <<<"${targets[*]}")); unset IFS
fi
built=()
# Read once: `ninja ... | grep -q` under pipefail failed whenever grep quit early (SIGPIPE to
# ninja), which silently skipped targets.
known=$(ninja -C "$BUILD" -t targets all 2>/dev/null || true)
for t in "${targets[@]}"; do
  # fuzz_http_request exists once its source is in core/fuzz.
  if grep -q "^$t:" <<<"$known"; then built+=("$t"); fi
done
cmake --build "$BUILD" -j2 --target "${built[@]}"
for t in "${built[@]}"; do
  seeds="core/fuzz/corpus/${CORPUS[$t]:-$t}"
  work="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  echo "== $t: ${SECONDS_EACH}s on $seeds"
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: a memory blow-up is a finding.
  rc=0
  "$BUILD/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$work" "$seeds" >"$BUILD/$t.log" 2>&1 || rc=$?
  tail -n 25 "$BUILD/$t.log"
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t failed (exit $rc); input kept in $artifacts" >&2
    exit "$rc"
  fi
done
echo "fuzz: ${#built[@]} targets, ${SECONDS_EACH}s each, no findings"
