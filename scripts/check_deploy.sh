#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a Kubernetes cluster:
#   (a) hadolint on the Dockerfile (+ build-context and invariant checks)
#   (b) helm lint of chart/ with the default values, chart/ci/production-values.yaml and
#       the defaults with the monitoring switches on
#   (c) the rendered manifests validated with kubernetes-validate --strict
#       (ServiceMonitor and PrometheusRule against scripts/schemas/), expected kinds,
#       cross-references (incl. the dashboard ConfigMap's label and JSON, the
#       PrometheusRule's namespace and the job/namespace its alerts select)
#   (d) .gitlab-ci.yml structure
#   (e) docker-compose.yml structure and interpolation (+ `compose config` when a
#       compose CLI is installed)
#   (f) monitoring (run after (c)): the Grafana dashboard (chart/dashboards/job-offers.json)
#       and the rendered alert rules: the dashboard's structure; `promtool check rules
#       --lint=all` on the rules and on the dashboard's queries; `promtool test rules` with
#       scripts/promtool/rules.test.yaml (every alert fires, and holds quiet where it
#       should); every metric, label and route the queries and rules name is exported by a
#       real server, scraped first by scripts/scrape_metrics.sh (a throwaway PostgreSQL and
#       the server, both stopped on every exit path)
#
# Runs from any directory. The tools are pinned in scripts/deploy-requirements.txt
# and installed into .venv-deploy/ at the repository root by scripts/lib/venv.sh
# (created when missing, re-installed when the requirements change; as root, Debian's
# python3 and python3-venv are installed when missing). Needs python3 >= 3.10 and PyPI.
# promtool comes from Debian's prometheus package, installed as root when missing; the
# scrape needs PostgreSQL's server binaries (scripts/lib/postgres.sh installs Debian's as
# root) and a server binary (scripts/scrape_metrics.sh builds a debug one when none is
# newer than the sources).
#
#   scripts/check_deploy.sh            # everything
#   scripts/check_deploy.sh --help     # options of the checker
#
# Environment:
#   CHECK_DEPLOY_VENV      venv location (default: <repo>/.venv-deploy)
#   PYTHON                 interpreter used to create the venv (default: python3)
#   KUBE_VERSIONS          Kubernetes versions to validate against, space-separated
#                          (default: "1.30.0 1.37.0")
#   CHECK_DEPLOY_METRICS_FILE  a saved scrape to check against instead of starting a
#                          server (scripts/scrape_metrics.sh FILE makes one)
#   PROMTOOL               promtool to use (default: the one on PATH)
#   CHECK_DEPLOY_SKIP_PROMTOOL=1  without promtool, skip its checks instead of failing
#                          them (ignored when CI=true: CI always runs promtool)
#   SCRAPE_SERVER_BIN, SCRAPE_PG_PORT, SCRAPE_PORT: see scripts/scrape_metrics.sh
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CHECK_DEPLOY_VENV:-$REPO_ROOT/.venv-deploy}"
REQUIREMENTS="$REPO_ROOT/scripts/deploy-requirements.txt"
PYTHON="${PYTHON:-python3}"

case "$VENV" in
    "" | "/" | "$REPO_ROOT" | "${HOME:-/}") echo "check_deploy: refusing to use $VENV as the venv" >&2; exit 2 ;;
esac

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'check_deploy: %s\n' "$*" >&2; exit 2; }

# shellcheck source=scripts/lib/venv.sh
source "$REPO_ROOT/scripts/lib/venv.sh"

if [ "$PYTHON" = python3 ]; then apt_ensure python3 || true; fi
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (python >= 3.10 is required)"
"$PYTHON" - <<'PY' || die "python >= 3.10 is required (helm-python-sdk)"
import sys
sys.exit(0 if sys.version_info >= (3, 10) else 1)
PY

# A venv made by an older interpreter (e.g. restored from a CI cache) is made again.
if [ -f "$VENV/pyvenv.cfg" ] &&
    ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then
    log "re-creating virtual environment $VENV"
    rm -rf "$VENV"
fi
venv_ensure "$VENV" "$REQUIREMENTS" || die "could not install the pinned tools into $VENV"

help=""
for arg in "$@"; do case "$arg" in -h | --help) help=1 ;; esac; done

# promtool checks and unit-tests the alert rules. Debian ships it in the prometheus package,
# whose maintainer scripts also start the Prometheus server where services may start (no
# policy-rc.d refusing them): only promtool is wanted, so a server started by our install is
# stopped and disabled again.
if [ -z "$help" ] && [ -z "${PROMTOOL:-}" ] && ! command -v promtool >/dev/null 2>&1; then
    if apt_install prometheus; then
        if [ -d /run/systemd/system ]; then
            systemctl disable --now prometheus.service >/dev/null 2>&1 || true
        elif [ -x /etc/init.d/prometheus ]; then
            /etc/init.d/prometheus stop >/dev/null 2>&1 || true
            update-rc.d prometheus disable >/dev/null 2>&1 || true
        fi
    fi
    command -v promtool >/dev/null 2>&1 || log "promtool is missing: its checks will fail (CHECK_DEPLOY_SKIP_PROMTOOL=1 skips them outside CI)"
fi

# What a real server exports, for the dashboard's and the rules' metric names: one step, its
# result a file (scripts/scrape_metrics.sh stops the server and PostgreSQL on every exit path).
metrics_file=${CHECK_DEPLOY_METRICS_FILE:-}
if [ -z "$help" ] && [ -z "$metrics_file" ]; then
    metrics_file=$(mktemp /tmp/job-offers-metrics.XXXXXX)
    trap 'rm -f "$metrics_file"' EXIT
    log "scraping a running server's /metrics (scripts/scrape_metrics.sh)"
    started=$SECONDS
    if "$REPO_ROOT/scripts/scrape_metrics.sh" "$metrics_file"; then
        log "scraped in $((SECONDS - started)) s"
    else
        log "the scrape failed (above): the checks against it fail"
        metrics_file=""
    fi
fi

export PYTHONDONTWRITEBYTECODE=1
status=0
"$VENV/bin/python" "$REPO_ROOT/scripts/check_deploy.py" ${metrics_file:+--metrics-file "$metrics_file"} "$@" || status=$?
exit "$status"
