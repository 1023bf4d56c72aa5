# The two commands of the README: `make run` and `make test`. Everything they need, they install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PGHOST ?= 127.0.0.1
PGPORT ?= 5432
export PGHOST PGPORT
TEST_DATABASE_URL ?= postgres://postgres@$(PGHOST):$(PGPORT)/haimen_insurance
export TEST_DATABASE_URL
PYTEST_ARGS ?=
# `make run PORT=8001` serves the demo on another port; `make run PROGRAMME=jian` serves Ji'an's
# (吉安市: city, counties, townships, villages) from its own SQLite file, db-jian.sqlite3.
PORT ?= 8000
PROGRAMME ?= haimen

.PHONY: run test lint format check clean load bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet .
	@touch $@

$(VENV)/.test-deps: pyproject.toml $(VENV)/.run-deps
	$(VENV)/bin/pip install --quiet ".[test]"
	@touch $@

run: $(VENV)/.run-deps
	DJANGO_PROGRAMME=$(PROGRAMME) $(PY) manage.py migrate --noinput
	DJANGO_PROGRAMME=$(PROGRAMME) $(PY) manage.py seed_demo --if-empty
	@echo "打开 http://127.0.0.1:$(PORT)/ 登录（开发服务器和一个后台任务进程；Ctrl+C 一起停止）"
	DJANGO_PROGRAMME=$(PROGRAMME) $(PY) manage.py serve 127.0.0.1:$(PORT)

test: $(VENV)/.test-deps
	bash scripts/ensure_postgres.sh
	bash scripts/ensure_chromium.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=haimen_insurance.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.run-deps
	DJANGO_SECRET_KEY=$$(head -c 60 /dev/urandom | base64 -w0) DJANGO_ALLOWED_HOSTS=example.org \
	DJANGO_SETTINGS_MODULE=haimen_insurance.settings.production $(PY) manage.py check --deploy --fail-level WARNING

# Not part of `make test`: 300 cadres on gunicorn for 180 s against a database of its own; exits 1
# when the p95 is 500 ms or more or any request failed. LOAD_USERS, LOAD_TIME, LOAD_WAIT, KEEP=1:
# see scripts/load_test.py.
load: $(VENV)/.run-deps
	$(VENV)/bin/pip install --quiet ".[load]"
	bash scripts/ensure_postgres.sh
	$(PY) scripts/load_test.py

# Not part of `make test`: every other target of docs/design.md section 6 (import, roster page and
# PDF, policy export, the dashboards at Haimen's and at Ji'an's scale), each against a database of
# its own; prints one table and writes docs/performance.md. Takes about 15 minutes. See
# scripts/bench.py.
bench: $(VENV)/.run-deps
	bash scripts/ensure_postgres.sh
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
