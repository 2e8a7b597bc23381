#!/usr/bin/env bash
# Serves job-offers on localhost:5000 with no configuration. When DATABASE_URL is unset it
# starts (and keeps, for next time) a private development PostgreSQL on 127.0.0.1:54329.
# Extra arguments go to `cargo run` (e.g. `scripts/runserver.sh --release`).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh

if [ -z "${DATABASE_URL:-}" ]; then
  pg_start "$(pg_dir_for dev "$repo")" "${DEV_PG_PORT:-54329}"
  pg_create_database job_offers
  export DATABASE_URL="postgres://job_offers@127.0.0.1:$PG_PORT/job_offers"
  echo "Development database: $DATABASE_URL (stop it with: $PG_BIN/pg_ctl -D $PG_DATADIR stop)"
fi

# A cookie key kept between runs (in target/, never committed), so that a restart keeps you
# signed in and Rocket has no reason to warn about a generated one.
if [ -z "${ROCKET_SECRET_KEY:-}" ]; then
  key_file="${CARGO_TARGET_DIR:-$repo/target}/dev-secret-key"
  if [ ! -s "$key_file" ]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$key_file")
  fi
  ROCKET_SECRET_KEY=$(cat "$key_file")
  export ROCKET_SECRET_KEY
fi

exec cargo run --bin job-offers "$@"
