# shellcheck shell=bash
# Starts the release server on loopback for black-box checks (Schemathesis, faults, bench).
# Needs scripts/lib/postgres.sh sourced and a cluster started (PG_PORT set).

server_log() { printf '[server] %s\n' "$*" >&2; }

# Settings that lift every attempt limit, for tools that send floods from one client on
# purpose (fuzzing, benchmarks): pass "${SERVER_NO_LIMITS[@]}" to server_start.
# shellcheck disable=SC2034 # used by the scripts that source this file
SERVER_NO_LIMITS=(ROCKET_LOGIN_MAX_FAILURES=1000000 ROCKET_LOGIN_CLIENT_MAX_FAILURES=1000000
  ROCKET_LOGIN_USER_FREE_FAILURES=1000000 ROCKET_REGISTRATIONS_PER_WINDOW=1000000
  ROCKET_SEARCHES_PER_WINDOW=1000000 ROCKET_OFFERS_PER_WINDOW=1000000
  ROCKET_MAX_OFFERS_PER_USER=1000000000 ROCKET_APPLICATIONS_PER_WINDOW=1000000
  ROCKET_APPLICATIONS_PER_OFFER_WINDOW=1000000)

# server_start DBNAME PORT [extra env assignments...]: builds nothing; runs $SERVER_BIN
# (default: target/release/job-offers) in Rocket's release profile.
server_start() {
  local db=$1 port=$2
  shift 2
  pg_create_database "$db"
  SERVER_PORT=$port
  SERVER_URL="http://127.0.0.1:$port"
  SERVER_LOG=${SERVER_LOG:-$(mktemp /tmp/job-offers-server.XXXXXX.log)}
  env ROCKET_PROFILE=release ROCKET_ADDRESS=127.0.0.1 ROCKET_PORT="$port" \
    ROCKET_JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
    ROCKET_SECRET_KEY="$(head -c 32 /dev/urandom | base64 | tr -d '\n')" \
    ROCKET_LOG_LEVEL=critical \
    DATABASE_URL="postgres://job_offers@127.0.0.1:$PG_PORT/$db" \
    "$@" "${SERVER_BIN:-${CARGO_TARGET_DIR:-target}/release/job-offers}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  export SERVER_PID SERVER_URL SERVER_PORT SERVER_LOG
  local _
  for _ in $(seq 1 100); do
    if curl -fsS "$SERVER_URL/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  server_log "the server did not come up; its log:"
  tail -n 40 "$SERVER_LOG" >&2
  return 1
}

server_stop() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}

# server_token USERNAME PASSWORD: registers (if needed) and prints a login token.
server_token() {
  local body
  body=$(printf '{"username": "%s", "password": "%s"}' "$1" "$2")
  curl -fsS -o /dev/null -X POST "$SERVER_URL/api/v1/users/register" \
    -H 'Content-Type: application/json' -d "$body" 2>/dev/null || true
  curl -fsS -X POST "$SERVER_URL/api/v1/users/login" -H 'Content-Type: application/json' \
    -d "$body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
