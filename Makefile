# Smertespor — `make help` lists the targets.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.DEFAULT_GOAL := help
.PHONY: help run serve test lint fmt messages benchmark fuzz chromium clean

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

# The task worker (background jobs: docs/jobs.md) runs beside the web server and is stopped
# with it (Ctrl-C, or the server exiting).
WITH_WORKER = $(PY) manage.py db_worker --interval 1 & worker=$$!; \
  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM;

# `make run PORT=8001` serves on another port; the demo loader, the links in e-mails
# (SITE_URL) and the printed address all name the port the server really listens on.
PORT ?= 8000
RUN_URL = http://127.0.0.1:$(PORT)

run: $(VENV)/.runtime ## Install, migrate SQLite, load the demo region, serve http://127.0.0.1:$PORT (8000) with the task worker
	@case "$(PORT)" in ''|*[!0-9]*) echo "PORT must be a number, not '$(PORT)'" >&2; exit 2;; esac
	$(PY) manage.py migrate --noinput
	SITE_URL=$(RUN_URL) $(PY) manage.py load_demo_region
	@echo "Serving $(RUN_URL)/ (Ctrl-C stops the server and the task worker)."
	$(WITH_WORKER) SITE_URL=$(RUN_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# `make serve`: the production settings on this machine, over plain http on 127.0.0.1 only.
# Its keys are made once in var/ (never committed). Two factors are required as in production
# (`make serve MFA_REQUIRED=0` for the demo's password-only logins).
MFA_REQUIRED ?= 1
SERVE_ENV = SMERTESPOR_ENV=production DEBUG=0 ALLOWED_HOSTS=127.0.0.1,localhost \
  SECRET_KEY="$$(cat var/serve-secret-key)" SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
  AUDIT_HMAC_KEYS="serve:$$(cat var/serve-audit-key)" AUDIT_ANCHOR_FILE=var/audit-anchors.jsonl \
  MFA_REQUIRED=$(MFA_REQUIRED)

var/serve-secret-key:
	mkdir -p var && umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

var/serve-audit-key:
	mkdir -p var && umask 077 && $(PYTHON) -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())' > $@

serve: $(VENV)/.runtime var/serve-secret-key var/serve-audit-key ## Production configuration locally: gunicorn and the task worker, whitenoise, JSON logs (same database as run)
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(WITH_WORKER) $(SERVE_ENV) $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

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
	  AUDIT_HMAC_KEYS=ci-check:Y2ktY2hlY2stYXVkaXQta2V5LW5vdC1hLXJlYWwtc2VjcmV0 \
	  $(PY) manage.py check --deploy --fail-level WARNING

fmt: $(VENV)/.dev ## Format and auto-fix
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.dev ## Update and compile the Danish translations
	$(PY) manage.py makemessages -l da --no-obsolete --add-location file \
	  -i ".venv/*" -i "domain/*" -i "tests/*" -i "benchmarks/*"
	$(PY) manage.py compilemessages --ignore=.venv

benchmark: $(VENV)/.dev ## Run the benchmarks (figures as ratios against an in-run baseline)
	@for script in benchmarks/[!_]*.py; do \
	  case "$$script" in benchmarks/web.py|benchmarks/screening.py) continue;; esac; \
	  echo "== $$script"; $(PY) $$script || exit 1; done
	@echo "(benchmarks/web.py and benchmarks/screening.py, at region scale, run on their own: see README)"

fuzz: $(VENV)/.dev ## schemathesis against the API as a GP and a clinic doctor (own SQLite database)
	$(PY) tests/fuzz/run.py

clean: ## Remove the virtual environment and the SQLite database
	rm -rf $(VENV) smertespor.sqlite3 staticfiles fuzz-report .schemathesis
