#!/usr/bin/env bash
# Steward's performance figures (not a test: it prints numbers beside their targets).
#
# Builds the release site, seeds a fresh SQLite database with 100,000 organizations and 1,000,000
# users, starts the release server on 127.0.0.1:3200 and loads it with wrk (loopback only, 15 s per
# endpoint) on the organization list page, a search page, the REST list, the users page and a
# users search by email prefix. Then imports a 100,000-row CSV (timed), exports every user
# (streamed, timed), and prints the peak RSS of the server, the size of the release wasm bundle
# (raw and as served: Brotli), and how the app arrives in Chromium on "Slow 4G" with a 4x CPU
# slowdown (bench/wire.mjs): wasm bytes on the wire on a first and a repeat visit, and the time
# until the page is interactive.
#
#   BENCH_ORGS, BENCH_USERS      seed sizes (default 100000 / 1000000)
#   BENCH_IMPORT_ROWS            rows of the imported CSV (default 100000)
#   BENCH_DURATION               wrk duration per endpoint (default 15s)
#   BENCH_SKIP_NOTIFICATIONS=1   leave out bench/notifications.sh (run at the end otherwise)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ORGS=${BENCH_ORGS:-100000}
USERS=${BENCH_USERS:-1000000}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-100000}
DURATION=${BENCH_DURATION:-15s}
ADDR=127.0.0.1:3200
BASE="http://$ADDR"

# With the end-to-end tools: bench/wire.mjs drives Chromium through end2end's Playwright.
scripts/setup-tools.sh --bench
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"

echo "==> cargo leptos build --release --precompress --split"
cargo leptos build --release --precompress --split

WORK=$(mktemp -d "${TMPDIR:-/tmp}/steward-bench.XXXXXX")
source bench/lib.sh
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_env "$WORK/bench.db"

echo "==> seeding $ORGS organizations and $USERS users"
t0=$(date +%s.%N)
target/release/steward seed --organizations "$ORGS" --users "$USERS"
t1=$(date +%s.%N)
SEED_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "seeded in ${SEED_SECONDS}s"

echo "==> starting target/release/steward serve on $ADDR"
start_server "$WORK/server.log"

# A bearer token, and the session cookie that the same response sets.
curl -fsS -c "$WORK/cookies.txt" -o "$WORK/sign_in.json" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$STEWARD_ADMIN_EMAIL\",\"password\":\"$STEWARD_ADMIN_PASSWORD\"}" \
  "$BASE/auth/sign_in"
TOKEN=$(sed -nE 's/.*"token"[[:space:]]*:[[:space:]]*"([^"]+)".*/\1/p' "$WORK/sign_in.json")
# Cookie jar columns: domain, subdomains, path, secure, expiry, name, value.
COOKIE=$(awk -F '\t' '$6 == "steward_session" { print $6 "=" $7 }' "$WORK/cookies.txt" | tail -n1)
if [ -z "$TOKEN" ] || [ -z "$COOKIE" ]; then
  echo "sign-in did not give a token and a steward_session cookie:" >&2
  cat "$WORK/sign_in.json" "$WORK/cookies.txt" >&2
  exit 1
fi

LIST_PATH="/organizations"
SEARCH_PATH="/organizations?q=wonka&page=3"
REST_PATH="/v2/organizations?q%5Bname%5D=wonka*&page=3"
USERS_PATH="/users"
# Seeded emails are user<n>@seed.example: `user4242*` matches user4242 and user42420..user424299.
USERS_SEARCH_PATH="/v2/users?q%5Bemail%5D=user4242*"

# Each endpoint must answer 200 with these credentials (a redirect to /login would bench the wrong page).
check() { # path header
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "$2" "$BASE$1")
  if [ "$code" != 200 ]; then
    echo "GET $1 answered $code, not 200" >&2
    exit 1
  fi
}
check "$LIST_PATH" "Cookie: $COOKIE"
check "$SEARCH_PATH" "Cookie: $COOKIE"
check "$REST_PATH" "Authorization: Bearer $TOKEN"
check "$USERS_PATH" "Cookie: $COOKIE"
check "$USERS_SEARCH_PATH" "Authorization: Bearer $TOKEN"

