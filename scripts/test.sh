#!/usr/bin/env bash
# Runs every test against a throwaway PostgreSQL that it starts and always stops.
# With DATABASE_URL (or TEST_DATABASE_URL) set, uses that server instead: it must allow
# CREATE DATABASE and CREATE EXTENSION, and load pg_stat_statements
# (shared_preload_libraries = 'pg_stat_statements'). Extra arguments go to the test runner
# (e.g. a test name filter).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh

if [ -z "${TEST_DATABASE_URL:-${DATABASE_URL:-}}" ]; then
  datadir=$(pg_dir_for "test-$$" "$repo")
  cleanup() {
    pg_stop
    rm -rf "$datadir" "$datadir.initdb.log"
  }
  trap cleanup EXIT
  # A throwaway cluster: durability is not worth the fsyncs here. pg_stat_statements lets a
  # test compare the statements the server runs with the benchmark's SQL (bench_sql.rs).
  PG_FSYNC=off PG_PRELOAD=pg_stat_statements pg_start "$datadir" "${TEST_PG_PORT:-$(pg_free_port 54330)}"
  export TEST_DATABASE_URL=$PG_ADMIN_URL
fi

# The browser tests drive headless Chromium through chromedriver (CHROMIUM, CHROMEDRIVER).
browser_ensure

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-targets --no-fail-fast "$@"
  # nextest does not run doctests.
  cargo test --workspace --doc --quiet
else
  cargo test --workspace --no-fail-fast "$@"
fi
