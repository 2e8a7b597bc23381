#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with Schemathesis: a release build on loopback,
# a private PostgreSQL, a real token, every check and phase (stateful included).
# Usage: scripts/schemathesis.sh [--max-examples N] [extra schemathesis args]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/server.sh
source scripts/lib/server.sh
# shellcheck source=scripts/lib/venv.sh
source scripts/lib/venv.sh

max_examples=100
if [ "${1:-}" = "--max-examples" ]; then max_examples=$2; shift 2; fi

venv_ensure .venv-api scripts/schemathesis-requirements.txt
cargo build --release --locked --bin job-offers

datadir=$(pg_dir_for "schemathesis-$$" "$repo")
cleanup() {
  server_stop
  pg_stop
  rm -rf "$datadir" "$datadir.initdb.log"
}
trap cleanup EXIT
PG_FSYNC=off pg_start "$datadir" "${SCHEMATHESIS_PG_PORT:-$(pg_free_port 54331)}"
# Fuzzing sends many logins, registrations, searches and offers from one client: lift the
# attempt limits for it.
server_start job_offers "${SCHEMATHESIS_PORT:-5011}" "${SERVER_NO_LIMITS[@]}" ROCKET_ACCESS_LOG=false
token=$(server_token schemathesis 'schemathesis-password')
# The document's own examples log in as user/password: make that account real.
server_token user password >/dev/null

mkdir -p target/schemathesis
set +e
.venv-api/bin/schemathesis --config-file scripts/schemathesis.toml \
  run "$SERVER_URL/api/v1/openapi.json" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$max_examples" \
  --header "Authorization: Bearer $token" \
  --seed "${SCHEMATHESIS_SEED:-20261129}" \
  --report junit --report-dir target/schemathesis \
  --warnings off \
  "$@"
status=$?
set -e
if [ $status -ne 0 ]; then
  echo "--- server log (tail) ---" >&2
  tail -n 30 "$SERVER_LOG" >&2
fi
exit $status
