#!/usr/bin/env bash
# The benchmark suite: a release build on loopback against a private PostgreSQL, measured with
# wrk (HTTP) and pgbench (the same SQL without the HTTP server: the ceiling), written up as
# BENCHMARKS.md. Not a test: CI runs only the quick mode, as a smoke test.
#
# Usage: scripts/bench.sh            full run (~20-25 min on 2 cores), writes BENCHMARKS.md
#        scripts/bench.sh --quick    smoke run (~1-2 min after the build), writes
#                                    target/bench/BENCHMARKS.quick.md
# Exits non-zero when a run that must be clean (every one but the login floods) saw a non-2xx
# answer or a socket error, or a login flood saw a time-out or an answer other than 200/503.
#
# Environment overrides (defaults in brackets, full / quick):
#   BENCH_CONNS          wrk/pgbench connection counts            [16 64 256 / 16]
#   BENCH_DURATION       seconds per run                          [10 / 3]
#   BENCH_REPS           repetitions of every run (medians)       [3 / 1]
#   BENCH_OFFERS         offers of the main data set (100/user)   [100000 / 10000]
#   BENCH_GROWTH         data sets of the cost-growth and board-at-size tables
#                                                                 [100000 1000000 / 1000 10000]
#   BENCH_GROWTH_CONNS   connections of the cost-growth runs      [64 / 16]
#   BENCH_FLOOD_CONNS    GET connections of the login-flood runs  [64 / 16]
#   BENCH_REF_CONNS      connections of the board endpoints and of the pgbench runs of
#                        the mixed load                         [64 / 16]
#   BENCH_POOL_SIZE      the server's max_connections             [the server's default]
#   BENCH_SERVER_ENV     extra VAR=value settings of the server, space-separated (tuning
#                        experiments, e.g. "ROCKET_PASSWORD_HASH_CONCURRENCY=1")
#   BENCH_BOARD_PATHS    GET paths to bench besides the offers API [found in the OpenAPI doc]
#   BENCH_BOARD_EXTRA    board queries measured at size (and at BENCH_REF_CONNS on the main
#                        data set) besides those [each other filter alone, two or three
#                        together with and without words, the HTML board searching]
#   BENCH_BOARD_DURATION seconds per board query run, at size and at BENCH_REF_CONNS [5 / 1]
#   BENCH_ONLY=board     only the board (at size, its plans, at BENCH_REF_CONNS), a create's
#                        PostgreSQL time and the start-up on a seeded database: ~15 min full
#   BENCH_PG_FSYNC       PostgreSQL fsync                         [on]
#   BENCH_PG_SHARED_BUFFERS  PostgreSQL shared_buffers            [4GB]
#   BENCH_PORT, BENCH_PG_PORT                                     [5021, 54341]
#   BENCH_OUTPUT         the report                               [BENCHMARKS.md / target/bench/BENCHMARKS.quick.md]
#   BENCH_SKIP_BUILD=1   use target/release/job-offers as it is
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
# shellcheck source=scripts/lib/postgres.sh
source scripts/lib/postgres.sh
# shellcheck source=scripts/lib/server.sh
source scripts/lib/server.sh

mode=full
case "${1:-}" in
  --quick) mode=quick ;;
  "") ;;
  -h | --help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: $0 [--quick]" >&2
    exit 2
    ;;
esac

if [ "$mode" = quick ]; then
  conns_list=${BENCH_CONNS:-16}
  duration=${BENCH_DURATION:-3}
  reps=${BENCH_REPS:-1}
  main_offers=${BENCH_OFFERS:-10000}
  growth_sizes=${BENCH_GROWTH:-1000 10000}
  board_duration=${BENCH_BOARD_DURATION:-1}
  growth_conns=${BENCH_GROWTH_CONNS:-16}
  flood_conns=${BENCH_FLOOD_CONNS:-16}
  output=${BENCH_OUTPUT:-target/bench/BENCHMARKS.quick.md}
