# shellcheck shell=bash
# Debian packages for the tools the scripts need: installed with apt-get when a tool is missing
# and we are root (CI, a fresh container); otherwise the script says what to install and fails.

apt_log() { printf '[apt] %s\n' "$*" >&2; }

# apt_install PACKAGE...: installs Debian's PACKAGEs when root with apt-get; fails otherwise.
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt_log "installing Debian's $*"
    apt-get update -qq >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
  else
    apt_log "missing: $* (install with e.g. 'sudo apt-get install $*')"
    return 1
  fi
}

# apt_ensure COMMAND [PACKAGE...]: COMMAND on PATH, installing PACKAGE... (default: the
# package named like COMMAND) when it is missing.
apt_ensure() {
  local command=$1
  shift
  command -v "$command" >/dev/null 2>&1 && return 0
  apt_install "${@:-$command}" || true
  command -v "$command" >/dev/null 2>&1 || {
    apt_log "$command is missing"
    return 1
  }
}
