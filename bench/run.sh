#!/usr/bin/env bash
# The benchmarks of docs/PERFORMANCE.md (B1 import, B2a–B2c search), each as a ratio against a
# limit measured in the same run, answers checked first. One command:
#
#   bench/run.sh [--tier S|M|both] [--rounds N] [--m-rounds N] [--queries N]
#   bench/run.sh --only B3 [--tier S|M|both] [--rounds N] [--queries N] [--deep-page N]
#
#   --tier      S = 30k residents (1 community), M = 1M residents (100 communities); default both
#   --rounds    interleaved rounds at S (B1 and B2), default 3; B3: at every tier
#   --m-rounds  interleaved B2 rounds at M, default 1; B1 runs once at M (linli imports 1M rows
#               in minutes, and the whole tier has to finish in 20 minutes on 2 cores)
#   --queries   queries per search kind, default 200; B3: queries per list kind, default 20
#   --only B3   only B3 (ledger lists) on its own store bench/out/b3/<tier>/linli.db, made once:
#               a copy of bench/out/<tier>/linli.db when B1 left one (else imported), plus
#               ledger entries at the declared demo rates; results in bench/out/results-b3-<tier>.txt
#   --deep-page the deep page B3 reaches by following the keyset cursor, default 60
#
# Builds linli_bench in Release in build-bench/, writes the CSV files, stores and logs under
# bench/out/<tier>/ and the result lines to bench/out/results-<tier>.txt, and prints the lines.
# Exit status: 0 when every answer matched its limit's answer, 1 on any mismatch, 2 on errors.
# Times are never a failure: the figures are for docs/PERFORMANCE.md, not a gate.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TIER=both
ROUNDS=3
M_ROUNDS=1
QUERIES=
ONLY=
DEEP_PAGE=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tier) TIER=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --m-rounds) M_ROUNDS=$2; shift 2 ;;
    --queries) QUERIES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --deep-page) DEEP_PAGE=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$TIER" in
  S) TIERS=(S) ;;
  M) TIERS=(M) ;;
  both) TIERS=(S M) ;;
  *) echo "bench/run.sh: --tier S|M|both" >&2; exit 2 ;;
esac
for tool in sqlite3 stdbuf cmake ninja; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool is required" >&2; exit 2; }
done

BUILD="$ROOT/build-bench"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" linli_bench >&2

header() {
  echo "# date=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
  echo "# nproc=$(nproc) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')\" mem_gb=$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)"
  echo "# sqlite3_cli=$(sqlite3 --version | cut -d' ' -f1) libsqlite3=$(pkg-config --modversion sqlite3 2>/dev/null || echo '?') loadavg_start=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
}

status=0
START=$(date +%s)
if [[ -n $ONLY ]]; then
  [[ $ONLY == B3 ]] || { echo "bench/run.sh: --only B3 (the only benchmark that runs alone)" >&2; exit 2; }
  QUERIES=${QUERIES:-20}
  for t in "${TIERS[@]}"; do
    dir="$OUT/b3/$t"
    mkdir -p "$dir"
    source_args=()
    if [[ -f $OUT/$t/linli.db && -f $OUT/$t/field.key ]]; then source_args=(--source "$OUT/$t/linli.db"); fi
    results="$OUT/results-b3-$t.txt"
    t0=$(date +%s)
    set +e
    (
      header
      echo "# command: bench/run.sh --only B3 --tier $TIER --rounds $ROUNDS --queries $QUERIES --deep-page $DEEP_PAGE"
      "$BUILD/linli_bench" b3 --tier "$t" --out "$dir" --rounds "$ROUNDS" --queries "$QUERIES" \
        --deep-page "$DEEP_PAGE" "${source_args[@]}" 2> "$dir/log.txt"
      rc=$?
      echo "# tier $t: exit $rc, $(( $(date +%s) - t0 )) s, loadavg_end=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
      exit $rc
    ) | tee "$results"
    rc=${PIPESTATUS[0]}
    set -e
    if [[ $rc -ne 0 ]]; then
      echo "bench/run.sh: B3 tier $t failed (exit $rc); see $dir/log.txt:" >&2
      grep -E "MISMATCH|linli_bench:" "$dir/log.txt" | head -20 >&2 || true
      if [[ $status -eq 0 ]]; then status=$rc; fi
    fi
  done
  echo "# total $(( $(date +%s) - START )) s; results in $OUT/results-b3-*.txt, logs in $OUT/b3/*/log.txt"
  exit $status
fi
QUERIES=${QUERIES:-200}
for t in "${TIERS[@]}"; do
  mkdir -p "$OUT/$t"
  if [[ $t == S ]]; then
    args=(--rounds "$ROUNDS" --b1-rounds "$ROUNDS")
  else
    args=(--rounds "$M_ROUNDS" --b1-rounds 1)
  fi
  results="$OUT/results-$t.txt"
  t0=$(date +%s)
  set +e
  (
    header
    echo "# command: bench/run.sh --tier $TIER --rounds $ROUNDS --m-rounds $M_ROUNDS --queries $QUERIES (tier $t: ${args[*]})"
    "$BUILD/linli_bench" all --tier "$t" --out "$OUT/$t" --queries "$QUERIES" "${args[@]}" 2> "$OUT/$t/log.txt"
    rc=$?
    echo "# tier $t: exit $rc, $(( $(date +%s) - t0 )) s, loadavg_end=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    exit $rc
  ) | tee "$results"
  rc=${PIPESTATUS[0]}
  set -e
  if [[ $rc -ne 0 ]]; then
    echo "bench/run.sh: tier $t failed (exit $rc); see $OUT/$t/log.txt:" >&2
    grep -E "MISMATCH|linli_bench:" "$OUT/$t/log.txt" | head -20 >&2 || true
    if [[ $status -eq 0 ]]; then status=$rc; fi
  fi
done
echo "# total $(( $(date +%s) - START )) s; results in $OUT/results-*.txt, logs in $OUT/*/log.txt"
exit $status
