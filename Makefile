# The two commands of the README: `make run` (the whole system on this machine) and `make test` (what CI runs).
.PHONY: run test spa venv lint format bench-cold-start bench-pipeline

run: venv spa
	.venv/bin/python -m local $(ARGS)

test:
	scripts/test.sh

venv:
	scripts/venv.sh local

spa:
	@if command -v npm >/dev/null 2>&1; then \
	  cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; \
	else echo "Node.js 20+ and npm are needed to build the web app (apt-get install nodejs npm)"; exit 1; fi

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench-cold-start:
	.venv/bin/python bench/cold_start.py

bench-pipeline:
	.venv/bin/python bench/pipeline.py
