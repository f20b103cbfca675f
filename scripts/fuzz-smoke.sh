#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZ_SECONDS each, default 30), seeded from fuzz/seeds/TARGET.
# A crash fails the script, prints the end of the log, and leaves the reproducer under
# fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-30}
export RUSTC_BOOTSTRAP=1 # cargo-fuzz needs nightly flags; stable is the only toolchain here
mapfile -t targets < <(cargo fuzz list)
if ((${#targets[@]} == 0)); then
  echo "fuzz-smoke: no fuzz targets yet"
  exit 0
fi
cargo fuzz build -O
logs=$(mktemp -d)
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  if [[ -d "seeds/$target" ]]; then cp -r seeds/"$target"/. "$corpus"/; fi
  log="$logs/$target.log"
  echo "fuzz-smoke: $target for ${seconds}s"
  if ! cargo fuzz run -O "$target" "$corpus" -- -max_total_time="$seconds" \
    -rss_limit_mb=2048 -max_len=65536 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz-smoke: $target FAILED"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" || tail -n 2 "$log"
done
echo "fuzz-smoke: ${#targets[@]} targets ran ${seconds}s each without a crash"