# run_wrk NAME PATH HEADER: sets RPS_<NAME>, P99_<NAME> (ms) and ERR_<NAME> (non-2xx/3xx, socket errors).
run_wrk() {
  local name=$1 path=$2 header=$3 out="$WORK/wrk-$1.txt"
  echo "==> wrk $path"
  BENCH_HEADER=$header wrk -t2 -c8 -d3s -s bench/headers.lua "$BASE$path" >/dev/null # warm-up
  BENCH_HEADER=$header wrk -t2 -c8 -d"$DURATION" --latency -s bench/headers.lua "$BASE$path" | tee "$out"
  printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
  printf -v "P99_$name" '%s' "$(awk '
    $1 == "99%" {
      v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000; else if (unit == "m") v *= 60000
      printf "%.2f", v
    }' "$out")"
  printf -v "ERR_$name" '%s' "$(awk '
    /Non-2xx or 3xx responses:/ { n += $NF }
    /Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { v = $i; sub(/,/, "", v); n += v } }
    END { print n + 0 }' "$out")"
}

run_wrk LIST "$LIST_PATH" "Cookie: $COOKIE"
run_wrk SEARCH "$SEARCH_PATH" "Cookie: $COOKIE"
run_wrk REST "$REST_PATH" "Authorization: Bearer $TOKEN"
run_wrk USERS "$USERS_PATH" "Cookie: $COOKIE"
run_wrk USERS_SEARCH "$USERS_SEARCH_PATH" "Authorization: Bearer $TOKEN"

# seconds_of COMMAND...: runs it and prints how long it took.
seconds_of() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}

echo "==> import of a $IMPORT_ROWS-row CSV (new invited users)"
write_import_csv "$WORK/import.csv" "$IMPORT_ROWS"
import_csv() {
  curl -fsS -o "$WORK/import.json" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' \
    --data-binary @"$WORK/import.csv" "$BASE/v2/users/import"
}
IMPORT_SECONDS=$(seconds_of import_csv)
head -c 300 "$WORK/import.json"
echo

echo "==> export of every user (streamed)"
export_users() {
  curl -fsS -o "$WORK/users.csv" -H "Authorization: Bearer $TOKEN" "$BASE/v2/users/export"
}
EXPORT_SECONDS=$(seconds_of export_users)
EXPORT_ROWS=$(($(wc -l <"$WORK/users.csv") - 1))
EXPORT_MB=$(awk -v b="$(stat -c %s "$WORK/users.csv")" 'BEGIN { printf "%.0f", b / 1048576 }')
echo "$EXPORT_ROWS rows, $EXPORT_MB MB in ${EXPORT_SECONDS}s"

echo "==> node bench/wire.mjs (Slow 4G, 4x CPU slowdown)"
node bench/wire.mjs "$BASE" "$COOKIE" "$LIST_PATH" | tee "$WORK/wire.txt"
wire() { sed -n "s/^$1=//p" "$WORK/wire.txt"; }
# First visits that land on split pages (app/src/lazy_routes.rs): the bundle, their area and its
# chunks, preloaded from the head.
SPLIT_PATHS="/users /me/security"
for path in $SPLIT_PATHS; do
  node bench/wire.mjs "$BASE" "$COOKIE" "$path" | tee "$WORK/wire${path//\//_}.txt"
done
split_wire() { sed -n "s/^$2=//p" "$WORK/wire${1//\//_}.txt"; }

RSS_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')

# The first bundle (steward.<hash>.wasm), the newest if older builds left theirs; not a split file.
WASM=$(find target/site/pkg -maxdepth 1 -name 'steward.*.wasm' -printf '%T@ %p\n' | sort -n | tail -n1 | cut -d' ' -f2-)
WASM_RAW=$(stat -c %s "$WASM")
WASM_GZ=$(gzip -9 -c "$WASM" | wc -c)
# What the server sends (cargo leptos build --precompress wrote it beside the wasm).
WASM_BR=$(stat -c %s "$WASM.br" 2>/dev/null || echo 0)
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }

# verdict VALUE OP TARGET: "ok" or "MISS".
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
  ok = (op == ">=") ? (v >= t) : (v < t); print (v == "" ? "?" : (ok ? "ok" : "MISS")) }'; }

