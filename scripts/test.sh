#!/usr/bin/env bash
# Runs the whole gtest suite on both storage engines, then the browser tests, and prints one closing line:
#   "N passed, N failed"   (summed over both engines and the browser; skipped tests are listed separately)
#
#   scripts/test.sh                  SQLite (LINLI_TEST_DB unset), then a private PostgreSQL server
#   scripts/test.sh --sqlite-only
#   scripts/test.sh --postgres-only
#   scripts/test.sh --no-browser     skip the browser tests (scripts/test-browser.sh, run last)
#   scripts/test.sh --browser-only
#   scripts/test.sh -- ARGS…         extra arguments for linli_tests, e.g. -- --gtest_filter='Storage*'
#
# Environment: BUILD_DIR (default build) holds a built linli_tests (`make build`); TEST_SHARDS
# (default 2) parallel gtest shards per engine; TEST_TIMEOUT (default 900 s) per shard;
# LINLI_TEST_KEEP_LOGS=1 keeps the logs folder.
#
# The binary is run directly, sharded with GTEST_TOTAL_SHARDS, rather than through ctest: ctest
# would pin LINLI_TEST_DB to its value at configure time (ENVIRONMENT_MODIFICATION in
# CMakeLists.txt), so the PostgreSQL run would silently test SQLite again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BUILD_DIR=${BUILD_DIR:-build}
SHARDS=${TEST_SHARDS:-2}
TIMEOUT=${TEST_TIMEOUT:-900}
run_sqlite=1
run_postgres=1
run_browser=1
extra_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sqlite-only) run_postgres=0 ;;
    --postgres-only) run_sqlite=0; run_browser=0 ;;
    --no-browser) run_browser=0 ;;
    --browser-only) run_sqlite=0; run_postgres=0 ;;
    --) shift; extra_args=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
TESTS_BIN="$BUILD_DIR/linli_tests"
if [ ! -x "$TESTS_BIN" ]; then
  echo "test.sh: $TESTS_BIN not found; run 'make build' (or set BUILD_DIR)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# Private folders: test temp files (TMPDIR, removed at exit) and the PostgreSQL server (under
