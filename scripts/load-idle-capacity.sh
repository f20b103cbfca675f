#!/usr/bin/env bash
# How many concurrent IDLE sessions one `groupwire load` process holds against the embedded
# reference server (in another process), and the resident memory per session of both.
#   scripts/load-idle-capacity.sh [SESSIONS] [RAMP] [DURATION] [GROUPWIRE]
# Defaults: 15000 sessions, 50s ramp, 75s of load (about 2 minutes in all), the debug binary.
set -euo pipefail
sessions=${1:-15000}
ramp=${2:-50s}
duration=${3:-75s}
groupwire=${4:-${CARGO_TARGET_DIR:-target}/debug/groupwire}
work=$(mktemp -d)
export LOAD_CAPACITY_PASSWORD=capacity-secret-1
pattern="user{00001..$(printf '%05d' "$sessions")}@example.test"

"$groupwire" load reference --accounts "$pattern" --password-env LOAD_CAPACITY_PASSWORD \
    --write-target "$work/target.toml" >"$work/reference.out" 2>&1 &
reference=$!
trap 'kill "$reference" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/target.toml" ] && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
base=$(rss "$reference")
peak=$base
( while kill -0 "$reference" 2>/dev/null; do rss "$reference"; sleep 1; done ) >"$work/rss.log" &
sampler=$!

"$groupwire" load "$work/target.toml" --accounts "$pattern" --password-env LOAD_CAPACITY_PASSWORD \
    --users "$sessions" --mix idle --ramp "$ramp" --duration "$duration" --action-timeout 60s \
    -o "$work/result.json" 2>&1 | grep -E 'limit|sessions|imap\.|PASS|FAIL|memory'
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss.log" | tail -1)
held=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sessions_peak'])" "$work/result.json")
echo "reference server: ${base} KiB before, ${peak} KiB at peak: $(( (peak - base) / (held > 0 ? held : 1) )) KiB per session (${held} sessions)"
