#!/usr/bin/env bash
# What crawlers and feed readers cost at size: the sitemap (index and files), robots.txt and
# the Atom feed, each fetched BENCH_CRAWL_REPS times (default 5) from a release server over an
# already seeded database, with the time of each fetch (curl, median and worst), the bytes and
# addresses served, and the server's peak resident memory (VmHWM) before and after.
#
#   DATABASE_URL=postgres://.../seeded scripts/bench/crawl.sh      # after cargo build --release
#
# Traffic goes to 127.0.0.1 only; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${DATABASE_URL:?DATABASE_URL of a seeded database (scripts/bench/seed.sql)}"
port=${BENCH_CRAWL_PORT:-5093}
reps=${BENCH_CRAWL_REPS:-5}
binary=target/release/job-offers
[ -x "$binary" ] || { echo "build first: cargo build --release" >&2; exit 2; }

ROCKET_PROFILE=release ROCKET_PORT=$port ROCKET_ADDRESS=127.0.0.1 \
  ROCKET_JWT_SECRET=$(head -c 48 /dev/urandom | base64) \
  ROCKET_SECRET_KEY=$(head -c 32 /dev/urandom | base64) \
  ROCKET_PUBLIC_URL=https://jobs.example.com ROCKET_LOG_LEVEL=off ROCKET_ACCESS_LOG=false \
  "$binary" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the server did not start" >&2; exit 1; }

peak() { awk '/VmHWM/ {print $2 " kB"}' "/proc/$server/status"; }
echo "server peak RSS after start-up: $(peak)"

measure() {
  local path=$1 times=() bytes=0
  for _ in $(seq "$reps"); do
    read -r time bytes < <(curl -fsS -o /tmp/crawl_body -w '%{time_total} %{size_download}\n' \
      "http://127.0.0.1:$port$path")
    times+=("$time")
  done
  local urls
  urls=$(grep -o '<loc>' /tmp/crawl_body | wc -l || true)
  local entries
  entries=$(grep -o '<entry>' /tmp/crawl_body | wc -l || true)
  printf '%s\n' "${times[@]}" | sort -n | awk -v path="$path" -v bytes="$bytes" \
    -v urls="$urls" -v entries="$entries" '
    { t[NR] = $1 * 1000 }
    END { printf "| `%s` | %.1f | %.1f | %d | %d | %d |\n", path, t[int((NR + 1) / 2)], t[NR], bytes, urls, entries }'
}

echo "| GET | median ms | worst ms | bytes | <loc> | <entry> |"
echo "|---|---|---|---|---|---|"
measure /robots.txt
measure /sitemap.xml
measure /sitemaps/1.xml
last=$(curl -fsS "http://127.0.0.1:$port/sitemap.xml" | grep -o '/sitemaps/[0-9]*\.xml' | tail -1 || true)
if [ -n "$last" ]; then measure "$last"; fi
measure /offers.atom
measure '/offers.atom?skills=rust&country=DE'
echo "server peak RSS after the fetches: $(peak)"
