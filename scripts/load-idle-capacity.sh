#!/usr/bin/env bash
# How many concurrent IDLE sessions one `groupwire load` process holds against the embedded
# reference server (in another process), and the resident memory per session of both.
#   scripts/load-idle-capacity.sh [SESSIONS] [RAMP] [DURATION] [GROUPWIRE]
# Defaults: 15000 sessions, 50s ramp, 75s of load (about 2 minutes in all), the debug binary.
# Past one process's descriptor limit (about 19,900 sessions here): WORKERS=N runs the reference
# as N processes sharing its ports (SO_REUSEPORT; memory is summed over them) and SHARDS=M runs
# the generator as M processes (`--shard K/M`, merged with `load merge`).
# SERVER=dovecot: against a real Dovecot (scripts/servers/dovecot.sh with SESSIONS=N and N
# extra accounts) instead of the reference; its memory is the proportional set size summed
# over its process group.
# Every session is one connection from 127.0.0.1 to one server port, so the ephemeral port
# range (net.ipv4.ip_local_port_range, 32768-60999 by default: about 28,000) bounds a run
# before the descriptor limits do; past it, widen the range (sysctl, as root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
workers=${WORKERS:-1}
shards=${SHARDS:-1}
server=${SERVER:-reference}
sessions=${1:-15000}
ramp=${2:-50s}
duration=${3:-75s}
groupwire=${4:-${CARGO_TARGET_DIR:-target}/debug/groupwire}
work=$(mktemp -d)
chmod 755 "$work" # a real server runs as its own users and must reach its directory
export LOAD_CAPACITY_PASSWORD=capacity-secret-1
pattern="user{00001..$(printf '%05d' "$sessions")}@example.test"

if [ "$server" = dovecot ]; then
  export LOAD_CAPACITY_PASSWORD=load-password
  pattern="load{001..$(printf '%03d' "$sessions")}@example.test"
  SESSIONS=$sessions GW_EXTRA_USERS=$sessions HARDENED=0 "$here/servers/dovecot.sh" start "$work/dovecot" >/dev/null
  trap '"$here/servers/dovecot.sh" stop "$work/dovecot" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  env_of() { sed -n "s/^$1=//p" "$work/dovecot/env" | tail -1; }
  cat >"$work/target.toml" <<TARGET
name = "dovecot"
imap = "imaps://$(env_of HOST):$(env_of IMAPS_PORT)"
[tls]
trust = "ca-file"
ca_file = "$(env_of CERT)"
TARGET
  group=$(env_of PID)
  # Every process of Dovecot's group (master, login, one imap process per session), by
  # proportional set size: resident sizes would count the shared libraries once per process.
  rss() {
    local total=0 pid
    for pid in $(pgrep -g "$group"); do
      kib=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null) || true
      total=$((total + ${kib:-0}))
    done
    echo "$total"
  }
  alive() { kill -0 "$group" 2>/dev/null; }
  label="dovecot"
else
  "$groupwire" load reference --accounts "$pattern" --password-env LOAD_CAPACITY_PASSWORD \
      --workers "$workers" --write-target "$work/target.toml" >"$work/reference.out" 2>&1 &
  reference=$!
  trap 'kill "$reference" 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 1200); do
    if [ -s "$work/target.toml" ] && { [ "$workers" = 1 ] || grep -q ' pids ' "$work/reference.out"; }; then
      break
    fi
    sleep 0.1
  done
  pids=$reference
  [ "$workers" = 1 ] || pids=$(sed -n 's/.* pids //p' "$work/reference.out")
  rss() {
    local total=0 pid
    for pid in $pids; do
      # A process that has just ended has no status (or no VmRSS line): it counts 0.
      kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
      total=$((total + ${kib:-0}))
    done
    echo "$total"
  }
  alive() { kill -0 "$reference" 2>/dev/null; }
  label="reference server"
fi
base=$(rss)
peak=$base
( while alive; do rss; sleep 1; done ) >"$work/rss.log" &
sampler=$!

load() {
  "$groupwire" load "$work/target.toml" --accounts "$pattern" --password-env LOAD_CAPACITY_PASSWORD \
      --users "$sessions" --mix idle --ramp "$ramp" --duration "$duration" --action-timeout 60s "$@"
}
if [ "$shards" = 1 ]; then
  load -o "$work/result.json" 2>&1 | grep -E 'limit|sessions|imap\.|PASS|FAIL|memory'
else
  generators=()
  for ((k = 0; k < shards; k++)); do
    load --shard "$k/$shards" -o "$work/shard$k.json" >"$work/shard$k.out" 2>&1 &
    generators+=($!)
  done
  for pid in "${generators[@]}"; do wait "$pid" || true; done
  grep -h -E 'limit' "$work"/shard*.out | sort -u
  "$groupwire" load merge "$work"/shard*.json -o "$work/result.json" 2>&1 | grep -E 'sessions|imap\.|PASS|FAIL|memory'
fi
kill "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss.log" | tail -1)
held=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sessions_peak'])" "$work/result.json")
echo "$label ($workers worker(s)), generator ($shards process(es)):"
echo "$label: ${base} KiB before, ${peak} KiB at peak: $(( (peak - base) / (held > 0 ? held : 1) )) KiB per session (${held} sessions)"
