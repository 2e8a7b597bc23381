# shellcheck shell=bash
# venv_ensure DIR REQUIREMENTS: a Python virtual environment with pinned tools, created or
# updated when the requirements file changed.
venv_ensure() {
  local dir=$1 requirements=$2
  if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir" || {
      echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)" >&2
      return 1
    }
  fi
  if ! cmp -s "$requirements" "$dir/.requirements"; then
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$dir/.requirements"
  fi
}
