#!/usr/bin/env bash
# Steward's notification figures (not a test: it prints numbers beside their targets).
#
# Builds the release server, seeds a fresh SQLite database with one organization of 10,000 users
# and starts it on 127.0.0.1:3201. Then:
#   - fan-out: the organization's default turns scan events on for everyone, and one
#     POST /v2/events is timed (its 202 comes after the event, 10,000 notifications and 10,000
#     queued emails are committed);
#   - inbox: 100,000 notifications are written for one user (straight into the database, as a
#     seed), and GET /v2/notifications is loaded with wrk (loopback, 15 s) with that user's token.
#
#   BENCH_FANOUT_USERS   users in the organization (default 10000)
#   BENCH_INBOX_SIZE     notifications of the inbox user (default 100000)
#   BENCH_DURATION       wrk duration (default 15s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

USERS=${BENCH_FANOUT_USERS:-10000}
INBOX=${BENCH_INBOX_SIZE:-100000}
DURATION=${BENCH_DURATION:-15s}
ADDR=127.0.0.1:3201
BASE="http://$ADDR"

scripts/setup-tools.sh --bench
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
command -v sqlite3 >/dev/null || { echo "bench/notifications.sh needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 1; }

echo "==> cargo leptos build --release --split"
cargo leptos build --release --split

WORK=$(mktemp -d "${TMPDIR:-/tmp}/steward-bench-notify.XXXXXX")
source bench/lib.sh
trap cleanup EXIT
trap 'exit 130' INT TERM

DB="$WORK/bench.db"
bench_env "$DB"

echo "==> seeding one organization of $USERS users"
target/release/steward seed --organizations 1 --users "$USERS"

start_server "$WORK/server.log"

# token_of EMAIL: a bearer token of a seeded user (the demo password).
token_of() {
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"password123\"}" "$BASE/auth/sign_in" |
    sed -nE 's/.*"token"[[:space:]]*:[[:space:]]*"([^"]+)".*/\1/p'
}
# field_of JSON KEY: the first string value of KEY.
field_of() { grep -oE "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"]+\"" <<<"$1" | head -n1 | sed -E 's/.*"([^"]+)"$/\1/'; }

ADMIN=$(token_of user0@seed.example) # the first seeded user administers the organization
ME=$(curl -fsS -H "Authorization: Bearer $ADMIN" "$BASE/v2/user/me")
# The user's `organization` object: its id is the first "id" after it.
ORG=$(sed -nE 's/.*"organization"[[:space:]]*:[[:space:]]*\{[[:space:]]*"id"[[:space:]]*:[[:space:]]*"([^"]+)".*/\1/p' <<<"$ME")
curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"notification_defaults":{"scan_event":{"enabled":true}}}' "$BASE/v2/organizations/$ORG/notification_defaults"

echo "==> one event to $USERS users"
FANOUT=$(curl -fsS -o "$WORK/event.json" -w '%{time_total}' -X POST -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' \
  -d "{\"event\":{\"type\":\"scan_event\",\"organization_id\":\"$ORG\",\"status\":\"completed\",\"severity\":7,\"title\":\"Bench scan completed\"}}" \
  "$BASE/v2/events")
cat "$WORK/event.json"
echo
RECIPIENTS=$(sed -nE 's/.*"recipients"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/p' "$WORK/event.json")
QUEUED=$(sqlite3 "$DB" "SELECT COUNT(*) FROM outbox_messages WHERE template = 'event'")
WRITTEN=$(sqlite3 "$DB" "SELECT COUNT(*) FROM notifications")

echo "==> $INBOX notifications for one user"
READER=$(token_of user1@seed.example)
READER_ID=$(field_of "$(curl -fsS -H "Authorization: Bearer $READER" "$BASE/v2/user/me")" id)
sqlite3 "$DB" <<SQL
PRAGMA busy_timeout = 10000;
PRAGMA foreign_keys = ON;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $INBOX)
-- Every other one read, and so seen (reading one sees it, as the app does).
INSERT INTO notifications (id, user_id, notification_type, title, body, read_at, seen_at, created_at)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), '$READER_ID',
       CASE WHEN i % 3 = 0 THEN 'report_event' ELSE 'scan_event' END,
       'Seeded notification ' || i, 'Scans: Completed', 
       CASE WHEN i % 2 = 0 THEN '2026-01-01T00:00:00.000+00:00' END,
       CASE WHEN i % 2 = 0 THEN '2026-01-01T00:00:00.000+00:00' END,
       strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01', '+' || i || ' seconds') || '.000+00:00'
FROM n;
SQL
HELD=$(curl -fsS -H "Authorization: Bearer $READER" "$BASE/v2/notifications?per_page=1" | sed -nE 's/.*"total_count"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/p')
echo "the inbox holds $HELD notifications"
if [ "${HELD:-0}" -lt "$INBOX" ]; then
  echo "the seeded notifications are missing: the figure would be for a small inbox" >&2
  exit 1
fi

INBOX_PATH="/v2/notifications"
echo "==> wrk $INBOX_PATH"
BENCH_HEADER="Authorization: Bearer $READER" wrk -t2 -c8 -d3s -s bench/headers.lua "$BASE$INBOX_PATH" >/dev/null
BENCH_HEADER="Authorization: Bearer $READER" wrk -t2 -c8 -d"$DURATION" --latency -s bench/headers.lua "$BASE$INBOX_PATH" | tee "$WORK/wrk.txt"
RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk.txt")
P99=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk.txt")
FILTERED_PATH="/v2/notifications?q%5Bread%5D=false&q%5Bnotification_type%5D=scan_event&page=40"
echo "==> wrk $FILTERED_PATH"
BENCH_HEADER="Authorization: Bearer $READER" wrk -t2 -c8 -d"$DURATION" --latency -s bench/headers.lua "$BASE$FILTERED_PATH" | tee "$WORK/wrk-filtered.txt"
RPS_FILTERED=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk-filtered.txt")
P99_FILTERED=$(awk '$1 == "99%" { print $2 }' "$WORK/wrk-filtered.txt")
RSS_MB=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")

verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
  ok = (op == ">=") ? (v >= t) : (v < t); print (v == "" ? "?" : (ok ? "ok" : "MISS")) }'; }

echo
echo "=========================== Steward notification benchmark ==========================="
echo "machine: $(nproc) cores; release build; SQLite; wrk -t2 -c8 -d$DURATION on loopback"
printf '%-58s %14s   %-15s %s\n' "figure" "value" "target" ""
printf '%-58s %14s   %-15s %s\n' "POST /v2/events to $USERS users (202 after commit)" "${FANOUT} s" "< 2 s" "$(verdict "$FANOUT" "<" 2)"
printf '%-58s %14s\n' "  recipients / notifications written / emails queued" "$RECIPIENTS / $WRITTEN / $QUEUED"
printf '%-58s %14s   %-15s %s\n' "GET /v2/notifications, $INBOX in the inbox" "$RPS req/s" ">= 2000 req/s" "$(verdict "$RPS" ">=" 2000)"
printf '%-58s %14s\n' "  p99 latency" "$P99"
printf '%-58s %14s   %-15s\n' "GET ...?q[read]=false&q[notification_type]=scan_event&page=40" "$RPS_FILTERED req/s" "-"
printf '%-58s %14s\n' "  p99 latency" "$P99_FILTERED"
printf '%-58s %14s\n' "server peak RSS (VmHWM)" "$RSS_MB MB"
