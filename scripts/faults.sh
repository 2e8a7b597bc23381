#!/usr/bin/env bash
# Fault injection against real processes: the release server on loopback over a private
# PostgreSQL, checked from outside by the Python scenarios in scripts/faults/ (standard library
# only). Each scenario proves one promise and fails loudly when it breaks:
#
#   db-outage          Postgres stopped (-m fast) ~4 s under a mixed load: fast JSON 503s (never
#                      longer than the acquire timeout + 1 s, never a 500), normal answers within
#                      5 s of Postgres being back without a restart, no acknowledged create lost
#   kill-backends      pg_terminate_backend() on the pool's connections under load: at most one
#                      failed request per killed connection
#   slow-clients       100 slowloris + 100 idle connections: other clients still served, p99 < 500 ms
#   pool-exhaustion    a 2-connection pool held by reads blocked on a table lock: 503 +
#                      Retry-After after the acquire timeout, /healthz < 200 ms, recovery
#   graceful-shutdown  SIGTERM with slow requests in flight (reads/creates blocked on a table lock,
#                      logins): all complete, no reset after a request was sent, exit within
#                      grace + mercy
#   shutdown-queued    SIGTERM while requests wait for a pool connection: they complete too
#   receivers-down     a burst of applications (some retried with their Idempotency-Key) while
#                      the SMTP server and a webhook receiver are down: every one stored once;
#                      once they are back, every receipt, employer notice and signed webhook
#                      delivery made exactly once
#
# Usage: scripts/faults.sh [SCENARIO...]     (default: all, in the order above)
# Env:   FAULTS_PG_PORT (54332), FAULTS_PORT (5012), FAULTS_POOL_PORT (5013), FAULTS_SMTP_PORT (5014),
#        FAULTS_HOOK_PORT (5015),
#        FAULTS_SKIP_BUILD=1 to use the existing target/release/job-offers,
#        FAULTS_KEEP=1 to keep the logs and results directory.
# Prints every figure, then a last line `N passed, M failed`; exits non-zero when M > 0.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/server.sh
source scripts/lib/server.sh

all_scenarios=(db-outage kill-backends slow-clients pool-exhaustion graceful-shutdown shutdown-queued receivers-down)
if [ $# -gt 0 ]; then scenarios=("$@"); else scenarios=("${all_scenarios[@]}"); fi
for name in "${scenarios[@]}"; do
  case " ${all_scenarios[*]} " in
    *" $name "*) ;;
    *) echo "unknown scenario '$name'; known: ${all_scenarios[*]}" >&2; exit 2 ;;
  esac