else
  conns_list=${BENCH_CONNS:-16 64 256}
  duration=${BENCH_DURATION:-10}
  reps=${BENCH_REPS:-3}
  main_offers=${BENCH_OFFERS:-100000}
  growth_sizes=${BENCH_GROWTH:-100000 1000000}
  board_duration=${BENCH_BOARD_DURATION:-5}
  growth_conns=${BENCH_GROWTH_CONNS:-64}
  flood_conns=${BENCH_FLOOD_CONNS:-64}
  output=${BENCH_OUTPUT:-BENCHMARKS.md}
fi
only=${BENCH_ONLY:-}
case "$only" in "" | board) ;; *) echo "BENCH_ONLY: board or nothing" >&2; exit 2 ;; esac
# The connection count of the secondary references (pgbench of the mixed
# load) and of the board endpoints: 64 when measured, else the first count.
ref_conns=${BENCH_REF_CONNS:-}
if [ -z "$ref_conns" ]; then
  case " $conns_list " in *" 64 "*) ref_conns=64 ;; *) ref_conns=${conns_list%% *} ;; esac
fi
per_user=100            # offers per seeded user: offer k belongs to user (k-1)/100 + 1
visible_per_user=92     # the first 92 of them are open to everyone (seed.sql), the rest hidden
writers=16              # users 1..16 create and edit; lists are read from users 17.. only
login_conns=32          # connections of the login flood
password='bench-password-1'
http_port=${BENCH_PORT:-5021}
pg_port=${BENCH_PG_PORT:-54341}
wrk_timeout=5           # seconds; the server answers a waiting login within ~2 s (503 at worst)
cores=$(nproc)
out_dir=$repo/target/bench
work=$out_dir/run
results=$work/results.jsonl

log() { printf '[bench] %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# --- tools --------------------------------------------------------------------------------

ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "wrk is not installed; installing Debian's wrk package"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  fi
  command -v wrk >/dev/null 2>&1 || die "wrk is missing: install it (e.g. 'sudo apt-get install wrk')"
}
ensure_wrk
pg_find_binaries
pgbench_bin=$PG_BIN/pgbench
psql_bin=$PG_BIN/psql
[ -x "$pgbench_bin" ] || die "pgbench is missing next to pg_ctl ($PG_BIN); install PostgreSQL's server package"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to write the report"
command -v curl >/dev/null 2>&1 || die "curl is needed"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "building the release binary"
  # Others may be editing the code: in full mode a failed build is retried, a minute apart;
  # the quick mode (CI) fails at once.
  attempts=${BENCH_BUILD_ATTEMPTS:-$([ "$mode" = full ] && echo 4 || echo 1)}
  for attempt in $(seq 1 "$attempts"); do
    if cargo build --release --locked --bin job-offers; then break; fi
    [ "$attempt" = "$attempts" ] && die "the release build failed"
    log "build failed (attempt $attempt); retrying in 60 s"
    sleep 60
  done
fi
[ -x "${CARGO_TARGET_DIR:-target}/release/job-offers" ] || die "${CARGO_TARGET_DIR:-target}/release/job-offers is missing"

# --- processes, always stopped ------------------------------------------------------------

