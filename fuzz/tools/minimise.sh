#!/usr/bin/env bash
# Minimises what a campaign (fuzz/tools/campaign.sh) grew into the corpora kept in git:
# for each target, the inputs of fuzz/corpus/TARGET, fuzz/corpora/TARGET.tar.xz (the kept
# corpus), fuzz/seeds/TARGET and fuzz/regressions/TARGET are merged with libFuzzer's set-cover
# merge (the fewest inputs that keep every feature), the inputs that are already seeds or
# regressions are left out (those stay where they are, by name), and the rest is written to
# fuzz/corpora/TARGET.tar.xz: one reproducible archive (sorted names, no dates or owners), so
# the repository holds a few MB, not thousands of files.
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
  mkdir -p "$work/out" "$work/kept" corpora
  [[ -f corpora/$target.tar.xz ]] && tar -xJf "corpora/$target.tar.xz" -C "$work/kept"
  inputs=("$work/kept")
  for dir in "corpus/$target" "seeds/$target" "regressions/$target"; do
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
  files=$(find "$work/out" -type f | wc -l)
  bytes=$(find "$work/out" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/out" -cf - . |
    xz -9e >"corpora/$target.tar.xz"
  rm -rf "$work"
  echo "minimise: $target: $files inputs ($bytes bytes) in fuzz/corpora/$target.tar.xz ($(stat -c %s "corpora/$target.tar.xz") bytes)"
done
