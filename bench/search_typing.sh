#!/usr/bin/env bash
# The UI search goal (issue 4: "search results appear within 100 ms of typing at 1M residents"):
# `linli serve` over a store of N residents answering as-you-type searches, keystroke by
# keystroke, as the web UI sends them (docs/PERFORMANCE.md, "UI search as you type").
#
#   bench/search_typing.sh [--residents N] [--typists "1 4"] [--sequences K] [--repeat R]
#
# Defaults: 1,000,000 residents (`linli demo --residents N --seed 1`, built once and kept under
# bench/out/typing/; about 35 minutes at 1M on the 2-core machine), typists 1 and then 4 at once,
# 60 residents' sequences, 1 repetition. BUILD_DIR (default build-bench, Release) names the build
# of linli to run. Signs in as a district supervisor (TOTP; all N residents in scope) and as a
# community worker (one community), replays the sequences (bench/search_typing.py) after one warm-up
# pass, prints p50/p95/p99 per keystroke by kind and appends them to bench/out/results-typing.txt.
# Times are figures, never a failure; exit status 1 when a request failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RESIDENTS=1000000
TYPISTS="1 4"
SEQUENCES=60
REPEAT=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --residents) RESIDENTS=$2; shift 2 ;;
    --typists) TYPISTS=$2; shift 2 ;;
    --sequences) SEQUENCES=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/search_typing.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v sqlite3 >/dev/null || { echo "bench/search_typing.sh: needs the sqlite3 CLI" >&2; exit 2; }

BUILD="${BUILD_DIR:-build-bench}"
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"
OUT="$ROOT/bench/out/typing"
mkdir -p "$OUT"
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$BUILD" linli >&2
LINLI="$BUILD/linli"
export LINLI_AUDIT_KEY="$OUT/audit.key" LINLI_FIELD_KEY="$OUT/field.key"

STORE="$OUT/store-$RESIDENTS.db"
if [[ ! -f $STORE ]]; then
  rm -f "$OUT"/audit.key* "$OUT"/field.key
  "$LINLI" demo --db "sqlite:$STORE" --residents "$RESIDENTS" --seed 1 --logins-file "$OUT/logins.txt" >&2
fi

# Two users: a district supervisor (every resident in scope; TOTP) and a community worker.
PASSWORD='Linli#2026type'
CREDS="$OUT/users-$RESIDENTS.txt"
if [[ ! -f $CREDS ]]; then
  sup=$("$LINLI" user add --db "sqlite:$STORE" --json --username typing_sup --role supervisor --org 110105 \
          --password "$PASSWORD")
  secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["totp_secret"])' <<<"$sup")
  "$LINLI" user add --db "sqlite:$STORE" --username typing_worker --role community_worker --org 110105001001 \
    --password "$PASSWORD" >/dev/null
  echo "typing_sup $secret" > "$CREDS"
  echo "typing_worker -" >> "$CREDS"
fi

# Sequences from residents of the store (deterministic): a name character by character, its
# pinyin and initials letter by letter (at most 8 keys), the first 8 characters of an address,
# and digit strings of 1-6 digits (ID or phone fragments; 4 or more digits search the tails).
SEQ="$OUT/sequences-$RESIDENTS.txt"
sqlite3 -separator $'\t' "$STORE" "
  SELECT name, name_pinyin, name_initials, address FROM persons
  WHERE status = 'active' ORDER BY (id * 7919) % 1000003 LIMIT $SEQUENCES;" |
python3 -c '
import sys
out = []
digits = "135792468024681357"
for i, line in enumerate(sys.stdin):
    name, pinyin, initials, address = line.rstrip("\n").split("\t")
    def prefixes(s, n=8):
        return [s[:k] for k in range(1, min(len(s), n) + 1)]
    out.append("name\t" + "\t".join(prefixes(name)))
    out.append("pinyin\t" + "\t".join(prefixes(pinyin)))
    out.append("initials\t" + "\t".join(prefixes(initials)))
    out.append("address\t" + "\t".join(prefixes(address)))
    d = digits[i % 9:][:6]
    out.append("digits\t" + "\t".join(prefixes(d)))
print("\n".join(out))
' > "$SEQ"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
"$LINLI" serve --db "sqlite:$STORE" --listen "127.0.0.1:$PORT" > "$OUT/serve.log" 2>&1 &
SPID=$!
trap 'kill "$SPID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break; sleep 0.2; done

# First sign-in changes the initial password (admin-set passwords must be changed).
RUN=(python3 "$ROOT/bench/search_typing.py" --port "$PORT" --sequences "$SEQ" --repeat "$REPEAT")
python3 - "$ROOT/bench/search_typing.py" "$PORT" "$PASSWORD" "$CREDS" <<'EOF'
import importlib.util, sys, time
spec = importlib.util.spec_from_file_location("typing", sys.argv[1])
t = importlib.util.module_from_spec(spec)
spec.loader.exec_module(t)
port, password, creds = int(sys.argv[2]), sys.argv[3], sys.argv[4]
for line in open(creds):
    user, secret = line.split()
    secret = "" if secret == "-" else secret
    c = t.Client(port)
    body = {"username": user, "password": password}
    if secret:
        body["totp_code"] = t.totp(secret)
    status, data = c.call("POST", "/api/v1/sessions", body)
    if status == 201 and b'"must_change_password":true' in data:
        import json
        c.csrf = json.loads(data)["data"]["csrf_token"]
        c.call("POST", "/api/v1/session/password", {"old_password": password, "new_password": password + "-2"})
    if secret:
        time.sleep(31 - time.time() % 30)  # the code was used
EOF
PASSWORD="$PASSWORD-2"

{
  echo "# date=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none) nproc=$(nproc) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" residents=$RESIDENTS sequences=$(wc -l < "$SEQ") build=$(basename "$BUILD")"
} | tee -a "$ROOT/bench/out/results-typing.txt"
status=0
while read -r user secret <&3; do
  [[ $secret == - ]] && secret=""
  # Warm-up: one pass over the sequences (the page cache and SQLite's caches, as on a working server).
  "${RUN[@]}" --user "$user" --password "$PASSWORD" ${secret:+--totp "$secret"} --typists 1 --label warmup >/dev/null || true
  for n in $TYPISTS; do
    [[ -n $secret ]] && sleep $((31 - $(date +%s) % 30))
    "${RUN[@]}" --user "$user" --password "$PASSWORD" ${secret:+--totp "$secret"} --typists "$n" --label "user=$user" ||
      status=1
  done
done 3< "$CREDS" > >(tee -a "$ROOT/bench/out/results-typing.txt")
exit $status