rm -rf "$work"
mkdir -p "$work"
datadir=$(pg_dir_for "bench-$$" "$repo")
server_pids=()   # every server started; a stopped one is taken out
rss_sampler=""   # the running RSS sampler, if any
flood_pid=""     # the running login flood, if any
cleanup() {
  local pid
  for pid in $rss_sampler $flood_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in "${server_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $rss_sampler $flood_pid "${server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pg_stop
  rm -rf "$datadir" "$datadir.initdb.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Our ports must be free: a health check answered by someone else's server would go unnoticed.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
set -- $growth_sizes # one server per data set: at most 1 + the growth sizes
explain_port=$((http_port + $# + 1)) # the server that logs plans (the board at size)
for port in "$pg_port" $(seq "$http_port" "$explain_port"); do
  port_in_use "$port" && die "port $port on 127.0.0.1 is in use; set BENCH_PORT / BENCH_PG_PORT"
done

# pgbench opens as many connections as the widest run, on top of the servers' pools.
max_conns=0
for c in $conns_list $growth_conns $flood_conns; do [ "$c" -gt "$max_conns" ] && max_conns=$c; done
# pg_stat_statements: a create's own PostgreSQL time (the "create" table of the report).
# Shared buffers large enough for the largest data set (a million offers are ~2.5 GB with
# their indexes), as a database server of this machine's memory would be set up: with the
# default 128 MB the board at size measured the kernel's page cache, not PostgreSQL.
PG_MAX_CONNECTIONS=$((max_conns + 100)) PG_FSYNC=${BENCH_PG_FSYNC:-on} \
  PG_PRELOAD=pg_stat_statements PG_OPTIONS="-c shared_buffers=${BENCH_PG_SHARED_BUFFERS:-4GB}" \
  pg_start "$datadir" "$pg_port"

psql_db() { "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U job_offers -d "$@"; }

# record KEY=VALUE... [result JSON]: one line of results.jsonl.
record() {
  python3 - "$@" >>"$results" <<'EOF'
import json, sys
entry = {}
for arg in sys.argv[1:]:
    key, _, value = arg.partition("=")
    if key == "result":
        entry[key] = json.loads(value) if value else None
    else:
        try:
            entry[key] = int(value)
        except ValueError:
            entry[key] = value
print(json.dumps(entry))
EOF
}

# --- data sets: one database and one server each ----------------------------------------

declare -A ds_url ds_pid ds_users ds_db ds_seeded
server_env=(ROCKET_LOG_LEVEL=off ROCKET_ACCESS_LOG=false "${SERVER_NO_LIMITS[@]}")
# shellcheck disable=SC2206 # word splitting wanted: VAR=value settings
[ -z "${BENCH_SERVER_ENV:-}" ] || server_env+=($BENCH_SERVER_ENV)
if [ -n "${BENCH_POOL_SIZE:-}" ]; then
  # Merged into databases.offers; DATABASE_URL (set by server_start) still gives the url.
  server_env+=("ROCKET_DATABASES={offers={max_connections=${BENCH_POOL_SIZE}}}")
fi

# start_dataset OFFERS PORT: a database of OFFERS/100 users with 100 offers each, its server.
start_dataset() {
  local offers=$1 port=$2 users db
  users=$(((offers + per_user - 1) / per_user))
  [ "$users" -ge 2 ] || die "a data set needs at least $((2 * per_user)) offers"
  db=bench_$offers
  SERVER_LOG=$work/server-$offers.log
  server_start "$db" "$port" "${server_env[@]}"
  server_pids+=("$SERVER_PID")
  # User 1 through the API, for a real Argon2id hash; the others share it.
  curl -fsS -o /dev/null -X POST "$SERVER_URL/api/v1/users/register" \
    -H 'Content-Type: application/json' \
    -d "{\"username\": \"employer1\", \"password\": \"$password\"}" ||
    die "registering employer1 failed (is the database $db fresh?)"
  log "seeding $db: $users users x $per_user offers"
  local started=$SECONDS
  psql_db "$db" -v users="$users" -v per_user="$per_user" -f scripts/bench/seed.sql >/dev/null
  # The seed's dirty pages written now, not by a checkpoint during the measurements.
  psql_db "$db" -c CHECKPOINT >/dev/null
  log "seeded $db in $((SECONDS - started)) s"
  record tool=seed phase=seed scenario=seed dataset="$offers" conns=0 rep=1 \
    seconds=$((SECONDS - started))
  psql_db "$db" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
  ds_url[$offers]=$SERVER_URL
  ds_pid[$offers]=$SERVER_PID
  ds_users[$offers]=$users
  ds_db[$offers]=$db
  ds_seeded[$offers]=$((users * per_user))
}

login_token() { # login_token BASE_URL USERNAME
  curl -fsS -X POST "$1/api/v1/users/login" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$2\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

datasets=$main_offers
for size in $growth_sizes; do
  case " $datasets " in *" $size "*) ;; *) datasets="$datasets $size" ;; esac
done
port=$http_port
for size in $datasets; do
  start_dataset "$size" "$port"
  port=$((port + 1))
done
main_url=${ds_url[$main_offers]}
main_pid=${ds_pid[$main_offers]}
main_users=${ds_users[$main_offers]}
[ "$main_users" -gt "$writers" ] || die "the main data set needs more than $writers users"

# Tokens of the writers 1..16 of each data set (token 1 also reads).
declare -A ds_tokens
for size in $datasets; do
  tokens=""
  for w in $(seq 1 "$writers"); do
    [ "$w" -le "${ds_users[$size]}" ] || break
    tokens="$tokens $(login_token "${ds_url[$size]}" "employer$w")"
  done
  ds_tokens[$size]=$tokens
done

# Board endpoints (BENCH_BOARD_PATHS="" for none): GET routes of the OpenAPI document outside /users/, without path parameters
# other than an offer id (a random seeded offer's); a route taking `q` or `skills` is also
# measured searching (q=python) and filtering (skills=rust), skills every seeded offer may have.
if [ -n "${BENCH_BOARD_PATHS+set}" ]; then
  board_paths=$BENCH_BOARD_PATHS
else
  board_paths=$(curl -fsS "$main_url/api/v1/openapi.json" | python3 -c '
import json, re, sys
doc = json.load(sys.stdin)
base = (doc.get("servers") or [{"url": ""}])[0]["url"].rstrip("/")
for path, item in doc.get("paths", {}).items():
    op = item.get("get")
    if not op or path.startswith("/users/") or path.endswith(".json"):
        continue
    if any(p not in ("{id}", "{offer_id}") for p in re.findall(r"\{[^}]*\}", path)):
        continue
    params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
    if any(p.get("required") for p in params):
        continue
    path = re.sub(r"\{[^}]*\}", "{id}", path)
    print(base + path)
    names = {p.get("name") for p in params}
    if "q" in names:
        print(base + path + "?q=python")
    if "skills" in names:
        print(base + path + "?skills=rust")
' || true)
fi
[ -n "$board_paths" ] && log "board endpoints: $(echo $board_paths)"
# The board at size: those, and the queries that take the other paths through the database
# (src/repo/board.rs): several words, several skills, a word with a skill; and the HTML board.
board_size_paths="$board_paths"
if [ -n "$board_paths" ]; then
  board_size_paths="$board_paths ${BENCH_BOARD_EXTRA-/api/v1/offers?workplace=remote
    /api/v1/offers?employment_type=PART_TIME /api/v1/offers?country=DE
    /api/v1/offers?salary_min=80000&currency=EUR /api/v1/offers?posted_within=7
    /api/v1/offers?skills=rust,python /api/v1/offers?q=senior%20python
    /api/v1/offers?q=python&skills=rust /api/v1/offers?country=DE&workplace=remote
    /api/v1/offers?q=python&country=DE&salary_min=60000&currency=EUR /?q=python}"
fi
board_size_paths=$(echo $board_size_paths)

# --- one measurement ----------------------------------------------------------------------

# Peak VmRSS of PID while the sampler runs, in kB, into $work/rss.
rss_sampler_start() {
  local pid=$1
  (
    peak=0
    while [ -r "/proc/$pid/status" ]; do
      while read -r key value _; do
        if [ "$key" = VmRSS: ]; then
          [ "$value" -gt "$peak" ] && peak=$value && echo "$peak" >"$work/rss"
          break
        fi
      done <"/proc/$pid/status" 2>/dev/null || break
      sleep 0.1
    done
  ) &
  rss_sampler=$!
}
rss_sampler_stop() {
  kill "$rss_sampler" 2>/dev/null || true
  wait "$rss_sampler" 2>/dev/null || true
  rss_sampler=""
}
# CPU time (clock ticks) of the server, and of all PostgreSQL processes: the postmaster's
# live children, plus what its children that have exited used (its cutime + cstime), so that a
# backend or an autovacuum worker ending during a run does not take its CPU out of the sum.
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu_ticks() {
  local postmaster total child
  postmaster=$(head -n 1 "$PG_DATADIR/postmaster.pid")
  total=$(awk '{print $16 + $17}' "/proc/$postmaster/stat" 2>/dev/null || echo 0)
  for child in $(pgrep -P "$postmaster"); do
    total=$((total + $(cpu_ticks "$child")))
  done
  echo "$total"
}
vm_hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }


load1() { cut -d' ' -f1 /proc/loadavg; }

# wrk_env SIZE: exports the environment of the Lua scripts for a data set (call in a subshell).
wrk_env() {
  local users=${ds_users[$1]}
  local list_from=$((writers + 1))
  [ "$list_from" -le "$users" ] || list_from=$users
  export BENCH_LUA_DIR=$repo/scripts/bench BENCH_USERS=$users BENCH_PER_USER=$per_user \
    BENCH_VISIBLE_PER_USER=$visible_per_user \
    BENCH_LIST_FROM=$list_from BENCH_PASSWORD=$password BENCH_TOKENS="${ds_tokens[$1]# }"
}

# run_wrk PHASE SCENARIO SIZE CONNS REP SCRIPT [PATH] [DURATION]
run_wrk() {
  local phase=$1 scenario=$2 size=$3 conns=$4 rep=$5 script=$6 path=${7:-} secs=${8:-$duration}
  local pid=${ds_pid[$size]} threads=$cores out load
  [ "$threads" -le "$conns" ] || threads=$conns
  out=$work/wrk-$phase-${scenario//[^a-zA-Z0-9_-]/_}-$size-c$conns-r$rep.txt
  load=$(load1)
  echo 0 >"$work/rss"
  rss_sampler_start "$pid"
  local server_cpu pg_cpu
  server_cpu=$(cpu_ticks "$pid")
  pg_cpu=$(pg_cpu_ticks)
  (
    wrk_env "$size"
    export BENCH_PATH=$path
    exec timeout $((secs + 30)) wrk -t"$threads" -c"$conns" -d"${secs}s" \
      --timeout "${wrk_timeout}s" -s "scripts/bench/$script" "${ds_url[$size]}"
  ) >"$out" 2>&1 || true
  server_cpu=$(($(cpu_ticks "$pid") - server_cpu))
  pg_cpu=$(($(pg_cpu_ticks) - pg_cpu))
  rss_sampler_stop
  local json
  json=$(sed -n 's/^BENCH_JSON //p' "$out" | tail -n 1)
  [ -n "$json" ] || log "wrk printed no summary for $phase/$scenario (see $out)"
  record tool=wrk phase="$phase" scenario="$scenario" dataset="$size" conns="$conns" rep="$rep" \
    threads="$threads" seconds="$secs" load1="$load" rss_peak_kb="$(cat "$work/rss")" \
    hwm_kb="$(vm_hwm "$pid")" server_cpu_ticks="$server_cpu" pg_cpu_ticks="$pg_cpu" \
    clk_tck="$clk_tck" result="$json"
  log "$(printf '%-6s %-16s %7s offers c=%-3s rep %s: %s' "$phase" "$scenario" "$size" "$conns" "$rep" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1] or "null"); print("no result" if not d else "%.0f req/s, p99 %.1f ms, statuses %s, socket errors %d" % (d["requests"]/d["duration_us"]*1e6, d["p99_us"]/1000, d["statuses"], d["connect_errors"]+d["read_errors"]+d["write_errors"]+d["timeouts"]))' "$json")")"
}

# run_pgbench PHASE SCENARIO SIZE CONNS REP SCRIPT...  (SCRIPT may carry @weight)
run_pgbench() {
  local phase=$1 scenario=$2 size=$3 conns=$4 rep=$5
  shift 5
  local users=${ds_users[$size]} threads=$cores out prefix load files=()
  [ "$threads" -le "$conns" ] || threads=$conns
  local list_from=$((writers + 1))
  [ "$list_from" -le "$users" ] || list_from=$users
  for script in "$@"; do files+=(-f "scripts/bench/$script"); done
  local name=${scenario//[^a-zA-Z0-9_-]/_}
  out=$work/pgbench-$phase-$name-$size-c$conns-r$rep.txt
  prefix=$work/pglog-$phase-$name-$size-c$conns-r$rep
  load=$(load1)
  timeout $((duration + 60)) "$pgbench_bin" -h 127.0.0.1 -p "$PG_PORT" -U job_offers -n \
    -M prepared -c "$conns" -j "$threads" -T "$duration" \
    -D users="$users" -D per_user="$per_user" -D list_from="$list_from" -D writers="$writers" \
    -l --log-prefix="$prefix" --sampling-rate=0.1 "${files[@]}" "${ds_db[$size]}" >"$out" 2>&1 || true
  local json
  json=$(python3 - "$out" "$prefix" "$duration" <<'EOF'
import glob, json, re, sys
out, prefix, duration = sys.argv[1], sys.argv[2], float(sys.argv[3])
text = open(out).read()
tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", text, re.M)
done = re.search(r"^number of transactions actually processed: (\d+)", text, re.M)
failed = re.search(r"^number of failed transactions: (\d+)", text, re.M)
if not tps or not done:
    print("")
    sys.exit(0)
latencies = []
for path in glob.glob(prefix + ".*"):
    with open(path) as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 3 and fields[2].isdigit():
                latencies.append(int(fields[2]))
latencies.sort()
def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] if latencies else 0
print(json.dumps({"tps": float(tps.group(1)), "requests": int(done.group(1)),
                  "failed": int(failed.group(1)) if failed else 0,
                  "p50_us": pct(50), "p99_us": pct(99), "samples": len(latencies)}))
EOF
)
  rm -f "$prefix".*
  [ -n "$json" ] || log "pgbench printed no result for $phase/$scenario (see $out)"
  record tool=pgbench phase="$phase" scenario="$scenario" dataset="$size" conns="$conns" \
    rep="$rep" threads="$threads" seconds="$duration" load1="$load" result="$json"
  log "$(printf '%-6s %-16s %7s offers c=%-3s rep %s: %s' "$phase" "pgbench:$scenario" "$size" "$conns" "$rep" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1] or "null"); print("no result" if not d else "%.0f tps, p99 %.1f ms, failed %d" % (d["tps"], d["p99_us"]/1000, d["failed"]))' "$json")")"
}

# restore_dataset SIZE: removes the offers the write runs added to data set SIZE, and vacuums
# it, so that the runs after them measure the data set as seeded. Without it every repetition
# added ~25 000 offers that all said the same (the pgbench create sends one constant offer),
# and the board's filters met a board of 150 000 offers whose newest fifth matched none of them.
restore_dataset() {
  local size=$1 removed
  removed=$(psql_db "${ds_db[$size]}" -tA -c "WITH gone AS (DELETE FROM offers
    WHERE id > ${ds_seeded[$size]} RETURNING 1) SELECT count(*) FROM gone")
  psql_db "${ds_db[$size]}" -c "VACUUM (ANALYZE) offers" >/dev/null
  log "restored $size offers: removed $removed written by the runs"
}

# --- the runs -----------------------------------------------------------------------------

started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cat /proc/loadavg)
log "mode $mode: connections [$conns_list], ${duration} s per run, $reps repetition(s)"

for rep in $(seq 1 "$reps"); do
  [ -z "$only" ] || break
  # Cost as work grows: the same reads on every data set, before any write touches them.
  for size in $growth_sizes; do
    run_wrk growth get_offer "$size" "$growth_conns" "$rep" get_offer.lua
    run_wrk growth list_offers "$size" "$growth_conns" "$rep" list_offers.lua
  done
done
# The board at size: every board query alone on one connection (its latency, not the
# machine's throughput) on every data set, before any write.
# Interleaved (each query on every data set in turn), so that both sizes meet the same
# background work of the cluster.
for rep in $(seq 1 "$reps"); do
  for path in $board_size_paths; do
    for size in $growth_sizes; do
      run_wrk size "board:$path" "$size" 1 "$rep" get_path.lua "$path" "$board_duration"
    done
  done
done
# Their plans, as PostgreSQL ran the server's own statements: a second server per data set
# whose connections load auto_explain (EXPLAIN ANALYZE of every statement into the cluster's
# log), one warm-up request and one logged request per query.
explain_board() { # explain_board SIZE PORT
  local size=$1 port=$2 db=${ds_db[$1]} path url options slug before
  options="options[session_preload_libraries]=auto_explain&options[auto_explain.log_min_duration]=0"
  options="$options&options[auto_explain.log_analyze]=on&options[auto_explain.log_buffers]=on"
  options="$options&options[auto_explain.log_timing]=on"
  SERVER_LOG=$work/server-explain-$size.log
  # This server's start on a seeded database is also the start-up figure: from its launch to
  # its first healthy answer, the migrations' check (nothing left to apply) included.
  local launched
  launched=$(date +%s%N)
  server_start "$db" "$port" "${server_env[@]}" \
    DATABASE_URL="postgres://job_offers@127.0.0.1:$PG_PORT/$db?$options" || return 1
  server_pids+=("$SERVER_PID")
  record tool=startup phase=size scenario=startup dataset="$size" conns=0 rep=1 \
    ms=$((($(date +%s%N) - launched) / 1000000))
  for path in $board_size_paths; do
    url=$SERVER_URL${path//\{id\}/$((size / 2 + 1))} # the first, open offer of a user
    slug=$(printf '%s' "$path" | tr -cs 'a-zA-Z0-9' '_' | sed 's/^_*//; s/_*$//')
    curl -fsS -o /dev/null "$url" || log "explain: $url failed"
    before=$(stat -c %s "$PG_DATADIR/server.log")
    curl -fsS -o /dev/null "$url" || log "explain: $url failed"
    sleep 0.2
    tail -c +$((before + 1)) "$PG_DATADIR/server.log" >"$work/explain-$size-$slug.log"
    record tool=explain phase=size scenario="board:$path" dataset="$size" conns=0 rep=1 \
      file="$work/explain-$size-$slug.log"
  done
  server_stop
}
for size in $growth_sizes; do
  explain_board "$size" "$explain_port" || log "no plans for $size offers"
done

# The growth-only servers are done: stop them so that they cost nothing from here on.
running=()
for pid in "${server_pids[@]}"; do
  if [ "$pid" = "$main_pid" ]; then
    running+=("$pid")
  else
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
done
server_pids=("${running[@]}")

for rep in $(seq 1 "$reps"); do
  for conns in $conns_list; do
    # Each HTTP run next to the pgbench run of its SQL, so their ratio is measured under the
    # same conditions.
    # The secondary references and the board endpoints only at the reference count, to keep
    # the full run within ~25 minutes.
    ref=false
    [ "$conns" = "$ref_conns" ] && ref=true
    if [ -z "$only" ]; then
      run_wrk main get_offer "$main_offers" "$conns" "$rep" get_offer.lua
      run_pgbench main get_offer "$main_offers" "$conns" "$rep" pg_get_offer.sql
      run_wrk main list_offers "$main_offers" "$conns" "$rep" list_offers.lua
      run_pgbench main list_offers "$main_offers" "$conns" "$rep" pg_list_offers.sql
      run_wrk main create_offer "$main_offers" "$conns" "$rep" create_offer.lua
      run_pgbench main create_offer "$main_offers" "$conns" "$rep" pg_create_offer.sql
      run_wrk main update_offer "$main_offers" "$conns" "$rep" update_offer.lua
      run_wrk main mixed "$main_offers" "$conns" "$rep" mixed.lua
      if $ref; then
        run_pgbench main mixed "$main_offers" "$conns" "$rep" \
          pg_get_offer.sql@18 pg_update_offer.sql@1 pg_create_offer.sql@1
      fi
      run_wrk main healthz "$main_offers" "$conns" "$rep" healthz.lua /healthz
    fi
    # Every board query of the board at size, so that none answers anything but 2xx under load,
    # on the data set as seeded: the targets are set at its size and mix.
    if $ref; then restore_dataset "$main_offers"; fi
    for path in $board_size_paths; do
      $ref || break
      run_wrk main "board:$path" "$main_offers" "$conns" "$rep" get_path.lua "$path" \
        "$board_duration"
      # Its SQL, when written down as scripts/bench/pg_board_<slug>.sql, the slug being the
      # path and query with every run of other characters than a-z0-9 as one underscore
      # (/api/v1/offers?q=python: pg_board_api_v1_offers_q_python.sql).
      slug=$(printf '%s' "$path" | tr -cs 'a-zA-Z0-9' '_' | sed 's/^_*//; s/_*$//')
      if [ -f "scripts/bench/pg_board_$slug.sql" ]; then
        run_pgbench main "board:$path" "$main_offers" "$conns" "$rep" "pg_board_$slug.sql"
      fi
    done
    [ -n "$only" ] || run_wrk main login "$main_offers" "$conns" "$rep" login.lua
  done
done

# A create's own PostgreSQL time: creates on one connection (no contention for the cores
# inflating the executor's time), then pg_stat_statements' mean execution time of each
# statement a create runs: the auth guard's check, the creation count, the INSERT.
psql_main() { psql_db "${ds_db[$main_offers]}" -tA "$@"; }
for rep in $(seq 1 "$reps"); do
  # On the seeded data set: each writer owns its 100 offers again, as a real account would
  # own a few (the creation quota caps them at 1 000), not the thousands the write runs gave it.
  restore_dataset "$main_offers"
  psql_main -c "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database
    WHERE datname = current_database()), 0)" >/dev/null
  run_wrk cost create_offer "$main_offers" 1 "$rep" create_offer.lua "" "$board_duration"
  record tool=pgss phase=cost scenario=create_offer dataset="$main_offers" conns=1 rep="$rep" \
    result="$(psql_main -c "SELECT json_object_agg(statement, json_build_object('calls', calls,
      'mean_ms', mean_ms)) FROM (SELECT CASE WHEN query LIKE '%INSERT INTO offers%' THEN 'insert'
        WHEN query LIKE 'INSERT INTO attempt_limits%' THEN 'limit'
        WHEN query LIKE 'SELECT EXISTS%' THEN 'auth' END AS statement,
        sum(calls) AS calls, sum(total_exec_time) / sum(calls) AS mean_ms
      FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      GROUP BY 1) AS s WHERE statement IS NOT NULL")"
