# The two commands of the README: `make run` (the whole system on this machine) and `make test` (what CI runs).
.PHONY: run test spa venv lint format bench-cold-start bench-pipeline

run: venv spa
	.venv/bin/python -m local $(ARGS)

test:
	scripts/test.sh

venv:
	scripts/venv.sh local

# npm ci runs again only when package-lock.json changed, and the build only when a source did: a restart of
# `make run` with nothing changed starts at once. The npm stamp lives in node_modules, so deleting it re-installs.
# The API spec too: the app's API reference (/api/docs) is built from it.
SPA_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html \
  frontend/vite.config.ts frontend/tsconfig.json frontend/package.json frontend/package-lock.json infra/api/openapi.yaml
NPM_STAMP := frontend/node_modules/.installed-from-lock

spa: frontend/dist/index.html

$(NPM_STAMP): frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "Node.js 20+ and npm are needed to build the web app (apt-get install nodejs npm)"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: $(NPM_STAMP) $(SPA_SOURCES)
	cd frontend && npm run --silent build
	touch $@

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench-cold-start:
	.venv/bin/python bench/cold_start.py

bench-pipeline:
	.venv/bin/python bench/pipeline.py
