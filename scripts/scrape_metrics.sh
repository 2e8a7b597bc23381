#!/usr/bin/env bash
# Writes what a real job-offers server exports at GET /metrics (Prometheus text format) to
# OUTPUT: starts a throwaway PostgreSQL (scripts/lib/postgres.sh) and the server in Rocket's
# release profile with a metrics token (scripts/lib/server.sh), sends a few requests so that
# the labelled series exist (a counter or histogram with labels appears once observed), scrapes
# with the bearer token the ServiceMonitor sends, and stops both on every exit path.
# scripts/check_deploy.sh passes the result to check_deploy.py --metrics-file, which requires
# every metric that the Grafana dashboard and the alert rules name to be in it.
#
# Usage: scripts/scrape_metrics.sh OUTPUT
# Env:   SCRAPE_SERVER_BIN  the server binary to run. Default: target/release/job-offers or
#                           target/debug/job-offers, whichever is newer, when it is newer than
#                           every source (src/, migrations/, build.rs, Cargo.toml, Cargo.lock);
#                           otherwise `cargo build --locked --bin job-offers` (debug) first.
#        SCRAPE_PG_PORT     preferred PostgreSQL port (default 54335; another free one if taken)
#        SCRAPE_PORT        preferred server port (default 5015; likewise)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/apt.sh
source scripts/lib/apt.sh
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/server.sh
source scripts/lib/server.sh

say() { printf '[scrape] %s\n' "$*" >&2; }
[ $# -eq 1 ] || { echo "usage: $0 OUTPUT" >&2; exit 2; }
output=$1
apt_ensure curl
apt_ensure python3 # pg_free_port

# The binary: a built one when no source is newer, else a debug build (fast to make, and the
# metrics do not depend on the profile it was built with).
target_dir=${CARGO_TARGET_DIR:-target}
fresh() { [ -x "$1" ] && [ -z "$(find src migrations build.rs Cargo.toml Cargo.lock -newer "$1" -print -quit)" ]; }
binary=${SCRAPE_SERVER_BIN:-}
if [ -z "$binary" ]; then
  for candidate in "$target_dir/release/job-offers" "$target_dir/debug/job-offers"; do
    if fresh "$candidate" && { [ -z "$binary" ] || [ "$candidate" -nt "$binary" ]; }; then binary=$candidate; fi
  done
fi
if [ -z "$binary" ]; then
  say "no server binary newer than the sources: cargo build --locked --bin job-offers"
  cargo build --locked --bin job-offers >&2
  binary=$target_dir/debug/job-offers
fi
[ -x "$binary" ] || { say "$binary is not an executable"; exit 1; }
say "server binary: $binary"

datadir=$(pg_dir_for "scrape-$$" "$repo")
cleanup() {
  local status=$?
  server_stop
  pg_stop
  rm -rf "$datadir" "$datadir.initdb.log"
  rm -f "$output.part"
  if [ -n "${SERVER_LOG:-}" ]; then
    [ "$status" = 0 ] || { say "the server's log:"; tail -n 30 "$SERVER_LOG" >&2 || true; }
    rm -f "$SERVER_LOG"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PG_FSYNC=off pg_start "$datadir" "$(pg_free_port "${SCRAPE_PG_PORT:-54335}")"
token=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')
SERVER_BIN=$binary server_start job_offers "$(pg_free_port "${SCRAPE_PORT:-5015}")" \
  ROCKET_METRICS_TOKEN="$token" "${SERVER_NO_LIMITS[@]}"

# Requests that create the labelled series: the probes, the home page and the board, an
# unknown path (route="unmatched"), and the routes that run Argon2, which the p99 latency alert
# leaves out by route: each is sent a body it refuses before hashing anything, so that its
# route label is exported and the checker can verify that the rule names real routes.
request() { # METHOD PATH [curl options...]
  local method=$1 path=$2
  shift 2
  curl -sS -o /dev/null -X "$method" "$SERVER_URL$path" "$@" || say "$method $path: no answer"
}
request GET /healthz
request GET /readyz
request GET /
request GET /api/v1/offers
request GET /no-such-page
json=(-H 'Content-Type: application/json' --data '{}')
form=(-H 'Content-Type: application/x-www-form-urlencoded' --data '')
request POST /api/v1/users/register "${json[@]}"
request POST /api/v1/users/login "${json[@]}"
request PUT /api/v1/users/1/password "${json[@]}"
request POST /register "${form[@]}"
request POST /login "${form[@]}"
request POST /account/password "${form[@]}"
# Scraped twice: the first scrape's own request is counted and observed by the second.
auth=(-H "Authorization: Bearer $token")
curl -fsS -o /dev/null "${auth[@]}" "$SERVER_URL/metrics"
curl -fsS "${auth[@]}" "$SERVER_URL/metrics" >"$output.part"
mv "$output.part" "$output"
say "$(grep -vc '^#' "$output") samples, $(grep -c '^# TYPE ' "$output") families written to $output"
