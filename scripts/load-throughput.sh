#!/usr/bin/env bash
# Actions per second and per CPU second of one `groupwire load` process against the embedded
# reference server (in another process): USERS users with no think time, IMAP reads, flags,
# syncs and submissions, for DURATION.
#   scripts/load-throughput.sh [USERS] [DURATION] [GROUPWIRE]
# Defaults: 200 users, 20s, the debug binary.
set -euo pipefail
users=${1:-200}
duration=${2:-20s}
groupwire=${3:-${CARGO_TARGET_DIR:-target}/debug/groupwire}
work=$(mktemp -d)
export LOAD_THROUGHPUT_PASSWORD=throughput-secret-1
pattern="user{00001..$(printf '%05d' "$users")}@example.test"
cat >"$work/mix.toml" <<'MIX'
name = "throughput"
description = "No think time: as many actions as the generator and server sustain."
[arrival]
model = "closed"
actions_per_session = 0
[[action]]
kind = "imap.sync"
weight = 4
[[action]]
kind = "imap.fetch-headers"
weight = 4
[[action]]
kind = "imap.fetch-body"
weight = 4
[[action]]
kind = "imap.flag"
weight = 2
[[action]]
kind = "imap.resync"
weight = 1
[[action]]
kind = "smtp.submit"
weight = 1
size = "4KB"
MIX

"$groupwire" load reference --accounts "$pattern" --password-env LOAD_THROUGHPUT_PASSWORD \
    --write-target "$work/target.toml" >"$work/reference.out" 2>&1 &
reference=$!
trap 'kill "$reference" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/target.toml" ] && break; sleep 0.1; done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=$(cpu "$reference")
"$groupwire" load "$work/target.toml" --accounts "$pattern" --password-env LOAD_THROUGHPUT_PASSWORD \
    --users "$users" --mix "$work/mix.toml" --duration "$duration" 2>&1 \
    | grep -E 'actions|CPU|PASS|FAIL|imap\.|smtp\.|delivery'
after=$(cpu "$reference")
echo "reference server: $(( (after - before) / 100 )) CPU seconds during the run"
