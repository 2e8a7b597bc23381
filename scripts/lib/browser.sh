# shellcheck shell=bash
# Headless Chromium and its WebDriver for the browser tests (tests/api/browser.rs). Sourced by
# scripts/test.sh. Installs Debian's chromium and chromium-driver when they are missing and we
# are root with apt-get (CI); otherwise says what to install and fails.

browser_log() { printf '[browser] %s\n' "$*" >&2; }

# The first executable among the arguments (names on PATH or absolute paths).
browser_first_executable() {
  local candidate
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

browser_locate() {
  CHROMIUM=${CHROMIUM:-$(browser_first_executable chromium /usr/bin/chromium chromium-browser || true)}
  CHROMEDRIVER=${CHROMEDRIVER:-$(browser_first_executable chromedriver /usr/bin/chromedriver /usr/lib/chromium/chromedriver || true)}
}

# browser_ensure: exports CHROMIUM and CHROMEDRIVER, installing the packages when needed.
browser_ensure() {
  browser_locate
  if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      browser_log "chromium or chromedriver is missing; installing Debian's chromium and chromium-driver"
      apt-get update -qq >&2 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
          chromium chromium-driver fonts-dejavu-core >&2 || true
      browser_locate
    fi
  fi
  if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ]; then
    browser_log "ERROR: the browser tests need headless Chromium and its WebDriver, and they are missing."
    browser_log "Install them, e.g. 'sudo apt-get install chromium chromium-driver' (Debian/Ubuntu),"
    browser_log "or point CHROMIUM and CHROMEDRIVER at the executables."
    return 1
  fi
  export CHROMIUM CHROMEDRIVER
  browser_log "using $("$CHROMEDRIVER" --version 2>/dev/null | head -n 1) with $CHROMIUM"
}
