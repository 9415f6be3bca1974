#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking authd need.
# Idempotent: packages already present are left alone; apt-get runs only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
  libssl-dev liboath-dev libboost-dev libsqlite3-dev libpam0g-dev
  doctest-dev nlohmann-json3-dev libtomlplusplus-dev libqrencode-dev libcli11-dev libcairo2-dev
  libfido2-dev libcbor-dev fido2-tools python3-fido2
  libldap2-dev slapd ldap-utils
  pamtester oathtool libnss-wrapper sqlite3 openssl util-linux procps jq socat faketime
  freeradius-utils libpam-radius-auth radsecproxy openvpn iproute2 iputils-ping
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages (run as root to install): ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
