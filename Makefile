# Harbor Intake: `make run` starts everything on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Links in emails point at the web process. honcho gives each Procfile process its own PORT
# (web PORT, worker PORT+100, ...), so worker and beat are told the web address here.
BASE_URL ?= http://127.0.0.1:$(PORT)
DEMO_PASSWORD ?= harbor-demo-2026
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/13
export FLASK_APP := wsgi

.DEFAULT_GOAL := help
.PHONY: help install install-test translations translations-update run db seed test lint format typecheck \
	test-sqlite test-postgres bench clean

help: ## List the targets and what they do
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the application

install-test: $(VENV)/.installed-test ## Install the application and the test tools

translations: $(VENV)/.installed ## Compile the EN/ES/DE/FR/IT message catalogues
	@if ls intake/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d intake/translations; fi

translations-update: $(VENV)/.installed ## Re-extract messages and merge them into every catalogue
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k FlagSpec:3 --no-location --sort-output \
		-o intake/translations/messages.pot .
	$(BIN)/pybabel update -i intake/translations/messages.pot -d intake/translations --no-fuzzy-matching

db: install translations ## Apply migrations to the configured database
	$(BIN)/flask db upgrade

seed: db ## Load demo staff accounts (password: $(DEMO_PASSWORD))
	$(BIN)/flask seed-demo --password "$(DEMO_PASSWORD)"

run: seed ## Install, migrate, seed, then run web, worker and scheduler (Ctrl-C stops all)
	@echo ""
	@echo "  Harbor Intake on http://127.0.0.1:$(PORT)  (staff area: http://127.0.0.1:$(PORT)/staff/)"
	@echo "  Demo logins, password '$(DEMO_PASSWORD)':"
	@echo "    admin@example.org  admissions@example.org  clinician@example.org (on call)"
	@echo "  Database: $${DATABASE_URL:-SQLite in instance/}   Broker: $${REDIS_URL:-embedded (SQLite)}"
	@echo ""
	BASE_URL="$(BASE_URL)" $(BIN)/honcho start -f Procfile -p $(PORT)

lint: install-test ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install-test ## mypy on intake/ and workers/
	$(BIN)/mypy

# Each run keeps its own coverage data: `make test` runs the two side by side.
test-sqlite: install-test translations ## The suite on SQLite with the embedded broker
	COVERAGE_FILE=.coverage.sqlite \
		$(BIN)/python -m pytest --cov --cov-branch --cov-report=term:skip-covered -p no:cacheprovider

test-postgres: install-test translations ## The suite on PostgreSQL and Redis (skipped if neither runs, unless CI)
	@if $(BIN)/python -m tests.services_up "$(TEST_POSTGRES_URL)" "$(TEST_REDIS_URL)"; then \
		COVERAGE_FILE=.coverage.postgres \
		TEST_DATABASE_URL="$(TEST_POSTGRES_URL)" TEST_REDIS_URL="$(TEST_REDIS_URL)" \
		$(BIN)/python -m pytest --cov --cov-branch --cov-report=term:skip-covered -p no:cacheprovider; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL or Redis is not reachable in CI"; exit 1; \
	else echo "PostgreSQL/Redis not running here: skipped the PostgreSQL run"; fi

# The two runs side by side: one run keeps about one core busy (its workers and browsers wait
# on each other), so together they take little longer than the longer one. Each one's output
# is printed whole when it ends (--output-sync), and either one failing fails the target.
test: lint typecheck ## Install what the tests need and run everything (SQLite and PostgreSQL side by side)
	@echo "The suite on SQLite and on PostgreSQL, side by side: each prints its report when it ends."
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

bench: install-test ## Run the benchmarks in bench/ (ratios printed side by side)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
