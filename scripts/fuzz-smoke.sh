#!/usr/bin/env bash
# CI fuzz smoke: the same commit gives the same verdict on every run (issue 9).
#
# For every target, in order:
#   1. replay every file in fuzz/seeds/TARGET/, fuzz/corpora/TARGET.tar.xz (the minimised
#      campaign corpus) and fuzz/regressions/TARGET/ once, byte for byte;
#   2. fuzz for a fixed number of executions (-runs, table below) from a fixed -seed, starting
#      from those files in a fresh temporary corpus (never a corpus left by an earlier run).
# Nothing here stops on a clock (no -max_total_time), and address-space randomisation is off
# for the fuzzing, so two runs execute the same inputs: a slow or busy machine takes longer but
# reaches the same verdict (and the same coverage numbers). A failure prints the end of the log and leaves the reproducer
# under fuzz/artifacts/TARGET/; once the bug is fixed, copy it to fuzz/regressions/TARGET/ so
# every later smoke replays it. Open-ended fuzzing belongs to campaigns: see fuzz/README.md.
#
# Environment (all optional):
#   FUZZ_TARGETS  space-separated targets to run (default: every target)
#   FUZZ_SEED     libFuzzer -seed (default 1); change it only to explore, never in CI
#   CARGO_LOCK    a lock file: the build runs under `flock "$CARGO_LOCK"` (shared machines)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1 # cargo-fuzz needs nightly flags; stable is the only toolchain here
seed=${FUZZ_SEED:-1}

# Executions per target: about 10 s each on the 2-core CI machine (measured, see fuzz/README.md).
declare -A runs=(
  [dav_if_header]=400000
  [dav_request]=200000
  [dav_response]=150000
  [ical]=25000
  [imap_client_stream]=100000
  [imap_command]=200000
  [imap_response]=120000
  [imap_server_stream]=100000
  [imap_server_recovery]=100000
  [smtp_command]=400000
  [smtp_data]=200000
  [smtp_reply]=200000
  [smtp_server]=150000
  [vcard]=50000
)

mapfile -t all_targets < <(cargo fuzz list)
if ((${#all_targets[@]} == 0)); then
  echo "fuzz-smoke: no fuzz targets yet"
  exit 0
fi
for target in "${all_targets[@]}"; do
  if [[ -z ${runs[$target]:-} ]]; then
    echo "fuzz-smoke: $target has no entry in the runs table of scripts/fuzz-smoke.sh" >&2
    exit 1
  fi
done
for dir in regressions/*/; do
  [[ -d $dir ]] || continue
  name=$(basename "$dir")
  if [[ -z ${runs[$name]:-} ]]; then
    echo "fuzz-smoke: fuzz/regressions/$name names no fuzz target" >&2
    exit 1
  fi
done
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

if [[ -n ${CARGO_LOCK:-} ]]; then
  flock "$CARGO_LOCK" cargo fuzz build -O
else
  cargo fuzz build -O
fi
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="target/$host/release"

# Two runs of one seed mutate identically only if addresses are identical too: libFuzzer keys
# its comparison tables by code address (so address-space randomisation is turned off with
# setarch -R), and cargo-fuzz's stack-depth coverage reads the stack pointer, which moves with
# the size of the environment (so the fuzzer runs with a fixed, empty one).
fixed_layout=(env -i)
if setarch "$(uname -m)" -R true 2>/dev/null; then
  fixed_layout=(env -i setarch "$(uname -m)" -R)
else
  echo "fuzz-smoke: setarch -R unavailable; runs differ in detail, not in what they replay"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(-rss_limit_mb=2048 -timeout=60)
started=$SECONDS
for target in "${targets[@]}"; do
  bin="$bin_dir/$target"
  log="$work/$target.log"
  mkdir -p "artifacts/$target"
  # Sorted by name so every run sees the inputs in the same order.
  # -H: a target may share another's seeds through a symlinked directory.
  kept="$work/kept-$target"
  mkdir -p "$kept"
  [[ -f corpora/$target.tar.xz ]] && tar -xJf "corpora/$target.tar.xz" -C "$kept"
  mapfile -t inputs < <(find -H "seeds/$target" "$kept" "regressions/$target" \
    -type f ! -name '.*' \
    2>/dev/null | LC_ALL=C sort)
  t0=$SECONDS
  if ((${#inputs[@]} > 0)); then
    if ! "$bin" "${common[@]}" -artifact_prefix="artifacts/$target/" "${inputs[@]}" \
      >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz-smoke: $target FAILED replaying its seeds and regressions"
      exit 1
    fi
    replayed=$(grep -c '^Executed ' "$log" || true)
    if ((replayed != ${#inputs[@]})); then
      tail -n 20 "$log"
      echo "fuzz-smoke: $target replayed $replayed of ${#inputs[@]} inputs"
      exit 1
    fi
  fi
  corpus="$work/corpus-$target"
  mkdir -p "$corpus"
  seed_list="$work/$target.seeds"
  (
    IFS=,
    printf '%s' "${inputs[*]}"
  ) >"$seed_list"
  seed_inputs=()
  if ((${#inputs[@]} > 0)); then seed_inputs=(-seed_inputs="@$seed_list"); fi
  if ! "${fixed_layout[@]}" "$bin" "${common[@]}" -artifact_prefix="artifacts/$target/" -seed="$seed" \
    -runs="${runs[$target]}" -reload=0 -max_len=65536 -print_final_stats=1 \
    "${seed_inputs[@]}" "$corpus" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz-smoke: $target FAILED (-seed=$seed -runs=${runs[$target]}); reproducer in" \
      "fuzz/artifacts/$target/"
    exit 1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" || true)
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  coverage=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
  printf 'fuzz-smoke: %-19s replayed %4d inputs, %s executions from -seed=%s (%s) in %ds\n' \
    "$target" "${#inputs[@]}" "${executed:-?}" "$seed" "${coverage:-no coverage line}" \
    $((SECONDS - t0))
  [[ -n $done_line ]] || echo "fuzz-smoke: $target: no 'Done' line in the log" >&2
done
echo "fuzz-smoke: ${#targets[@]} targets passed (replay + fixed runs) in $((SECONDS - started))s"
