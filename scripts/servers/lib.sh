# Shared helpers for the server starters (sourced, not run).
# Starters print KEY=VALUE lines on stdout and into DIR/env; `stop DIR` kills the process
# group recorded in DIR/env as PID (each server runs under setsid, so PID is its PGID).

# Test accounts: test passwords only, never real secrets.
GW_USERS=("alice:alice-password" "bob:bob-password")
# GW_EXTRA_USERS=N adds load001..loadN (password load-password), e.g. for load tests.
if [[ "${GW_EXTRA_USERS:-0}" =~ ^[0-9]+$ ]]; then
  for ((gw_n = 1; gw_n <= ${GW_EXTRA_USERS:-0}; gw_n++)); do
    GW_USERS+=("$(printf 'load%03d' "$gw_n"):load-password")
  done
fi

die() { echo "$*" >&2; exit 1; }

# free_ports N: N different unused TCP ports on 127.0.0.1, space-separated (the OS picks them,
# all bound at once so none is handed out twice; never 2024, which the sandbox holds). Picked
# one at a time, two of a server's listeners once got the same port ("duplicate listener").
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
held, ports = [], []
while len(ports) < int(sys.argv[1]):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    port = s.getsockname()[1]
    if port != 2024:
        ports.append(port)
print(*ports)
PY
}

# An unused TCP port on 127.0.0.1 (see free_ports).
free_port() { free_ports 1; }

# wait_port PORT [SECONDS] [HOST]: until something accepts on HOST:PORT (default 127.0.0.1).
wait_port() {
  local port=$1 deadline=$((SECONDS + ${2:-20})) host=${3:-127.0.0.1}
  while ((SECONDS < deadline)); do
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

# The hardened variant of a starter is chosen with HARDENED=1 in the environment.
hardened() { [ "${HARDENED:-0}" = 1 ]; }

# make_ca CA_DIR: the test CA (CA_DIR/ca.pem, CA_DIR/ca-key.pem), created once; a lock keeps
# starters that share one CA_DIR from racing.
make_ca() {
  local ca=$1
  mkdir -p "$ca"
  (
    flock 9
    [ -s "$ca/ca.pem" ] && exit 0
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=groupwire test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$ca/ca-key.pem" -out "$ca/ca.pem" >/dev/null 2>&1 || exit 1
    chmod 644 "$ca/ca.pem"
  ) 9>"$ca/.lock" || die "openssl could not create the test CA"
}

# make_cert DIR: a server certificate for localhost, 127.0.0.1 and 127.0.0.2 (CA:FALSE) in
# DIR/tls/{cert,key}.pem, signed by the test CA in $GW_CA_DIR (default DIR/ca, created when
# absent); DIR/tls/ca.pem is the CA certificate, the trust anchor clients are given. A
# DIR/tls/cert.pem already there is kept (and is its own anchor).
make_cert() {
  local dir=$1 ca=${GW_CA_DIR:-$1/ca}
  mkdir -p "$dir/tls"
  if [ -s "$dir/tls/cert.pem" ]; then
    # A certificate the caller put there (self-signed) is its own trust anchor.
    [ -s "$dir/tls/ca.pem" ] || cp "$dir/tls/cert.pem" "$dir/tls/ca.pem"
    return 0
  fi
  make_ca "$ca"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:127.0.0.2" >"$dir/tls/ext.cnf"
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/tls/key.pem" -out "$dir/tls/req.pem" >/dev/null 2>&1 &&
    openssl x509 -req -in "$dir/tls/req.pem" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" \
      -CAcreateserial -CAserial "$dir/tls/ca.srl" -days 365 -extfile "$dir/tls/ext.cnf" \
      -out "$dir/tls/cert.pem" >/dev/null 2>&1 ||
    die "openssl could not create a certificate"
  cp "$ca/ca.pem" "$dir/tls/ca.pem"
  chmod 644 "$dir/tls/cert.pem" "$dir/tls/key.pem" "$dir/tls/ca.pem"
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
