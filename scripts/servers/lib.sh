# Shared helpers for the server starters (sourced, not run).
# Starters print KEY=VALUE lines on stdout and into DIR/env; `stop DIR` kills the process
# group recorded in DIR/env as PID (each server runs under setsid, so PID is its PGID).

# Test accounts: test passwords only, never real secrets.
GW_USERS=("alice:alice-password" "bob:bob-password")

die() { echo "$*" >&2; exit 1; }

# An unused TCP port on 127.0.0.1 (the OS picks it; not 2024, which the sandbox holds).
free_port() {
  local port
  while :; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    [ "$port" != 2024 ] && { echo "$port"; return; }
  done
}

# wait_port PORT [SECONDS]: until something accepts on 127.0.0.1:PORT.
wait_port() {
  local port=$1 deadline=$((SECONDS + ${2:-20}))
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Self-signed certificate for localhost / 127.0.0.1 in DIR/tls/{cert,key}.pem.
make_cert() {
  local dir=$1
  mkdir -p "$dir/tls"
  [ -s "$dir/tls/cert.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" >/dev/null 2>&1 ||
    die "openssl could not create a certificate"
  chmod 644 "$dir/tls/cert.pem" "$dir/tls/key.pem"
}

# emit KEY VALUE: print and append to DIR/env.
emit() {
  echo "$1=$2"
  echo "$1=$2" >>"$GW_DIR/env"
}

# Is PID alive and not a zombie?
alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# stop_group DIR: TERM then KILL the process group recorded in DIR/env.
stop_group() {
  local dir=$1 pid
  [ -f "$dir/env" ] || die "no $dir/env: not started?"
  pid=$(sed -n 's/^PID=//p' "$dir/env" | tail -1)
  [ -n "$pid" ] || die "no PID in $dir/env"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  echo "STOPPED=$pid"
}

# start_group DIR LOG CMD...: run CMD under setsid in the background; prints the pid.
start_group() {
  local log=$1
  shift
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $!
}
