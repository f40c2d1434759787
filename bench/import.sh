#!/usr/bin/env bash
# The import on its own: one POST /v2/users/import of a 100,000-row CSV (new invited users, as in
# bench/run.sh) against a seeded SQLite database, timed, with the server's peak RSS before and after.
# Not a test: it prints figures.
#
#   BENCH_SEED_DB=FILE    a database seeded by `steward seed` to copy for the run (reused, so that
#                         several runs start alike); without it one is seeded into the scratch folder
#   BENCH_ORGS, BENCH_USERS, BENCH_IMPORT_ROWS   as in bench/run.sh (100000 / 1000000 / 100000)
#
# Expects target/release/steward (`cargo build --release -p steward` or bench/run.sh's build).
set -euo pipefail
cd "$(dirname "$0")/.."

ORGS=${BENCH_ORGS:-100000}
USERS=${BENCH_USERS:-1000000}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-100000}
ADDR=127.0.0.1:3201
BASE="http://$ADDR"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/steward-import.XXXXXX")
source bench/lib.sh
trap cleanup EXIT
trap 'exit 130' INT TERM

bench_env "$WORK/bench.db"

if [ -n "${BENCH_SEED_DB:-}" ]; then
  cp "$BENCH_SEED_DB" "$WORK/bench.db"
else
  echo "==> seeding $ORGS organizations and $USERS users"
  target/release/steward seed --organizations "$ORGS" --users "$USERS"
fi
write_import_csv "$WORK/import.csv" "$IMPORT_ROWS"

start_server "$WORK/server.log"
TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"username\":\"$STEWARD_ADMIN_EMAIL\",\"password\":\"$STEWARD_ADMIN_PASSWORD\"}" "$BASE/auth/sign_in" |
  sed -nE 's/.*"token"[[:space:]]*:[[:space:]]*"([^"]+)".*/\1/p')
hwm() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
BEFORE=$(hwm)
t0=$(date +%s.%N)
curl -fsS -o "$WORK/import.json" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/csv' \
  --data-binary @"$WORK/import.csv" "$BASE/v2/users/import"
t1=$(date +%s.%N)
head -c 200 "$WORK/import.json"
echo
printf 'import of %s rows: %s s; server peak RSS %s MB before, %s MB after\n' "$IMPORT_ROWS" \
  "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$BEFORE" "$(hwm)"
