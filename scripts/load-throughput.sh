#!/usr/bin/env bash
# Actions per second and per CPU second of one `groupwire load` process against the embedded
# reference server (in another process): USERS users with no think time, IMAP reads, flags,
# syncs and submissions, for DURATION.
#   scripts/load-throughput.sh [USERS] [DURATION] [GROUPWIRE]
# Defaults: 200 users, 20s, the debug binary.
# SERVER=postfix: against a real Postfix delivering over LMTP into a real Dovecot
# (scripts/servers/postfix.sh, USERS extra accounts load001..), instead of the reference; the
# CPU seconds of the servers' processes (their process groups) are reported beside ours.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
users=${1:-200}
duration=${2:-20s}
groupwire=${3:-${CARGO_TARGET_DIR:-target}/debug/groupwire}
server=${SERVER:-reference}
work=$(mktemp -d)
chmod 755 "$work" # the real servers run as their own users and must reach their directories
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

# CPU ticks (user + system, of the process and its waited-for children) of every process
# in the process groups given.
group_ticks() {
  local total=0 pgid pid
  for pgid in "$@"; do
    for pid in $(pgrep -g "$pgid" 2>/dev/null); do
      total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}

if [ "$server" = postfix ]; then
  export LOAD_THROUGHPUT_PASSWORD=load-password
  pattern="load{001..$(printf '%03d' "$users")}@example.test"
  GW_EXTRA_USERS=$users HARDENED=0 "$here/servers/postfix.sh" start "$work/mail" >/dev/null
  trap '"$here/servers/postfix.sh" stop "$work/mail" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  env_of() { sed -n "s/^$1=//p" "$work/mail/env" | tail -1; }
  cat >"$work/target.toml" <<TARGET
name = "postfix + dovecot"
imap = "imaps://$(env_of IMAP_HOST):$(env_of IMAPS_PORT)"
smtp = "smtps://127.0.0.1:$(env_of SUBMISSIONS_PORT)"
[tls]
trust = "ca-file"
ca_file = "$(env_of CERT)"
TARGET
  # Postfix's master and Dovecot's, each the leader of its own process group.
  groups="$(env_of PID) $(sed -n 's/^PID=//p' "$(env_of DOVECOT_DIR)/env" | tail -1)"
  label="postfix + dovecot"
else
  # Its own process group (setsid execs in place: $! is the server), like the real servers.
  setsid "$groupwire" load reference --accounts "$pattern" --password-env LOAD_THROUGHPUT_PASSWORD \
      --write-target "$work/target.toml" >"$work/reference.out" 2>&1 &
  reference=$!
  trap 'kill "$reference" 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 100); do [ -s "$work/target.toml" ] && break; sleep 0.1; done
  groups=$reference
  label="reference server"
fi
# Ticks of processes that end during the run (Dovecot's imap processes) are counted by their
# parents once reaped: columns 16 and 17 above.
before=$(group_ticks $groups)
"$groupwire" load "$work/target.toml" --accounts "$pattern" --password-env LOAD_THROUGHPUT_PASSWORD \
    --users "$users" --mix "$work/mix.toml" --duration "$duration" 2>&1 \
    | grep -E 'actions|CPU|PASS|FAIL|imap\.|smtp\.|delivery'
after=$(group_ticks $groups)
echo "$label: $(( (after - before) / $(getconf CLK_TCK) )) CPU seconds during the run"
