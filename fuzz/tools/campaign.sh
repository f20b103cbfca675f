#!/usr/bin/env bash
# Open-ended fuzzing campaign (NOT for CI: CI runs scripts/fuzz-smoke.sh, which is
# deterministic). Fuzzes each target until FUZZ_RUNS executions (default 10,000,000) or
# FUZZ_SECONDS (default 1800), whichever comes first, one process at a time, growing
# fuzz/corpus/TARGET (git-ignored) from the seeds and regressions. A crash stops the campaign
# and leaves its reproducer in fuzz/artifacts/TARGET/.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="smtp_command ical" bash fuzz/tools/campaign.sh
#
# The build has debug assertions (overflow checks turn arithmetic bugs into crashes) and no
# AddressSanitizer: the crates forbid unsafe code, so ASan would only slow every execution.
# Each target's final line goes to fuzz/campaign.log (git-ignored) as
#   TARGET runs=N seconds=S cov=C ft=F corp=K
# Afterwards, keep only inputs that add coverage in the repository (see fuzz/README.md):
#   bash fuzz/tools/minimise.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-1800}
runs=${FUZZ_RUNS:-10000000}
build=(cargo fuzz build -O -a -s none --target-dir target/campaign)
if [[ -n ${CARGO_LOCK:-} ]]; then flock "$CARGO_LOCK" "${build[@]}"; else "${build[@]}"; fi
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="target/campaign/$host/release"
read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo fuzz list | tr '\n' ' ')}"
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  # The kept, minimised corpus of earlier campaigns starts this one.
  [[ -f corpora/$target.tar.xz ]] && tar -xJf "corpora/$target.tar.xz" -C "corpus/$target"
  dirs=("corpus/$target")
  for extra in "seeds/$target" "regressions/$target"; do
    [[ -d $extra ]] && dirs+=("$extra")
  done
  echo "campaign: $target for ${runs} runs or ${seconds}s"
  started=$(date +%s)
  "$bin_dir/$target" -runs="$runs" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -timeout=60 -print_final_stats=1 -artifact_prefix="artifacts/$target/" \
    "${dirs[@]}" >"artifacts/$target/log" 2>&1 || true
  elapsed=$(($(date +%s) - started))
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "artifacts/$target/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "artifacts/$target/log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  line="$target runs=${executed:-?} seconds=$elapsed cov=${cov:-?} ft=${ft:-?} corp=${corp:-?}"
  echo "campaign: $line"
  echo "$line" >>campaign.log
  for kind in crash timeout oom leak slow-unit; do
    if compgen -G "artifacts/$target/$kind-*" >/dev/null; then
      echo "campaign: $target: $kind; reproducers in fuzz/artifacts/$target/" >&2
      [[ $kind == slow-unit ]] || exit 1
    fi
  done
done
