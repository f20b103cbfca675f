#!/usr/bin/env bash
# Open-ended fuzzing campaign (NOT for CI: CI runs scripts/fuzz-smoke.sh, which is
# deterministic). Fuzzes each target for FUZZ_SECONDS (default 1800) with a random seed, one
# process at a time, growing fuzz/corpus/TARGET (git-ignored) from the seeds and regressions.
# A crash stops the campaign and leaves its reproducer in fuzz/artifacts/TARGET/.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="smtp_command ical" bash fuzz/tools/campaign.sh
#
# Afterwards, keep only inputs that add coverage in the repository (see fuzz/README.md):
#   fuzz/target/<host>/release/TARGET -merge=1 fuzz/seeds/TARGET fuzz/corpus/TARGET
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-1800}
if [[ -n ${CARGO_LOCK:-} ]]; then
  flock "$CARGO_LOCK" cargo fuzz build -O
else
  cargo fuzz build -O
fi
host=$(rustc -vV | sed -n 's/^host: //p')
read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo fuzz list | tr '\n' ' ')}"
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  dirs=("corpus/$target")
  for extra in "seeds/$target" "regressions/$target"; do
    [[ -d $extra ]] && dirs+=("$extra")
  done
  echo "campaign: $target for ${seconds}s"
  "target/$host/release/$target" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=60 -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
    "${dirs[@]}" 2>&1 | grep -E '^(#[0-9]+[[:space:]]+DONE|Done|stat::number_of_executed_units)' || true
  for kind in crash timeout oom; do
    if compgen -G "artifacts/$target/$kind-*" >/dev/null; then
      echo "campaign: $target: $kind; reproducers in fuzz/artifacts/$target/" >&2
      exit 1
    fi
  done
done
