#!/usr/bin/env bash
# Instructions executed inside named bench functions, counted by callgrind: a development
# measure that does not depend on the machine's load (criterion's timings do; they are the
# results, taken on an idle machine). Runs the bench binary once in criterion's --test mode,
# collecting only inside each FUNCTION (a symbol pattern), and prints one count per function.
#   scripts/bench-icount.sh BENCH FILTER FUNCTION...
#   scripts/bench-icount.sh smtp smtp-real/ehlo 'smtp::groupwire_ehlo*' 'smtp::stalwart_ehlo*'
# Every function named is called the same number of times (the bench's setup checks, its
# allocation count, one --test iteration), so the counts compare directly.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=$1 filter=$2
shift 2
command -v valgrind >/dev/null || { echo "bench-icount: valgrind is not installed" >&2; exit 1; }
binary=$(cargo bench -p groupwire-benches --bench "$bench" --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == sys.argv[1]:
        print(m["executable"])' "$bench" | tail -1)
out=$(mktemp)
for function in "$@"; do
  (cd benches && valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect="$function" \
    "$binary" --bench --test "$filter" >/dev/null 2>&1)
  printf '%-40s %15s\n' "$function" "$(sed -n 's/^summary: //p;s/^totals: //p' "$out" | head -1)"
done
rm -f "$out"
