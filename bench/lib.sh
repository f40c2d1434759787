# Shared by bench/run.sh and bench/notifications.sh (sourced): the release server's start and stop,
# and the scratch directory's removal. The caller sets BASE (the server's URL) and WORK.

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
