# Shared by bench/run.sh, bench/import.sh and bench/notifications.sh (sourced): the server's
# environment, its start and stop, the import's CSV, and the scratch directory's removal. The
# caller sets ADDR, BASE (the server's URL) and WORK.

SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  stop_server
  rm -rf "$WORK"
}

# start_server LOG: target/release/steward serve, once /healthz answers.
start_server() {
  target/release/steward serve >"$1" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server exited; its log:" >&2
      cat "$1" >&2
      exit 1
    fi
    sleep 0.5
  done
  curl -fsS -o /dev/null "$BASE/healthz"
}

# bench_env DB_FILE: the release server's environment for a benchmark on that SQLite file
# (the caller sets ADDR). The import's CSV is one request body: room for 100k rows.
bench_env() {
  export DATABASE_URL="sqlite://$1?mode=rwc"
  export STEWARD_ADMIN_EMAIL=bench-admin@example.com
  export STEWARD_ADMIN_PASSWORD=bench-password-0123456789
  export LEPTOS_SITE_ROOT=target/site
  export LEPTOS_SITE_ADDR=$ADDR
  export RUST_LOG=${RUST_LOG:-warn}
  export STEWARD_BODY_LIMIT=$((64 * 1024 * 1024))
}

# write_import_csv FILE ROWS: the CSV both import benchmarks send (new invited users).
write_import_csv() {
  {
    echo "email,first_name,last_name,title"
    seq 1 "$2" | awk '{ printf "imported%d@bench.example,Ima,Port%d,Engineer\n", $1, $1 % 97 }'
  } >"$1"
}
