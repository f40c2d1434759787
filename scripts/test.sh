#!/usr/bin/env bash
# Runs every check: formatting, clippy, the Rust tests (SQLite, then PostgreSQL when
# TEST_DATABASE_URL is set), schemathesis against the OpenAPI document (the same two databases), a
# debug build of the site, and the Playwright end-to-end suite (SQLite, then a throwaway PostgreSQL
# database when TEST_DATABASE_URL is set). Ends with a Summary section;
# exits non-zero when any step failed. Builds are incremental: nothing here cleans target/.
#
# Environment:
#   TEST_DATABASE_URL=postgres://user@host:port/db   also run the tests against PostgreSQL
#   STEWARD_SKIP_LINT=1                              skip cargo fmt --check and clippy
#   STEWARD_SKIP_E2E=1                               skip schemathesis, the site build and Playwright
set -euo pipefail
cd "$(dirname "$0")/.."

LOG_DIR=target/test-logs
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

export PATH="$PWD/.tools/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

STEP_TITLES=()
STEP_STATUS=()
STEP_SECONDS=()
FAILED=()
E2E_DB=""
T_START=$SECONDS

# A URL without its password, for printing.
redact() { sed -E 's#(://[^:/@]+):[^@/]*@#\1:***@#' <<<"$1"; }

