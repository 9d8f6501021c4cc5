#!/usr/bin/env bash
# Builds the web UI into web/dist (served by `linli serve`): `npm ci` when web/node_modules is
# missing or older than web/package-lock.json, then `npm run build` when any source is newer
# than the last build. Quiet when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/../web"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "build-web: npm ci (web/)"
  npm ci --no-audit --no-fund --loglevel=error
fi

stamp=dist/index.html
if [ -f "$stamp" ] && [ -z "$(find src index.html vite.config.ts package-lock.json \
     ../data/registry/columns.csv ../data/policy/permissions.csv -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
echo "build-web: vite build → web/dist"
npm run --silent build >/tmp/linli-web-build.$$.log 2>&1 || { cat /tmp/linli-web-build.$$.log >&2; rm -f /tmp/linli-web-build.$$.log; exit 1; }
rm -f /tmp/linli-web-build.$$.log
node scripts/size.mjs
