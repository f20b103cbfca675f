#!/usr/bin/env bash
# Minimises what a campaign (fuzz/tools/campaign.sh) grew into the corpora kept in git:
# for each target, the inputs of fuzz/corpus/TARGET, fuzz/corpora/TARGET (the kept corpus),
# fuzz/seeds/TARGET and fuzz/regressions/TARGET are merged with libFuzzer's set-cover merge
# (the fewest inputs that keep every feature) into a fresh fuzz/corpora/TARGET, without the
# inputs that are already seeds or regressions (those stay where they are, by name).
#
#   bash fuzz/tools/minimise.sh            # every target the campaign built
#   FUZZ_TARGETS="ical" bash fuzz/tools/minimise.sh
#
# Uses the campaign's build (target/campaign); run campaign.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="target/campaign/$host/release"
read -r -a targets <<<"${FUZZ_TARGETS:-$(RUSTC_BOOTSTRAP=1 cargo fuzz list | tr '\n' ' ')}"
for target in "${targets[@]}"; do
  [[ -x $bin_dir/$target ]] || { echo "minimise: $target not built (run campaign.sh)" >&2; exit 1; }
  work=$(mktemp -d)
  mkdir -p "$work/out" "corpora/$target"
  inputs=()
  for dir in "corpus/$target" "corpora/$target" "seeds/$target" "regressions/$target"; do
    [[ -d $dir ]] && inputs+=("$dir")
  done
  "$bin_dir/$target" -set_cover_merge=1 -max_len=65536 -timeout=60 -rss_limit_mb=2048 \
    "$work/out" "${inputs[@]}" >"$work/log" 2>&1 || { tail -20 "$work/log" >&2; exit 1; }
  # Inputs identical to a seed or a regression are kept there, not twice.
  for dir in "seeds/$target" "regressions/$target"; do
    [[ -d $dir ]] || continue
    find -L "$dir" -type f -exec sha1sum {} + | awk '{print $1}' | while read -r sum; do
      rm -f "$work/out/$sum"
    done
  done
  rm -rf "corpora/$target"
  mv "$work/out" "corpora/$target"
  rm -rf "$work"
  files=$(find "corpora/$target" -type f | wc -l)
  bytes=$(du -sb "corpora/$target" | cut -f1)
  echo "minimise: $target: $files inputs, $bytes bytes in fuzz/corpora/$target"
done
