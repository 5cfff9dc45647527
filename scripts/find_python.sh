#!/usr/bin/env bash
# Prints the path of a Python 3.12 interpreter, or explains how to get one and fails.
set -euo pipefail

is_312() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; }

for candidate in "${PYTHON:-}" python3.12 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/"3.12*/bin/python3.12; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null || true)
  [ -z "$path" ] && [ -x "$candidate" ] && path=$candidate
  if [ -n "$path" ] && is_312 "$path"; then
    echo "$path"
    exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$)' | tail -n 1 || true)
  if [ -n "$version" ]; then
    path=$(PYENV_VERSION=$version pyenv which python 2>/dev/null || true)
    if [ -n "$path" ] && is_312 "$path"; then echo "$path"; exit 0; fi
  fi
fi
cat >&2 <<'MSG'
Python 3.12 is required but was not found (looked at $PYTHON, python3.12 on PATH and pyenv).
Install it with one of:
  pyenv install 3.12        # then re-run this command
  apt-get install python3.12 python3.12-venv
or point PYTHON at a Python 3.12 interpreter: make PYTHON=/path/to/python3.12 ...
MSG
exit 1
