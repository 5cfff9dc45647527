#!/usr/bin/env bash
# The whole test suite, as CI runs it: lint and types, Python tests on SQLite and PostgreSQL, the SPA's unit and
# browser tests against the local cloud, and the infra checks. Installs what it needs on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "system packages"
scripts/system_deps.sh
if [ "${TRANSCRIBE_SKIP_POSTGRES:-}" = "1" ] && [ -z "${CI:-}" ]; then
  echo "!!! TRANSCRIBE_SKIP_POSTGRES=1: the PostgreSQL pass will be SKIPPED (local opt-out; CI refuses it) !!!"
else
  scripts/postgres.sh
fi
scripts/venv.sh test

step "lint and types"
.venv/bin/ruff check .
.venv/bin/ruff format --check --quiet . || { echo "run: .venv/bin/ruff format ." >&2; exit 1; }
.venv/bin/mypy

if [ -f frontend/package.json ]; then
  step "SPA: install, unit tests, build"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent test && npm run --silent build)
fi

step "Python tests (SQLite and PostgreSQL)"
# Two workers: most tests wait on the local cloud's servers, so both cores stay busy (each worker starts its own clouds
# on free ports and its own throwaway databases).
.venv/bin/python -m pytest -q -p no:cacheprovider -n "${PYTEST_WORKERS:-2}" "$@"

if [ -f frontend/package.json ]; then
  step "SPA: browser tests against the local cloud"
  (cd frontend && PYTHON="$PWD/../.venv/bin/python" npm run --silent e2e)
fi

if [ -x scripts/checkov.sh ]; then
  step "infra scan (checkov)"
  scripts/checkov.sh
fi
step "all passed"
