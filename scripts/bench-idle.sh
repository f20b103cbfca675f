#!/usr/bin/env bash
# Runs criterion benches the way their figures are reported: on an idle machine, several runs,
# ratios computed within each run, then the median and spread over the runs.
#
#   scripts/bench-idle.sh [BENCH...]        (default: every bench; RUNS=3, OUT=bench-results)
#
# Before each run it waits (up to WAIT seconds, default 600) for the 1-minute load average to
# fall below MAX_LOAD (default 1.2, since the bench itself counts as one) and prints it into the
# run's output; a run that starts above it is marked "(busy)" and its figures are not results.
# Each bench's raw output goes to OUT/BENCH.txt, and scripts/bench-ratios.py prints the table.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3} out=${OUT:-bench-results} max_load=${MAX_LOAD:-1.2} wait=${WAIT:-600}
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(smtp imap_responses imap_commands ical_vcard dav_multistatus)
mkdir -p "$out"
idle() { awk -v max="$max_load" '{exit !($1 < max)}' /proc/loadavg; }
settle() {
  local waited=0
  until idle; do
    [ "$waited" -ge "$wait" ] && return 1
    sleep 5
    waited=$((waited + 5))
  done
}
cargo bench -q -p groupwire-benches --no-run >/dev/null 2>&1 || cargo bench -p groupwire-benches --no-run
for bench in "${benches[@]}"; do
  : > "$out/$bench.txt"
  for run in $(seq 1 "$runs"); do
    busy=""
    settle || busy=" (busy)"
    echo "run $run load: $(cut -d' ' -f1-3 /proc/loadavg)$busy" | tee -a "$out/$bench.txt"
    cargo bench -q -p groupwire-benches --bench "$bench" -- \
      --warm-up-time 1 --measurement-time 2 --noplot >> "$out/$bench.txt" 2>&1
  done
  echo "end load: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/$bench.txt"
  python3 scripts/bench-ratios.py "$out/$bench.txt"
done
