# The two commands of the README: `make run` serves, `make test` runs the whole suite.
# Both create .venv and install what they need; nothing but Python 3.11 and make is required.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench bench-runs migrations-check mongo-migrations system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

run: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py ensureadmin
	$(BIN)/python manage.py collectstatic --no-input -v0
	$(BIN)/daphne -b $(HOST) -p $(PORT) orchestration_site.asgi:application

# chromium and redis-server for the browser and multi-process tests (apt-get, as root).
system-packages:
	scripts/install-system-packages

test: $(VENV)/.dev-installed system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/stream_bench.py

# What runs cost (CPU per chat without runs, in memory, with Redis) and resume latency.
bench-runs: $(VENV)/.dev-installed system-packages
	$(BIN)/python bench/run_bench.py

# Offline checks that the migrations of both backends match the models (no server needed).
migrations-check: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemigrations --check --dry-run
	MONGO_URI=mongodb://offline.invalid:27017 MONGO_OFFLINE=1 \
		$(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate mongo_migrations/ for Django's own apps after a Django upgrade (no server needed).
mongo-migrations: $(VENV)/.dev-installed
	MONGO_URI=mongodb://offline.invalid:27017 MONGO_OFFLINE=1 \
		$(BIN)/python manage.py makemigrations admin auth contenttypes

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
