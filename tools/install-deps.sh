#!/usr/bin/env bash
# tools/install-deps.sh: install every Debian 12 package sluice needs to
# build, test and benchmark. Idempotent; silent when all is present.
# Run as root (or via sudo). Used by the README's two commands and .ci/run.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config git ca-certificates procps netbase
  clang clang-format clang-tidy libclang-rt-14-dev
  libmariadb-dev liburing-dev libjemalloc-dev libxxhash-dev libssl-dev
  libzstd-dev zstd zlib1g-dev libisal-dev libyaml-dev libjansson-dev libcmocka-dev
  libsodium-dev
  mariadb-server mariadb-client sysbench percona-toolkit curl
  libck-dev
  openssl jq gnuplot-nox time xxd python3 valgrind linux-perf hyperfine
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install: ${missing[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}" >&2
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
