# Smertespor — `make help` lists the targets.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt messages benchmark fuzz chromium clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime ## Install, migrate SQLite, load the demo region, serve http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_region
	$(PY) manage.py runserver 127.0.0.1:8000

chromium: ## Install Debian's chromium for the browser tests (never a browser download)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

test: $(VENV)/.dev chromium ## Install what the tests need and run the whole suite
	$(PY) -m pytest

lint: $(VENV)/.dev ## ruff, mypy (project; strict on domain/), import-linter, migrations and deploy checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	SMERTESPOR_ENV=production DEBUG=0 ALLOWED_HOSTS=smertespor.example \
	  SECRET_KEY=ci-check-deploy-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ \
	  $(PY) manage.py check --deploy --fail-level WARNING

fmt: $(VENV)/.dev ## Format and auto-fix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.dev ## Update and compile the Danish translations
	$(PY) manage.py makemessages -l da --no-obsolete --add-location file \
	  -i ".venv/*" -i "domain/*" -i "tests/*" -i "benchmarks/*"
	$(PY) manage.py compilemessages --ignore=.venv

benchmark: $(VENV)/.dev ## Run the benchmarks (figures as ratios against an in-run baseline)
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

fuzz: $(VENV)/.dev ## schemathesis against the API as a GP and a clinic doctor (own SQLite database)
	$(PY) tests/fuzz/run.py

clean: ## Remove the virtual environment and the SQLite database
	rm -rf $(VENV) smertespor.sqlite3 staticfiles fuzz-report .schemathesis
