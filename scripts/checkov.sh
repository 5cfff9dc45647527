#!/usr/bin/env bash
# Scans infra/ with checkov, installed in its own venv (.venv-checkov: its dependencies clash with the app's).
# Skipped checks, each with its reason in infra/README.md: infra/.checkov.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.3.30
if ! .venv-checkov/bin/checkov --version 2>/dev/null | grep -qx "$version"; then
  python=$(scripts/find_python.sh)
  echo "==> installing checkov $version into .venv-checkov"
  rm -rf .venv-checkov
  "$python" -m venv .venv-checkov
  .venv-checkov/bin/python -m pip install --quiet "checkov==$version"
fi
export BC_SKIP_MAPPING=TRUE # offline: do not fetch Prisma Cloud guideline mappings
exec .venv-checkov/bin/checkov -d infra --framework terraform --quiet --compact --config-file infra/.checkov.yaml "$@"
