#!/usr/bin/env bash
# Checks the deployment files without a Docker engine or a Kubernetes cluster:
#   (a) hadolint on the Dockerfile (+ build-context and invariant checks)
#   (b) helm lint of chart/ with the default values and chart/ci/production-values.yaml
#   (c) the rendered manifests validated with kubernetes-validate --strict
#       (ServiceMonitor against scripts/schemas/), expected kinds, cross-references
#   (d) .gitlab-ci.yml structure
#   (e) docker-compose.yml structure and interpolation (+ `compose config` when a
#       compose CLI is installed)
#
# Runs from any directory. The tools are pinned in scripts/deploy-requirements.txt
# and installed into .venv-deploy/ at the repository root by scripts/lib/venv.sh
# (created when missing, re-installed when the requirements change; as root, Debian's
# python3 and python3-venv are installed when missing). Needs python3 >= 3.10 and PyPI.
#
#   scripts/check_deploy.sh            # everything
#   scripts/check_deploy.sh --help     # options of the checker
#
# Environment:
#   CHECK_DEPLOY_VENV      venv location (default: <repo>/.venv-deploy)
#   PYTHON                 interpreter used to create the venv (default: python3)
#   KUBE_VERSIONS          Kubernetes versions to validate against, space-separated
#                          (default: "1.30.0 1.37.0")
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

export PYTHONDONTWRITEBYTECODE=1
exec "$VENV/bin/python" "$REPO_ROOT/scripts/check_deploy.py" "$@"
