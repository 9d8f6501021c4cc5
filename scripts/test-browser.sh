#!/usr/bin/env bash
# Runs the browser tests (tests/browser/run.mjs: playwright-core driving Debian's Chromium against
# a private `linli serve` on a fresh demo store) and ends with "browser: N passed, N failed".
# Needs a built $BUILD_DIR/linli and web/dist (make build). Screenshots go to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD_DIR=${BUILD_DIR:-build}
if [ ! -x "$BUILD_DIR/linli" ] || [ ! -f web/dist/index.html ] || [ ! -d web/node_modules/playwright-core ]; then
  echo "test-browser: needs $BUILD_DIR/linli, web/dist and web/node_modules; run 'make build'" >&2
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "test-browser: $CHROMIUM not found; run scripts/install-deps.sh (Debian package chromium)" >&2
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
export CHROMIUM
exec timeout --kill-after=10 "${BROWSER_TEST_TIMEOUT:-600}" node tests/browser/run.mjs
