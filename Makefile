# The two commands: `make run` and `make test`. Both work on a machine with only Python 3.11+.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_DATA := .data/dev
TEST_DATA := .data/test
# Start embedded PostgreSQL/Redis for a command unless DATABASE_URL/REDIS_URL are set.
WITH_DEV_SERVICES := $(PY) -m config.embedded --data-dir $(DEV_DATA) --
WITH_TEST_SERVICES := $(PY) -m config.embedded --data-dir $(TEST_DATA) --

.PHONY: run test lint format migrations-check manage totp benchmark clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[embedded,test]"
	touch $@

## run: install, migrate, load demo data, start web + Celery worker + beat on http://127.0.0.1:8000
run: $(VENV)/.installed
	$(PY) -m config.run --data-dir $(DEV_DATA)

## test: lint, format check, migration check and the whole test suite (browser tests included)
test: $(VENV)/.installed lint migrations-check
	$(WITH_TEST_SERVICES) $(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=config.settings.test $(WITH_TEST_SERVICES) $(PY) manage.py makemigrations --check --dry-run

## manage: any manage.py command on the dev data, e.g. make manage ARGS="shell"
manage: $(VENV)/.installed
	$(WITH_DEV_SERVICES) $(PY) manage.py $(ARGS)

## totp: the current two-factor code of the demo Admin
totp: $(VENV)/.installed
	$(WITH_DEV_SERVICES) $(PY) manage.py totp_code admin@demo.isotrack.test

clean:
	rm -rf $(VENV) .data .pytest_cache .ruff_cache
