#!/usr/bin/env bash
# Runs every test against a throwaway PostgreSQL that it starts and always stops.
# With DATABASE_URL (or TEST_DATABASE_URL) set, uses that server instead: it must allow
# CREATE DATABASE and CREATE EXTENSION, and load pg_stat_statements
# (shared_preload_libraries = 'pg_stat_statements', for tests/api/bench_sql.rs).
#
# Arguments are test-name filters, any number of them: a test runs when its full name (e.g.
# `board::search_ranks_title_above_skills_above_description`) contains one of them. They work
# the same with cargo-nextest (used when installed) and with `cargo test`. No argument runs
# every test.
#
#   scripts/test.sh                      # every test
#   scripts/test.sh board                # the tests whose name contains "board"
#   scripts/test.sh 'fuzz::' 'hostile::' # both groups
#
# Installs what is missing when run as root with apt-get (CI, a fresh container): Debian's
# postgresql (scripts/lib/postgres.sh), chromium and chromium-driver (scripts/lib/browser.sh),
# and python3 (which finds a free port for the throwaway cluster and, in .venv-smtp with
# scripts/smtp-requirements.txt, runs the tests' SMTP sink).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh
# shellcheck source=scripts/lib/venv.sh
source scripts/lib/venv.sh

if [ -z "${TEST_DATABASE_URL:-${DATABASE_URL:-}}" ]; then
  [ -n "${TEST_PG_PORT:-}" ] || apt_ensure python3
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

# The e-mail tests (tests/api/mail.rs) deliver to a real SMTP server on loopback, the aiosmtpd
# sink scripts/lib/smtp_sink.py, run by this virtual environment's Python.
if [ -z "${SMTP_SINK_PYTHON:-}" ]; then
  venv_ensure .venv-smtp scripts/smtp-requirements.txt
  export SMTP_SINK_PYTHON=$repo/.venv-smtp/bin/python
fi

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-targets --no-fail-fast "$@"
  # nextest does not run doctests; the same filters apply to them.
  cargo test --workspace --doc --quiet -- "$@"
else
  # `cargo test` takes one filter of its own; after `--`, the test harness takes any number.
  cargo test --workspace --no-fail-fast -- "$@"
fi
