#!/usr/bin/env bash
# Installs what CI and the integration tests need on a fresh Debian machine: the real servers
# and clients the tests drive (listed in scripts/debian-packages.txt) and cargo tools.
# Idempotent: skips what is already there. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t packages < <(grep -vE '^\s*(#|$)' scripts/debian-packages.txt | awk '{print $1}')
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-ci-deps: apt-get install ${missing[*]}"
  # Keep package post-install scripts from starting system services: tests start their own.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "install-ci-deps: cargo install cargo-fuzz"
  cargo install --locked cargo-fuzz --quiet
fi