done

# A login flood must not starve reads: GET alone, then GET while 32 connections log in.
for rep in $(seq 1 "$reps"); do
  [ -z "$only" ] || break
  run_wrk flood get_unloaded "$main_offers" "$flood_conns" "$rep" get_offer.lua
  flood_out=$work/wrk-flood-login-$main_offers-c$login_conns-r$rep.txt
  (
    wrk_env "$main_offers"
    exec timeout $((duration + 40)) wrk -t"$cores" -c"$login_conns" -d"$((duration + 2))s" \
      --timeout "${wrk_timeout}s" -s scripts/bench/login.lua "$main_url"
  ) >"$flood_out" 2>&1 &
  flood_pid=$!
  sleep 1
  run_wrk flood get_flooded "$main_offers" "$flood_conns" "$rep" get_offer.lua
  wait "$flood_pid" || true
  flood_pid=""
  record tool=wrk phase=flood scenario=login_flood dataset="$main_offers" conns="$login_conns" \
    rep="$rep" threads="$cores" seconds=$((duration + 2)) load1="$(load1)" \
    hwm_kb="$(vm_hwm "$main_pid")" result="$(sed -n 's/^BENCH_JSON //p' "$flood_out" | tail -n 1)"
done

final_hwm=$(vm_hwm "$main_pid")
pool_size=${BENCH_POOL_SIZE:-$(sed -n 's/^max_connections *= *\([0-9]*\).*/\1/p' Rocket.toml | head -n 1)}

# --- the report ---------------------------------------------------------------------------

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit-dirty"; fi
mkdir -p "$(dirname "$output")"
status=0
python3 scripts/bench/report.py \
  --results "$results" --output "$output" --mode "$mode" --commit "$commit" \
  --started "$started_at" --finished "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --load-start "$load_start" --load-end "$(cat /proc/loadavg)" \
  --cores "$cores" --duration "$duration" --reps "$reps" --conns "$conns_list" \
  --main-offers "$main_offers" --growth "$growth_sizes" --growth-conns "$growth_conns" \
  --flood-conns "$flood_conns" --login-conns "$login_conns" --ref-conns "$ref_conns" --pool-size "${pool_size:-10}" \
  --final-hwm-kb "$final_hwm" --pg-version "$("$PG_BIN/postgres" --version)" \
  --wrk-version "$(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
  --fsync "${BENCH_PG_FSYNC:-on}" --writers "$writers" --per-user "$per_user" || status=$?
cp "$results" "$out_dir/results-$mode.jsonl"
log "wrote $output (raw results: target/bench/results-$mode.jsonl)"
exit $status
