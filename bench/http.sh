#!/usr/bin/env bash
# B2a over HTTP (docs/PERFORMANCE.md): `linli serve` answering person searches (name, name prefix,
# pinyin, initials, ID tail) for a signed-in user, against nginx serving a static JSON response of
# the same size from the same paths — both under wrk with the same connections, threads and time.
#
#   bench/http.sh [--residents N] [--connections C] [--duration SECONDS] [--threads T]
#
# Defaults: 30000 residents (tier S), 64 connections, 10 s, 2 wrk threads. Installs nginx-light and
# wrk from Debian when missing (sudo when not root). Builds linli (Release) in build-bench/, keeps
# the store, logs and wrk output under bench/out/http/, prints one result line per server and the
# ratio, and appends them to bench/out/results-http.txt. Times are figures, never a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RESIDENTS=30000
CONNECTIONS=64
DURATION=10
THREADS=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --residents) RESIDENTS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench/http.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO=sudo
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "+ apt-get install ${missing[*]}" >&2
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

BUILD="$ROOT/build-bench"
OUT="$ROOT/bench/out/http"
mkdir -p "$OUT"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" linli >&2
LINLI="$BUILD/linli"
export LINLI_AUDIT_KEY="$OUT/audit.key" LINLI_FIELD_KEY="$OUT/field.key"

STORE="$OUT/store-$RESIDENTS.db"
if [[ ! -f $STORE ]]; then
  rm -f "$OUT"/*.key "$OUT"/*.key.anchor
  "$LINLI" demo --db "sqlite:$STORE" --residents "$RESIDENTS" --seed 1 --logins-file "$OUT/logins.txt" >&2
fi
PASSWORD='Linli#2026load'
if ! "$LINLI" user list --db "sqlite:$STORE" | grep -q '^bench'; then
  "$LINLI" user add --db "sqlite:$STORE" --username bench --role community_worker --org 110105 --password "$PASSWORD" >&2
fi

# Queries: full names, 1-character name prefixes, full pinyin, initials and 4-digit ID tails of
# residents in the store (the tails through the API's search, which reads the blind index).
QUERIES="$OUT/queries.txt"
sqlite3 "$STORE" "SELECT name FROM persons ORDER BY id % 997, id LIMIT 100;
                  SELECT DISTINCT substr(name, 1, 1) FROM persons LIMIT 50;
                  SELECT name_pinyin FROM persons ORDER BY id % 991, id LIMIT 50;
                  SELECT name_initials FROM persons ORDER BY id % 983, id LIMIT 50;" > "$QUERIES"
for i in $(seq 1000 37 2800); do echo "$i"; done >> "$QUERIES"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
         echo $((20000 + RANDOM % 20000)); }
LPORT=$(port)
"$LINLI" serve --db "sqlite:$STORE" --listen "127.0.0.1:$LPORT" --threads 2 > "$OUT/serve.log" 2>&1 &
LPID=$!
NPID=""
cleanup() {
  kill "$LPID" 2>/dev/null || true
  [[ -n $NPID ]] && kill "$NPID" 2>/dev/null || true
  [[ -f $OUT/nginx.pid ]] && kill "$(cat "$OUT/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$LPORT/api/v1/health" >/dev/null && break; sleep 0.1; done

# Sign in (changing the initial password once), keep the cookie.
JAR="$OUT/cookies.txt"
rm -f "$JAR"
login() { curl -s -c "$JAR" -b "$JAR" -H 'Content-Type: application/json' \
            -d "{\"username\":\"bench\",\"password\":\"$1\"}" "http://127.0.0.1:$LPORT/api/v1/sessions"; }
reply=$(login "$PASSWORD")
if ! grep -q '"csrf_token"' <<<"$reply"; then  # a store of an earlier run: password changed already
  PASSWORD="$PASSWORD-2"
  reply=$(login "$PASSWORD")
fi
grep -q '"csrf_token"' <<<"$reply" || { echo "bench/http.sh: cannot sign in: $reply" >&2; exit 2; }
if grep -q '"must_change_password":true' <<<"$reply"; then
  csrf=$(sed -E 's/.*"csrf_token":"([^"]+)".*/\1/' <<<"$reply")
  curl -s -c "$JAR" -b "$JAR" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
    -d "{\"old_password\":\"$PASSWORD\",\"new_password\":\"$PASSWORD-2\"}" \
    "http://127.0.0.1:$LPORT/api/v1/session/password" >/dev/null
fi
COOKIE=$(awk '$6 == "linli_session" {print "linli_session=" $7}' "$JAR")

# The wrk script: every request a search from the list, with the session cookie.
LUA="$OUT/search.lua"
cat > "$LUA" <<EOF
local queries = {}
for line in io.lines("$QUERIES") do
  if #line > 0 then
    queries[#queries + 1] = line:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  end
end
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/v1/persons/search?limit=20&q=" .. queries[i], { ["Cookie"] = "$COOKIE" })
end
EOF

# A static response of the typical size for nginx (the answer to the first query).
SAMPLE="$OUT/sample.json"
first=$(head -1 "$QUERIES" | python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip()))' 2>/dev/null || true)
curl -s -b "$JAR" "http://127.0.0.1:$LPORT/api/v1/persons/search?limit=20&q=$first" > "$SAMPLE"
NPORT=$(port)
mkdir -p "$OUT/nginx"
cat > "$OUT/nginx.conf" <<EOF
worker_processes 2;
pid $OUT/nginx.pid;
error_log $OUT/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $OUT/nginx;
  proxy_temp_path $OUT/nginx;
  fastcgi_temp_path $OUT/nginx;
  uwsgi_temp_path $OUT/nginx;
  scgi_temp_path $OUT/nginx;
  server {
    listen 127.0.0.1:$NPORT;
    location /api/v1/persons/search { default_type application/json; alias $SAMPLE; }
  }
}
EOF
"$NGINX" -c "$OUT/nginx.conf" -p "$OUT/nginx" -g 'daemon off;' 2>"$OUT/nginx/stderr.log" &
NPID=$!
sleep 0.5

run() {  # name port
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$LUA" "http://127.0.0.1:$2" > "$OUT/wrk-$1.txt"
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$OUT/wrk-$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk-$1.txt")
  errors=$(awk '/Non-2xx/ {print $4}' "$OUT/wrk-$1.txt")
  echo "$rps $p50 $p99 ${errors:-0}"
}
read -r l_rps l_p50 l_p99 l_err < <(run linli "$LPORT")
read -r n_rps n_p50 n_p99 n_err < <(run nginx "$NPORT")
ratio=$(awk -v a="$l_rps" -v b="$n_rps" 'BEGIN {printf "%.3f", a / b}')
{
  echo "# date=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none) nproc=$(nproc) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
  echo "B2a-http residents=$RESIDENTS connections=$CONNECTIONS duration=${DURATION}s queries=$(wc -l < "$QUERIES") response_bytes=$(wc -c < "$SAMPLE")"
  echo "linli serve  rps=$l_rps p50=$l_p50 p99=$l_p99 non2xx=$l_err"
  echo "nginx static rps=$n_rps p50=$n_p50 p99=$n_p99 non2xx=$n_err"
  echo "ratio linli/nginx=$ratio (target >= 0.4; p99 target <= 10ms)"
} | tee -a "$ROOT/bench/out/results-http.txt"