cleanup() {
  if [ -n "$E2E_DB" ]; then
    psql "$TEST_DATABASE_URL" -v ON_ERROR_STOP=1 -qc "drop database if exists $E2E_DB with (force)" >/dev/null 2>&1 \
      || echo "warning: could not drop the e2e database $E2E_DB" >&2
    E2E_DB=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() { # title status seconds
  STEP_TITLES+=("$1")
  STEP_STATUS+=("$2")
  STEP_SECONDS+=("$3")
  if [ "$2" = "FAILED" ]; then FAILED+=("$1"); fi
}

# run_step SLUG TITLE COMMAND...: runs the command with its output shown and kept in $LOG_DIR/SLUG.log.
run_step() {
  local slug=$1 title=$2
  shift 2
  local t0=$SECONDS rc=0
  printf '\n==> %s\n' "$title"
  "$@" 2>&1 | tee "$LOG_DIR/$slug.log" || rc=$?
  local took=$((SECONDS - t0))
  if [ "$rc" -eq 0 ]; then
    printf '<== ok: %s (%ss)\n' "$title" "$took"
    record "$title" ok "$took"
  else
    printf '<== FAILED (exit %s): %s (%ss)\n' "$rc" "$title" "$took"
    record "$title" FAILED "$took"
  fi
  return "$rc"
}

skip_step() { # title reason
  printf '\n==> %s: skipped (%s)\n' "$1" "$2"
  record "$1" "skipped ($2)" 0
}

strip_ansi() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$@"; }

# --- the steps -----------------------------------------------------------------------------------

# Per package, never `--workspace`: that would build `app` with `ssr` and `hydrate` unified (the
# frontend enables `hydrate`), and the server under test would then run client-only code.
cargo_tests() { cargo test -p app --features ssr && cargo test -p steward; }
cargo_test_sqlite() { (unset TEST_DATABASE_URL && cargo_tests); }
cargo_test_postgres() {
  local status=0
  cargo_tests || status=$?
  # Every API test created a database of its own (steward_test_<uuid>); drop them all.
  psql "$TEST_DATABASE_URL" -qAtc "select datname from pg_database where datname like 'steward_test_%'" |
    while read -r name; do
      psql "$TEST_DATABASE_URL" -qc "drop database if exists $name with (force)" >/dev/null || true
    done
  return "$status"
}

# Never `npx playwright install`: the suite drives Debian's /usr/bin/chromium (end2end/playwright.config.ts).
playwright_sqlite() { (unset STEWARD_E2E_DATABASE_URL && cd end2end && exec ./node_modules/.bin/playwright test); }
playwright_postgres() {
  (export STEWARD_E2E_DATABASE_URL="$E2E_DB_URL" && cd end2end && exec ./node_modules/.bin/playwright test)
}

# A throwaway PostgreSQL database for schemathesis, dropped however the run ends.
fuzz_postgres() {
  local name url=$TEST_DATABASE_URL base query="" server status=0
  base=${url%%\?*}
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; fi
  if [[ "$base" =~ ^[A-Za-z][A-Za-z0-9+.-]*://[^/]*$ ]]; then server=$base; else server=${base%/*}; fi
  name="fuzz_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql "$url" -v ON_ERROR_STOP=1 -qc "create database $name" || return 1
  scripts/api-fuzz.sh target/debug/steward "$server/$name$query" || status=$?
  psql "$url" -qc "drop database if exists $name with (force)" >/dev/null || true
  return "$status"
}
fuzz_sqlite() {
  local dir status=0
  dir=$(mktemp -d)
  scripts/api-fuzz.sh target/debug/steward "sqlite://$dir/fuzz.db" || status=$?
  rm -rf "$dir"
  return "$status"
}

create_e2e_database() {
  local url=$TEST_DATABASE_URL base query="" server
  base=${url%%\?*}
  if [[ "$url" == *\?* ]]; then query="?${url#*\?}"; fi
  if [[ "$base" =~ ^[A-Za-z][A-Za-z0-9+.-]*://[^/]*$ ]]; then server=$base; else server=${base%/*}; fi
  local name
  name="e2e_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql "$url" -v ON_ERROR_STOP=1 -qc "create database $name" || return 1
  E2E_DB=$name
  E2E_DB_URL="$server/$name$query"
  echo "created database $name"
}

run_step setup "setup-tools.sh" scripts/setup-tools.sh || {
  echo "setup failed; nothing else can run" >&2
  exit 1
}

if [ "${STEWARD_SKIP_LINT:-0}" = "1" ]; then
  skip_step "cargo fmt --check" "STEWARD_SKIP_LINT=1"
  skip_step "clippy" "STEWARD_SKIP_LINT=1"
else
  run_step fmt "cargo fmt --check" cargo fmt --all -- --check || true
  run_step clippy-app "clippy app (ssr)" cargo clippy -p app --features ssr -- -D warnings || true
  run_step clippy-frontend "clippy frontend (wasm32)" \
    cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings || true
  run_step clippy-steward "clippy steward (server)" cargo clippy -p steward -- -D warnings || true
fi

run_step cargo-test-sqlite "cargo test (database: SQLite)" cargo_test_sqlite || true
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  export TEST_DATABASE_URL
  # The Rust tests use PostgreSQL whenever TEST_DATABASE_URL is set.
  run_step cargo-test-postgres "cargo test (database: PostgreSQL $(redact "$TEST_DATABASE_URL"))" \
    cargo_test_postgres || true
else
  skip_step "cargo test (database: PostgreSQL)" "TEST_DATABASE_URL not set"
fi

# `cargo test -p steward` has just built target/debug/steward; the API needs nothing else.
if [ "${STEWARD_SKIP_E2E:-0}" = "1" ]; then
  skip_step "schemathesis" "STEWARD_SKIP_E2E=1"
else
  run_step fuzz-sqlite "schemathesis (database: SQLite)" fuzz_sqlite || true
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    run_step fuzz-postgres "schemathesis (database: PostgreSQL $(redact "$TEST_DATABASE_URL"))" fuzz_postgres || true
  else
    skip_step "schemathesis (database: PostgreSQL)" "TEST_DATABASE_URL not set"
  fi
fi

if [ "${STEWARD_SKIP_E2E:-0}" = "1" ]; then
  skip_step "cargo leptos build" "STEWARD_SKIP_E2E=1"
  skip_step "playwright" "STEWARD_SKIP_E2E=1"
elif run_step leptos-build "cargo leptos build --split (debug)" cargo leptos build --split; then
  run_step e2e-sqlite "playwright (database: SQLite, fresh file)" playwright_sqlite || true
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # Not through run_step: its pipeline runs in a subshell, and E2E_DB must reach the EXIT trap.
    E2E_DB_URL=""
    printf '\n==> create a throwaway PostgreSQL database for playwright\n'
    if create_e2e_database; then
      record "create the playwright PostgreSQL database" ok 0
      run_step e2e-postgres "playwright (database: PostgreSQL $(redact "$E2E_DB_URL"))" playwright_postgres || true
    else
      record "create the playwright PostgreSQL database" FAILED 0
    fi
    cleanup
  else
    skip_step "playwright (database: PostgreSQL)" "TEST_DATABASE_URL not set"
  fi
else
  skip_step "playwright" "the build failed"
fi

# --- Summary -------------------------------------------------------------------------------------

total_passed=0
total_failed=0
total_skipped=0

echo
echo "==================================== Summary ===================================="
for i in "${!STEP_TITLES[@]}"; do
  printf '  %-10s %-70s %5ss\n' "${STEP_STATUS[$i]%% *}" "${STEP_TITLES[$i]}" "${STEP_SECONDS[$i]}"
done

for slug in cargo-test-sqlite cargo-test-postgres; do
  log="$LOG_DIR/$slug.log"
  [ -f "$log" ] || continue
  echo
  echo "-- $slug: test result lines"
  strip_ansi "$log" | grep -E '^test result:' || echo "  (no test result lines: did it compile?)"
  read -r p f s < <(strip_ansi "$log" | awk '
    /^test result:/ {
      for (i = 1; i < NF; i++) {
        if ($(i + 1) ~ /^passed;?$/) p += $i
        if ($(i + 1) ~ /^failed;?$/) f += $i
        if ($(i + 1) ~ /^ignored;?$/) s += $i
      }
    }
    END { print p + 0, f + 0, s + 0 }')
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  total_skipped=$((total_skipped + s))
done

for slug in fuzz-sqlite fuzz-postgres; do
  log="$LOG_DIR/$slug.log"
  [ -f "$log" ] || continue
  echo
  echo "-- $slug: schemathesis result"
  strip_ansi "$log" | grep -E '^(=+ .* in [0-9.]+s =+|  [0-9]+ generated, .*)$' || echo "  (no schemathesis summary: did the server start?)"
done

for slug in e2e-sqlite e2e-postgres; do
  log="$LOG_DIR/$slug.log"
  [ -f "$log" ] || continue
  echo
  echo "-- $slug: playwright result"
  # The counts, and under them the name of every test that failed.
  strip_ansi "$log" | grep -E '^ +[0-9]+ (passed|failed|flaky|skipped|did not run|interrupted)|^ +\[chromium\] ›' \
    || echo "  (no playwright summary: did the server start?)"
  read -r p f s < <(strip_ansi "$log" | awk '
    /^ +[0-9]+ (passed|flaky)( |$)/ { p += $1 }
    /^ +[0-9]+ (failed|interrupted)( |$)/ { f += $1 }
    /^ +[0-9]+ (skipped|did not run)( |$)/ { s += $1 }
    END { print p + 0, f + 0, s + 0 }')
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  total_skipped=$((total_skipped + s))
done

# What failed and why, last, where a reader of only the output's tail still sees it: each failed
# Playwright test's first error lines, and any panic the server under test printed (the webServer's
# stderr is piped into the runner's output as [WebServer] lines).
for slug in e2e-sqlite e2e-postgres; do
  log="$LOG_DIR/$slug.log"
  [ -f "$log" ] || continue
  details=$(strip_ansi "$log" | awk '
    /^  [0-9]+\) \[chromium\] ›/ { shown = 0; inside = 1; print; next }
    /^  [0-9]+ (failed|flaky|passed)/ { inside = 0 }
    inside && /^ +(Error|expect|Expected|Received|Timeout|Call log|  - |[-+] |> [0-9]+ \|)/ && shown < 16 { print; shown++ }
  ')
  # A panic's message is on the line after "panicked at": print the two as one.
  panics=$(strip_ansi "$log" | awk '
    pending { print pending " " $0; pending = ""; next }
    /^\[WebServer\].*panicked at/ { pending = $0; next }
    /^\[WebServer\].*ERROR/ { print }
  ' | sort | uniq -c | sort -rn | head -n 8)
  if [ -n "$details" ] || [ -n "$panics" ]; then
    echo
    echo "-- $slug: failure details"
    [ -z "$details" ] || printf '%s\n' "$details"
    [ -z "$panics" ] || { echo "  server panics and errors (count, line):"; printf '%s\n' "$panics"; }
  fi
done

echo
echo "logs: $LOG_DIR/   total time: $((SECONDS - T_START))s"
if [ "${#FAILED[@]}" -gt 0 ]; then
  echo "FAILED steps:"
  printf '  - %s\n' "${FAILED[@]}"
fi
echo "total: $total_passed passed, $total_failed failed, $total_skipped skipped"

if [ "${#FAILED[@]}" -gt 0 ] || [ "$total_failed" -gt 0 ]; then
  exit 1
fi
