#!/usr/bin/env bash
# Creates .venv with Python 3.12 and installs the project with the given extras, once per pyproject change.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=${1:-local}
python=$(scripts/find_python.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
  rm -rf .venv
  echo "==> creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing Python dependencies ($extras)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".[$extras]"
  rm -f .venv/.installed-"$extras"-*
  touch "$stamp"
fi
