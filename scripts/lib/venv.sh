# shellcheck shell=bash
# venv_ensure DIR REQUIREMENTS: a Python virtual environment with pinned tools, created when
# missing or unusable (e.g. restored from a cache made with another interpreter) and updated
# when the requirements file changed.
#
# The interpreter is $PYTHON (default python3). For python3, as root with apt-get, Debian's
# python3 and python3-venv (the venv module's pip, which Debian ships apart) are installed when
# missing. Without them the environment is made without pip and filled by the interpreter's own
# pip (`pip --python`), when it has one.

# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

venv_log() { printf '[venv] %s\n' "$*" >&2; }

venv_ensure() {
  local dir=$1 requirements=$2 python=${PYTHON:-python3}
  local -a pip
  case "$dir" in
    "" | / | "${HOME:-/}")
      venv_log "refusing to use '$dir' as a virtual environment"
      return 2
      ;;
  esac
  if [ "$python" = python3 ]; then apt_ensure python3 || return 1; fi
  command -v "$python" >/dev/null 2>&1 || {
    venv_log "$python not found"
    return 1
  }
  if ! "$dir/bin/python" -c '' >/dev/null 2>&1; then
    # Only ever remove what was a virtual environment (or nothing at all).
    if [ -e "$dir" ] && [ ! -f "$dir/pyvenv.cfg" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
      venv_log "$dir exists and is not a virtual environment; remove it or choose another"
      return 2
    fi
    rm -rf "$dir"
    if [ "$python" = python3 ] && ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      apt_install python3-venv || true
    fi
    venv_log "creating $dir with $python"
    if ! "$python" -m venv "$dir" >/dev/null 2>&1; then
      rm -rf "$dir"
      venv_log "$python -m venv failed (no ensurepip?); creating $dir without pip"
      "$python" -m venv --without-pip "$dir" || return 1
    fi
  fi
  pip=("$dir/bin/python" -m pip)
  if ! "${pip[@]}" --version >/dev/null 2>&1; then
    if ! "$python" -m pip --version >/dev/null 2>&1; then
      venv_log "no pip to install into $dir: install python3-venv (e.g. 'sudo apt-get install python3-venv')"
      return 1
    fi
    pip=("$python" -m pip --python "$dir/bin/python")
  fi
  if ! cmp -s "$requirements" "$dir/.requirements"; then
    venv_log "installing $requirements into $dir"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "${pip[@]}" install --quiet --no-input --timeout 60 \
      --retries 3 --require-virtualenv -r "$requirements" || return 1
    cp "$requirements" "$dir/.requirements"
  fi
}
