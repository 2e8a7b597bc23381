# shellcheck shell=bash
# Private PostgreSQL clusters for development, tests and benchmarks: initdb + pg_ctl in a
# directory of their own, on a non-default port, listening on 127.0.0.1 only. Sourced by the
# scripts in scripts/. Postgres refuses to run as root, so as root the cluster runs as an
# unprivileged user in a directory under /var/tmp that user can reach.

pg_log() { printf '[postgres] %s\n' "$*" >&2; }

# Finds initdb/pg_ctl, installing Debian's postgresql when missing and possible.
pg_find_binaries() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    PG_BIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    return 0
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then PG_BIN=$dir; fi
  done
  if [ -n "${PG_BIN:-}" ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    pg_log "PostgreSQL is not installed; installing Debian's postgresql package"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    for dir in /usr/lib/postgresql/*/bin; do
      if [ -x "$dir/pg_ctl" ]; then PG_BIN=$dir; fi
    done
  fi
  if [ -z "${PG_BIN:-}" ]; then
    pg_log "PostgreSQL server binaries (initdb, pg_ctl) are missing."
    pg_log "Install them, e.g. 'sudo apt-get install postgresql' (Debian/Ubuntu),"
    pg_log "or set DATABASE_URL to a PostgreSQL 13+ server you already run."
    return 1
  fi
}

# The user the server runs as: ourselves, or an unprivileged account when we are root.
pg_owner() {
  if [ "$(id -u)" != 0 ]; then id -un; return; fi
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres >&2
  fi
  echo postgres
}

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

# pg_start DATADIR PORT: creates the cluster on first use, starts it, and exports
# PG_DATADIR, PG_PORT and PG_ADMIN_URL (superuser `job_offers`, database `postgres`).
# PG_PRELOAD: shared_preload_libraries of the server (e.g. pg_stat_statements), none by default.
# PG_OPTIONS: further server options ("-c name=value ..."), none by default.
pg_start() {
  local datadir=$1 port=$2
  local preload=""
  if [ -n "${PG_PRELOAD:-}" ]; then preload="-c shared_preload_libraries=$PG_PRELOAD"; fi
  pg_find_binaries || return 1
  PG_OWNER=$(pg_owner)
  mkdir -p "$datadir"
  if [ "$(id -u)" = 0 ]; then chown "$PG_OWNER" "$datadir"; fi
  chmod 700 "$datadir"
  if [ ! -f "$datadir/PG_VERSION" ]; then
    pg_log "creating a cluster in $datadir"
    pg_as_owner "$PG_BIN/initdb" -D "$datadir" -U job_offers --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$datadir.initdb.log" 2>&1 || {
      cat "$datadir.initdb.log" >&2
      return 1
    }
  fi
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
    pg_log "starting PostgreSQL on 127.0.0.1:$port"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
      -o "-p $port -k $datadir -c listen_addresses=127.0.0.1 -c max_connections=${PG_MAX_CONNECTIONS:-200} -c fsync=${PG_FSYNC:-on} $preload ${PG_OPTIONS:-}" \
      start >/dev/null || {
      tail -n 30 "$datadir/server.log" >&2
      return 1
    }
  fi
  PG_DATADIR=$datadir
  PG_PORT=$port
  PG_ADMIN_URL="postgres://job_offers@127.0.0.1:$port/postgres"
  export PG_DATADIR PG_PORT PG_ADMIN_URL
}

# pg_create_database NAME: creates the database when missing.
pg_create_database() {
  local name=$1
  if ! pg_as_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U job_offers -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    pg_as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U job_offers "$name"
  fi
}

pg_stop() {
  if [ -n "${PG_DATADIR:-}" ] && [ -f "$PG_DATADIR/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATADIR" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

# A directory for cluster NAME that the server's user can reach.
pg_dir_for() {
  local name=$1 repo=$2
  if [ "$(id -u)" = 0 ]; then
    echo "/var/tmp/job-offers-$(printf '%s' "$repo" | cksum | cut -d' ' -f1)/$name"
  else
    echo "$repo/.pg/$name"
  fi
}

# pg_free_port PREFERRED: PREFERRED when nothing listens there, otherwise a free port the
# kernel picks, so a second run (or another checkout's) does not collide.
pg_free_port() {
  python3 - "$1" <<'PY'
import socket, sys
preferred = int(sys.argv[1])
for port in (preferred, 0):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(probe.getsockname()[1])
        break
PY
}