# /tmp so that the postgres user can reach it when we are root).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/linli-test.XXXXXX")
PG_DIR=""
SHARD_PIDS=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${SHARD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SHARD_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" || true
    rm -rf "$PG_DIR"
  fi
  if [ "${LINLI_TEST_KEEP_LOGS:-0}" = 1 ]; then
    echo "test.sh: logs kept in $WORK/logs" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$WORK/tmp" "$WORK/logs"

total_passed=0
total_failed=0
total_skipped=0
summary=()

# Count helpers over a gtest log.
num_after() {  # num_after REGEX FILE → first number on the first matching line, or empty
  grep -E -m1 "$1" "$2" | grep -oE '[0-9]+' | head -n 1 || true
}

# run_engine LABEL: runs every shard of the suite in parallel with the current LINLI_TEST_DB.
run_engine() {
  local label=$1
  local start=$SECONDS
  local pids=() i
  echo "== $label: $(basename "$TESTS_BIN") in $SHARDS shard(s)"
  for ((i = 0; i < SHARDS; i++)); do
    (
      cd "$BUILD_DIR"
      export TMPDIR="$WORK/tmp" GTEST_TOTAL_SHARDS=$SHARDS GTEST_SHARD_INDEX=$i
      exec timeout --kill-after=10 "$TIMEOUT" "$TESTS_BIN" --gtest_color=no "${extra_args[@]}"
    ) >"$WORK/logs/$label.$i.log" 2>&1 &
    pids+=($!)
  done
  SHARD_PIDS=("${pids[@]}")
  local passed=0 failed=0 skipped=0 problems=()
  for ((i = 0; i < SHARDS; i++)); do
    local rc=0 log="$WORK/logs/$label.$i.log"
    wait "${pids[$i]}" || rc=$?
    local ran p s f
    ran=$(num_after '^\[==========\] [0-9]+ tests? from .* ran\.' "$log")
    p=$(num_after '^\[  PASSED  \] [0-9]+ test' "$log")
    s=$(num_after '^\[  SKIPPED \] [0-9]+ test' "$log")
    if [ -n "$ran" ]; then
      p=${p:-0}; s=${s:-0}
      f=$((ran - p - s))
    else
      # No summary: the shard crashed or timed out. Count what finished; the rest failed.
      p=$(grep -cE '^\[       OK \] ' "$log" || true)
      s=$(grep -cE '^\[  SKIPPED \] .* \([0-9]+ ms\)$' "$log" || true)
      local started
      started=$(grep -cE '^\[ RUN      \] ' "$log" || true)
      f=$((started - p - s))
      [ "$f" -ge 1 ] || f=1
      if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("shard $i timed out after ${TIMEOUT}s")
      else
        problems+=("shard $i printed no gtest summary (exit code $rc; crashed, or not a gtest main?)")
      fi
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
      f=1
      problems+=("shard $i exited with code $rc although no test failed")
    fi
    passed=$((passed + p)); skipped=$((skipped + s)); failed=$((failed + f))
    SHARD_PIDS=("${SHARD_PIDS[@]:1}")
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
      echo "---- $label shard $i output (failures) ----"
      # Failed tests' output: everything except the lines of passing tests.
      grep -vE '^\[ RUN      \] |^\[       OK \] |^\[----------\] ' "$log" | cat -s || true
      echo "---- end of $label shard $i ----"
    fi
  done
  # Skipped tests, listed once per engine (gtest prints the list per shard).
  local skipped_names
  skipped_names=$(cat "$WORK"/logs/"$label".*.log | grep -E '^\[  SKIPPED \] [^ ]+$' | sed 's/^\[  SKIPPED \] //' |
                  sort -u | paste -sd ' ' - || true)
  local line="$label: $passed passed, $failed failed, $skipped skipped ($((SECONDS - start)) s)"
  for pr in "${problems[@]}"; do line+="; $pr"; done
  echo "$line"
  [ -z "$skipped_names" ] || echo "   skipped: $skipped_names"
  summary+=("$line")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
}

if [ "$run_sqlite" = 1 ]; then
  unset LINLI_TEST_DB
  run_engine sqlite
fi

if [ "$run_postgres" = 1 ]; then
  PG_DIR=$(mktemp -d /tmp/linli-pg.XXXXXX)
  echo "== postgresql: starting a private server in $PG_DIR"
  if url=$("$ROOT/scripts/pg-test-server.sh" start "$PG_DIR"); then
    export LINLI_TEST_DB="$url"
    run_engine postgresql
    unset LINLI_TEST_DB
  else
    line="postgresql: the private server did not start; suite not run"
    echo "$line"
    summary+=("$line")
    total_failed=$((total_failed + 1))
  fi
  "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR" || true
  rm -rf "$PG_DIR"
  PG_DIR=""
fi

if [ "$run_browser" = 1 ]; then
  echo "== browser: tests/browser/run.mjs (Chromium, headless)"
  start=$SECONDS
  rc=0
  "$ROOT/scripts/test-browser.sh" >"$WORK/logs/browser.log" 2>&1 || rc=$?
  grep -vE '^ok   ' "$WORK/logs/browser.log" | grep -v '^browser: ' || true
  grep -E '^ok   ' "$WORK/logs/browser.log" | sed 's/^/   /' || true
  bline=$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed' "$WORK/logs/browser.log" | tail -n 1 || true)
  p=$(sed -E 's/^browser: ([0-9]+) passed.*/\1/' <<<"$bline")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$bline")
  if [ -z "$bline" ]; then
    p=0; f=1
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  line="browser: $p passed, $f failed ($((SECONDS - start)) s)"
  echo "$line"
  summary+=("$line")
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
fi

echo
echo "== summary"
for line in "${summary[@]}"; do echo "   $line"; done
[ "$total_skipped" -eq 0 ] || echo "   ($total_skipped skipped in all)"
if [ "$total_failed" -eq 0 ] && [ "$total_passed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  total_failed=1
fi
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
