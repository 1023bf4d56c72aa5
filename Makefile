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

.PHONY: run test lint format check clean

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
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "打开 http://127.0.0.1:8000/ 登录（Ctrl+C 停止）"
	$(PY) manage.py runserver 127.0.0.1:8000

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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