done
selected() { case " ${scenarios[*]} " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

say() { printf '[faults] %s\n' "$*" >&2; }

pg_port=${FAULTS_PG_PORT:-54332}
main_port=${FAULTS_PORT:-5012}
pool_port=${FAULTS_POOL_PORT:-5013}
smtp_port=${FAULTS_SMTP_PORT:-5014}
hook_port=${FAULTS_HOOK_PORT:-5015}
pool_size=2
# The release profile's settings from Rocket.toml that the assertions depend on.
rocket_setting() { # KEY.PATH DEFAULT
  python3 - "$1" "$2" <<'PY'
import sys, tomllib
with open("Rocket.toml", "rb") as handle:
    config = tomllib.load(handle)
value = sys.argv[2]
for profile in ("default", "release"):
    node = config.get(profile, {})
    for key in sys.argv[1].split("."):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        value = node
print(value)
PY
}
acquire_timeout_ms=$(rocket_setting databases.offers.acquire_timeout_ms 2000)
grace=$(rocket_setting shutdown.grace 2)
mercy=$(rocket_setting shutdown.mercy 3)

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$pg_port" "$main_port" "$pool_port" "$smtp_port" "$hook_port"; do
  if port_in_use "$port"; then
    say "port $port on 127.0.0.1 is already in use; set FAULTS_PG_PORT / FAULTS_PORT / FAULTS_POOL_PORT / FAULTS_SMTP_PORT / FAULTS_HOOK_PORT"
    echo "0 passed, ${#scenarios[@]} failed"
    exit 2
  fi
done

if [ -z "${FAULTS_SKIP_BUILD:-}" ]; then
  # Others may be mid-edit on a shared checkout: retry a failed build a couple of times.
  for attempt in 1 2 3; do
    if cargo build --release --locked --bin job-offers; then break; fi
    if [ $attempt = 3 ]; then
      say "the release build failed"
      echo "0 passed, ${#scenarios[@]} failed"
      exit 1
    fi
    say "the build failed (attempt $attempt); retrying in 60 s"
    sleep 60
  done
fi

workdir=$(mktemp -d /tmp/job-offers-faults.XXXXXX)
datadir=$(pg_dir_for "faults-$$" "$repo")
cleanup() {
  local status=$?
  server_stop
  pg_stop
  rm -rf "$datadir" "$datadir.initdb.log"
  if [ -n "${FAULTS_KEEP:-}" ]; then say "logs and results kept in $workdir"; else rm -rf "$workdir"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() { python3 scripts/faults/summary.py "$workdir" "${scenarios[@]}"; }

# The port lies in Linux's ephemeral range: a client socket of another program (or one in
# TIME_WAIT, up to 60 s) may hold it for a while, so retry before giving up.
for attempt in 1 2 3 4; do
  if PG_FSYNC=on pg_start "$datadir" "$pg_port"; then break; fi
  if [ $attempt = 4 ]; then
    say "PostgreSQL did not start on port $pg_port"
    summary
    exit 1
  fi
  say "PostgreSQL did not start (attempt $attempt); retrying in 20 s"
  sleep 20
done
# What the Python side needs to stop and start this cluster the way pg_start does.
PG_RUNAS=""
if [ "$(id -u)" = 0 ]; then PG_RUNAS=$PG_OWNER; fi
PG_START_OPTS="-p $PG_PORT -k $PG_DATADIR -c listen_addresses=127.0.0.1 -c max_connections=${PG_MAX_CONNECTIONS:-200} -c fsync=on"
export PG_BIN PG_PORT PG_DATADIR PG_RUNAS PG_START_OPTS
export FAULTS_OUT=$workdir ACQUIRE_TIMEOUT_MS=$acquire_timeout_ms PYTHONDONTWRITEBYTECODE=1

# The scenarios hold row locks for seconds to stand for slow queries, and send floods of
# creates and logins from one client: the statement timeout (2 s) and the attempt limits would
# answer them first, so they are lifted here (both have tests of their own).
statement_timeout_ms=60000
# The release server shows /metrics only to the bearer of its metrics token; the scenarios
# read the pool gauges with it.
METRICS_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
export METRICS_TOKEN

# start_server NAME DBNAME PORT [ENV=VALUE...]: the release server, logging warnings (not each
# request) to $workdir/server-NAME.log.
start_server() {
  local name=$1 db=$2 port=$3
  shift 3
  SERVER_LOG="$workdir/server-$name.log"
  if ! server_start "$db" "$port" ROCKET_LOG_LEVEL=normal ROCKET_ACCESS_LOG=false \
    "${SERVER_NO_LIMITS[@]}" ROCKET_METRICS_TOKEN="$METRICS_TOKEN" \
    ROCKET_DATABASES="{offers={statement_timeout_ms=$statement_timeout_ms}}" "$@"; then
    say "server '$name' did not start; its scenarios fail"
    server_stop
    return 1
  fi
  say "server '$name' (pid $SERVER_PID) on $SERVER_URL, database $db"
}

# run NAME: one scenario (bounded to 3 minutes), then makes sure Postgres is up again.
run() {
  local name=$1 status=0
  timeout 180 python3 scripts/faults/run.py "$name" || status=$?
  if [ $status -ne 0 ]; then
    say "$name failed (status $status); the server log's last lines other than requests:"
    grep -Ev '^ *>>|^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) ' "$SERVER_LOG" | tail -n 15 >&2 || true
  fi
  pg_start "$PG_DATADIR" "$PG_PORT" >/dev/null 2>&1 || say "could not restart PostgreSQL"
}

# A scenario whose server does not start leaves no result and is counted as failed.
if selected db-outage || selected kill-backends || selected slow-clients; then
  if start_server main faults "$main_port"; then
    for name in db-outage kill-backends slow-clients; do
      if selected "$name"; then FAULTS_DB=faults run "$name"; fi
    done
    server_stop
  fi
fi

# ROCKET_DATABASES is merged key by key into databases.offers of Rocket.toml, and DATABASE_URL
# (set by server_start) then replaces only its url (src/lib.rs, figment()).
if selected pool-exhaustion; then
  if start_server pool faults_pool "$pool_port" ROCKET_DATABASES="{offers={max_connections=$pool_size,statement_timeout_ms=$statement_timeout_ms}}"; then
    FAULTS_DB=faults_pool FAULTS_POOL_SIZE=$pool_size run pool-exhaustion
    server_stop
  fi
fi

# shutdown_run NAME: runs a scenario that SIGTERMs the server, then reaps it for its exit status.
shutdown_run() {
  local name=$1 exit_status=0
  FAULTS_GRACE=$grace FAULTS_MERCY=$mercy run "$name"
  if kill -0 "$SERVER_PID" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$SERVER_PID/stat" 2>/dev/null)" != Z ]; then
    say "the server is still running after $name; killing it"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || exit_status=$?
  echo "$exit_status" >"$workdir/$name.exit"
  say "the server exited with status $exit_status after SIGTERM"
  grep -i 'shutdown failed\|outstanding\|closed pool' "$SERVER_LOG" | head -n 3 >"$workdir/$name.log-lines" || true
  SERVER_PID=""
}

if selected graceful-shutdown; then
  if start_server shutdown faults_shutdown "$main_port"; then
    FAULTS_DB=faults_shutdown shutdown_run graceful-shutdown
  fi
fi

if selected shutdown-queued; then
  if start_server queued faults_queued "$pool_port" \
    ROCKET_DATABASES="{offers={max_connections=$pool_size,acquire_timeout_ms=5000,statement_timeout_ms=$statement_timeout_ms}}"; then
    FAULTS_DB=faults_queued FAULTS_POOL_SIZE=$pool_size shutdown_run shutdown-queued
  fi
fi

# receivers-down: mail goes to an SMTP port, and webhooks to a port on loopback over plain HTTP
# (allowed for this drill only), where nothing listens until the scenario starts its receivers;
# retries are made quick so that the drill takes seconds (the burst comes from one client:
# start_server lifts the application limits with the others).
if selected receivers-down; then
  # shellcheck source=scripts/lib/venv.sh
  source scripts/lib/venv.sh
  if [ -z "${SMTP_SINK_PYTHON:-}" ]; then
    venv_ensure .venv-smtp scripts/smtp-requirements.txt
    export SMTP_SINK_PYTHON=$repo/.venv-smtp/bin/python
  fi
  if start_server receivers faults_receivers "$main_port" SMTP_URL="smtp://127.0.0.1:$smtp_port" \
    ROCKET_SMTP_FROM="job-offers <faults@job-offers.example>" ROCKET_OUTBOX_RETRY_BASE_SECS=1 \
    ROCKET_OUTBOX_RETRY_CEILING_SECS=2 ROCKET_OUTBOX_POLL_INTERVAL_MS=200 \
    ROCKET_WEBHOOK_ALLOW_HTTP=true ROCKET_WEBHOOK_ALLOW_PRIVATE=true; then
    FAULTS_DB=faults_receivers FAULTS_SMTP_PORT=$smtp_port FAULTS_HOOK_PORT=$hook_port run receivers-down
    server_stop
  fi
fi

summary
