# The two commands of the README: `make run` serves, `make test` runs the whole suite.
# Both create .venv and install what they need; nothing but Python 3.11 and make is required.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PEERS := .venv-peers
HOST ?= 127.0.0.1
PORT ?= 8000

# `examples` builds the example apps.
.PHONY: examples run test lint format bench bench-peers bench-postgres bench-profile bench-fixed bench-runs bench-console bench-checkpoints bench-takeover migrations-check mongo-migrations system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/embeddings.txt requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

# On loopback, development secrets are accepted (and the server says so); on any other
# address the server refuses them unless SECRET_KEY and DEV_AUTH_TOKEN are set.
LOOPBACK := $(filter 127.0.0.1 localhost ::1,$(HOST))
DEV_DEFAULTS := $(if $(LOOPBACK),true,false)
# What `ensureadmin` says (a new admin's password) goes to the server in a file only you can
# read (mode 0600, removed once read), never on a command line, where `ps` shows it to anyone.
ADMIN_NOTE := $(VENV)/admin-note

run: $(VENV)/.base-installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input -v0
	@$(BIN)/python manage.py ensureadmin --note-file $(ADMIN_NOTE)
	@ALLOW_INSECURE_DEFAULTS=$${ALLOW_INSECURE_DEFAULTS:-$(DEV_DEFAULTS)} \
		$(BIN)/python -m orchestration_site.server --note-file $(ADMIN_NOTE) -b $(HOST) -p $(PORT)

# Issue #20's console targets: the dashboard, user page, vitals and admin lists at 1M runs.
bench-console: $(VENV)/.dev-installed
	$(BIN)/python -m bench.studies.dashboard_bench $(BENCH_ARGS)

# chromium, redis-server, node/npm and postgresql for the browser, multi-process, JS-client and
# PostgreSQL tests (apt-get, as root).
system-packages:
	scripts/install-system-packages

# The official JS clients the tests drive (tests/js), from the committed lockfile.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json | system-packages
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The example apps the browser tests drive, built from their committed lockfiles.
EXAMPLES := react-langgraph react-ai-sdk react-ag-ui
EXAMPLE_BUILDS := $(EXAMPLES:%=examples/%/dist/index.html)
.SECONDEXPANSION:
$(EXAMPLE_BUILDS): examples/%/dist/index.html: examples/%/package-lock.json examples/%/index.html \
		examples/%/vite.config.js $$(wildcard examples/$$*/src/*) | system-packages
	cd examples/$* && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent

examples: $(EXAMPLE_BUILDS)

test: $(VENV)/.dev-installed system-packages tests/js/node_modules/.installed examples
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
	@echo "--- the same suite on PostgreSQL (a cluster of its own, removed afterwards) ---"
	$(BIN)/python -m harness.on_postgres $(BIN)/pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Issue #11's targets, median of three runs (BENCH_ARGS adds options, see docs/benchmark.md),
# then issue #34's: this service against LangGraph's own server (PEER_ARGS adds options).
bench: $(VENV)/.dev-installed $(PEERS)/.installed system-packages tests/js/node_modules/.installed
	$(BIN)/python -m bench.gate.stream_bench --repeat 3 $(BENCH_ARGS)
	$(BIN)/python -m bench.peers.peer_bench $(PEER_ARGS)

# LangGraph's own server, `langgraph dev` (langgraph-cli[inmem]), in a virtualenv of its own:
# its pins (protobuf 6, uvloop, structlog, blockbuster) stay out of the service's.
$(PEERS)/.installed: requirements/peers.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/pip install --quiet -r requirements/peers.txt
	touch $@

# Issue #34's targets alone: the peer table (langgraph dev, SQLite, PostgreSQL), every protocol
# through its official client, what stands in the way (BENCH_ARGS: e.g. --repeat 3).
bench-peers: $(VENV)/.dev-installed $(PEERS)/.installed system-packages tests/js/node_modules/.installed
	$(BIN)/python -m bench.peers.peer_bench $(BENCH_ARGS)

# `make bench` on a PostgreSQL cluster of its own (DATABASE_URL=… make bench uses yours).
bench-postgres: $(VENV)/.dev-installed system-packages
	$(BIN)/python -m harness.on_postgres $(BIN)/python -m bench.gate.stream_bench --repeat 3 $(BENCH_ARGS)

# What a chat costs before our code: LangGraph's own loop and the ORM's records (BENCH_ARGS:
# e.g. --floor 1.41 for shares of issue #11's budget).
bench-fixed: $(VENV)/.dev-installed
	$(BIN)/python -m bench.studies.fixed_costs $(BENCH_ARGS)

# Where the server's CPU goes: a py-spy summary of the hot path in bench/results/profile.txt.
bench-profile: $(VENV)/.dev-installed
	$(BIN)/python -m bench.gate.stream_bench --profile bench/results/profile.txt $(BENCH_ARGS)

# What runs cost (CPU per chat without runs, in memory, with Redis) and resume latency.
bench-runs: $(VENV)/.dev-installed system-packages
	$(BIN)/python -m bench.studies.run_bench

# Issue #31's resume target: a paused run's resume to its first new event, per durability mode.
bench-checkpoints: $(VENV)/.dev-installed
	$(BIN)/python -m bench.studies.checkpoint_bench $(BENCH_ARGS)

# Issue #32's targets: what leases and fencing add to a chat's CPU; a crashed run's take-over.
bench-takeover: $(VENV)/.dev-installed system-packages
	$(BIN)/python -m bench.studies.takeover_bench $(BENCH_ARGS)

# Offline checks that the migrations of both backends match the models (no server needed).
migrations-check: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=postgres://offline@127.0.0.1:1/orchestrator PYTHONWARNINGS=ignore \
		$(BIN)/python manage.py makemigrations --check --dry-run
	MONGO_URI=mongodb://offline.invalid:27017 MONGO_OFFLINE=1 \
		$(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate mongo_migrations/ for Django's own apps after a Django upgrade (no server needed).
mongo-migrations: $(VENV)/.dev-installed
	MONGO_URI=mongodb://offline.invalid:27017 MONGO_OFFLINE=1 \
		$(BIN)/python manage.py makemigrations admin auth contenttypes

clean:
	rm -rf $(VENV) $(PEERS) staticfiles .pytest_cache .ruff_cache tests/js/node_modules \
		examples/*/node_modules examples/*/dist
