#!/usr/bin/env bash
# Scans infra/ with checkov (in its own venv: its dependencies clash with the app's). Skips: infra/.checkov.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-checkov/bin/checkov ]; then
  python=$(scripts/find_python.sh)
  echo "==> installing checkov into .venv-checkov"
  "$python" -m venv .venv-checkov
  .venv-checkov/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv-checkov/bin/python -m pip install --quiet "checkov>=3.2,<4"
fi
.venv-checkov/bin/checkov --config-file infra/.checkov.yaml
