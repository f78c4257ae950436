# CCHC Portal. `make run` serves the demo on http://127.0.0.1:8000/; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help messages run setup test lint audit format check-migrations bench bench-import bench-appraisal bench-web bench-backup bench-faults fuzz clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Development settings: DEBUG on and a random secret key, made once, never committed.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "wrote .env (development settings)"

messages: $(VENV)/.runtime .env ## Compile the translations
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	$(MANAGE) compilemessages --ignore=$(VENV) -v 0

setup: $(VENV)/.runtime .env messages ## Install, compile translations, migrate, load the official units and the demo (SQLite by default)
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) load_units --official 2025
	$(MANAGE) load_demo
	$(MANAGE) import_statistics fixtures/statistics_demo.csv
	$(MANAGE) demo_staff --if-debug

run: setup ## Set up and serve the portal with the demo data (and the worker of background imports)
	@trap 'kill 0' EXIT; $(MANAGE) db_worker & $(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.dev .env messages ## Run the test suite (DATABASE_URL picks the database; SQLite by default)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev ## Lint, check formatting and the one-way stack of the apps (import-linter, pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

audit: $(VENV)/.dev ## Security lint (bandit, medium and up) and known vulnerabilities of the dependencies
	$(VENV)/bin/bandit --quiet -c pyproject.toml -r . --severity-level medium
	$(VENV)/bin/pip-audit --progress-spinner off
	$(PY) .ci/audit_pins.py requirements.txt requirements-dev.txt

format: $(VENV)/.dev ## Format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-migrations: $(VENV)/.runtime .env ## Fail if a model change lacks its migration
	$(MANAGE) makemigrations --check --dry-run

bench: $(VENV)/.dev .env ## Benchmarks on a throw-away database (BENCH_DATABASE_URL for PostgreSQL)
	$(PY) bench/units.py
	$(PY) bench/recompute.py
	$(PY) bench/criteria.py
	$(PY) bench/imports.py
	$(PY) bench/appraisal.py
	$(PY) bench/api_pages.py
	$(PY) bench/dossier_imports.py
	$(PY) bench/maps.py

bench-import: $(VENV)/.dev .env ## Import the national wide xlsx and long csv (401,600 cells) against pandas' parse time
	$(PY) bench/imports.py

bench-appraisal: $(VENV)/.dev .env messages ## An appraiser's keyboard walk of 40 criteria in Chromium (against opening the page); the 170-unit round dashboard
	$(PY) bench/appraisal.py

bench-web: $(VENV)/.dev .env messages ## Serve a 705-unit ranking with gunicorn, measure it with wrk against a minimal view
	$(PY) bench/web.py

FUZZ_SECONDS ?= 600

fuzz: $(VENV)/.dev ## Fuzz the spreadsheet readers with atheris (FUZZ_SECONDS in all, shared by the targets)
	$(PY) bench/fuzz.py --seconds $(FUZZ_SECONDS)

bench-faults: $(VENV)/.dev .env messages ## PostgreSQL only (restarts it!): 60 s of load on the ranking page, PostgreSQL restarted under load, an import killed halfway
	$(PY) bench/faults.py

bench-backup: $(VENV)/.dev .env messages ## Time the README's backup and restore (dumpdata/loaddata; pg_dump/pg_restore with BENCH_DATABASE_URL)
	$(PY) bench/backup.py

clean: ## Remove the virtualenv, database and compiled files
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
	find . -name '*.mo' -path './locale/*' -delete