echo
echo "=============================== Steward benchmark ==============================="
echo "machine: $(nproc) cores; wrk -t2 -c8 -d$DURATION on loopback; SQLite; $ORGS organizations, $USERS users"
printf '%-54s %14s   %-15s %s\n' "figure" "value" "target" ""
printf '%-54s %14s   %-15s %s\n' "seed" "${SEED_SECONDS} s" "-" ""
for name in LIST SEARCH REST USERS USERS_SEARCH; do
  case $name in
    LIST) label="list    GET $LIST_PATH (cookie)"; target=3000 ;;
    SEARCH) label="search  GET $SEARCH_PATH (cookie)"; target=1500 ;;
    REST) label="REST    GET /v2/organizations?q[name]=wonka*&page=3"; target=3000 ;;
    USERS) label="users   GET $USERS_PATH (cookie)"; target=2000 ;;
    USERS_SEARCH) label="users   GET /v2/users?q[email]=user4242*"; target=2000 ;;
  esac
  rps_var="RPS_$name" p99_var="P99_$name" err_var="ERR_$name"
  printf '%-54s %14s   %-15s %s\n' "$label" "${!rps_var} req/s" ">= $target req/s" "$(verdict "${!rps_var}" ">=" "$target")"
  printf '%-54s %14s   %-15s %s\n' "  p99 latency" "${!p99_var} ms" "< 20 ms" "$(verdict "${!p99_var}" "<" 20)"
  if [ "${!err_var}" != 0 ]; then
    printf '%-54s %14s\n' "  errors (non-2xx/3xx or socket)" "${!err_var}"
  fi
done
printf '%-54s %14s   %-15s %s\n' "import of $IMPORT_ROWS CSV rows (POST /v2/users/import)" "$IMPORT_SECONDS s" "< 30 s" "$(verdict "$IMPORT_SECONDS" "<" 30)"
printf '%-54s %14s   %-15s %s\n' "export of $EXPORT_ROWS users ($EXPORT_MB MB CSV)" "$EXPORT_SECONDS s" "-" ""
printf '%-54s %14s   %-15s %s\n' "server peak RSS (VmHWM, through the export)" "$RSS_MB MB" "< 150 MB" "$(verdict "$RSS_MB" "<" 150)"
printf '%-54s %14s   %-15s %s\n' "wasm $(basename "$WASM") raw" "$(kb "$WASM_RAW") KB" "-" ""
printf '%-54s %14s   %-15s %s\n' "wasm gzip -9" "$(kb "$WASM_GZ") KB" "-" ""
printf '%-54s %14s   %-15s %s\n' "wasm as served (Brotli, precompressed)" "$(kb "$WASM_BR") KB" "<= 350 KB" "$(verdict "$(kb "$WASM_BR")" "<" 350.1)"
printf '%-54s %14s   %-15s %s\n' "wasm on the wire, first visit (Chromium)" "$(kb "$(wire wasm_first_bytes)") KB" "<= 350 KB" "$(verdict "$(kb "$(wire wasm_first_bytes)")" "<" 350.1)"
printf '%-54s %14s   %-15s %s\n' "wasm on the wire, repeat visit" "$(wire wasm_repeat_bytes) B" "0 B" "$(verdict "$(wire wasm_repeat_bytes)" "<" 1)"
printf '%-54s %14s   %-15s %s\n' "interactive, Slow 4G + 4x CPU, first visit" "$(wire interactive_first_ms) ms" "<= 3000 ms" "$(verdict "$(wire interactive_first_ms)" "<" 3000.1)"
printf '%-54s %14s   %-15s %s\n' "interactive, Slow 4G + 4x CPU, repeat visit" "$(wire interactive_repeat_ms) ms" "-" ""
for path in $SPLIT_PATHS; do
  printf '%-54s %14s   %-15s %s\n' "first visit to $path: wasm on the wire" "$(kb "$(split_wire "$path" wasm_first_bytes)") KB" "-" ""
  printf '%-54s %14s   %-15s %s\n' "  interactive, Slow 4G + 4x CPU" "$(split_wire "$path" interactive_first_ms) ms" "-" ""
done

# The notification figures (events' fan-out, the inbox) on a database of their own.
if [ "${BENCH_SKIP_NOTIFICATIONS:-0}" != 1 ]; then
  cleanup
  bench/notifications.sh
fi
