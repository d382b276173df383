# Two commands on a fresh machine: `make run` serves the site with demo content,
# `make test` runs the whole suite. Both are safe to run again.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The address links in pages and review emails name: the server's own unless set.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint venv clean

run: $(VENV)/installed .env
	@echo "Setting up the database (db.sqlite3 unless DATABASE_URL names another)..."
	@$(PY) manage.py migrate --no-input -v0
	@echo "Loading the demo content and accounts..."
	@SITE_URL='$(SITE_URL)' $(PY) manage.py seed_demo
	@$(PY) manage.py collectstatic --no-input -v0
	@echo
	@echo "  Insight Swarm:           http://127.0.0.1:$(PORT)/"
	@echo "  Admin (CMS):             http://127.0.0.1:$(PORT)/admin/"
	@echo "  Demo accounts: admin, editor, advisor, advisor2; password: $${DEMO_PASSWORD:-insightswarm-demo}"
	@echo
	@SITE_URL='$(SITE_URL)' $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two processes, each with its own test database: the CI machine has two cores.
# PYTEST_WORKERS=0 runs the suite in one process (for pdb, or to read its order).
PYTEST_WORKERS ?= 2

test: $(VENV)/installed .env node_modules/.installed
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# ruff, then the layers of pyproject.toml's [tool.importlinter] (README, "Layout").
lint: $(VENV)/installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

venv: $(VENV)/installed

# Rebuilt when pyproject.toml changes; a .venv made by a too-old Python is
# replaced rather than patched.
$(VENV)/installed: pyproject.toml
	@if [ -x $(PY) ] && ! $(PY) -c "import sys; sys.exit(sys.version_info < (3, 12))" 2>/dev/null; then \
		echo "Replacing $(VENV): its Python is older than 3.12."; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then \
		python=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV) || exit 1; \
	fi
	@echo "Installing the Python packages into $(VENV) (about a minute the first time)..."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e ".[test,dev]"
	@echo "Python packages installed."
	@touch $@

# The outside judges of tests/e2e (vnu-jar, axe-core). Without npm those tests
# are skipped, and say so.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the HTML and accessibility checks will be skipped."; fi

# A development .env with its own random SECRET_KEY, written once and kept.
.env: | $(VENV)/installed
	@echo "Writing a development .env with its own random SECRET_KEY..."
	@cp .env.example .env
	@echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env

clean:
	rm -rf $(VENV) *.egg-info staticfiles node_modules

# The catalogue-scale benchmark (bench/run.py): SCALE=small (20,000 pairs, a few
# minutes) or SCALE=full (1,000,000 pairs). Needs PostgreSQL and Redis on
# 127.0.0.1, and wrk, nginx and Varnish with varnish-modules (deploy/varnish.vcl),
# which are installed here when root can apt-get them.
SCALE ?= small
.PHONY: bench
bench: $(VENV)/installed
	@missing=""; for tool in wrk nginx; do \
		PATH="$$PATH:/usr/sbin:/sbin" command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	PATH="$$PATH:/usr/sbin:/sbin" command -v varnishd >/dev/null || missing="$$missing varnish"; \
	ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || missing="$$missing varnish-modules"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "make bench needs$$missing (Debian: sudo apt-get install$$missing)."; exit 1; fi; \
	fi
	$(PY) -m pip install --quiet -e ".[production]"
	$(PY) -m bench.run --scale $(SCALE)

# How long importing a 20,000-pair catalogue takes (bench/import_speed.py): a fresh
# SQLite database by default, or DATABASE_URL (a database of its own: it is emptied).
.PHONY: bench-import
bench-import: $(VENV)/installed
	$(PY) -m bench.import_speed

# Faults under load (bench/faults.py): PostgreSQL restarted and Redis stopped while wrk
# runs against gunicorn on 127.0.0.1; prints errors and recovery times and writes the
# "Faults" section of bench/results.md. Restarts local services: not for a shared server.
.PHONY: faults
faults: $(VENV)/installed
	@PATH="$$PATH:/usr/sbin:/sbin" command -v wrk >/dev/null || { echo "make faults needs wrk (Debian: apt-get install wrk)."; exit 1; }
	$(PY) -m pip install --quiet -e ".[production]"
	$(PY) -m bench.faults

# Backups with the database's own tools (compounds/backups.py): `make backup` writes
# backups/insightswarm-<date>-<time>.dump (PostgreSQL, pg_dump -Fc) or .sqlite3 (SQLite's
# backup API); `make restore BACKUP=file` restores one into an empty database
# (OVERWRITE=1 to replace a database's content).
.PHONY: backup restore
backup: $(VENV)/installed
	$(PY) manage.py backup

restore: $(VENV)/installed
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=backups/insightswarm-....dump"; exit 1; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(OVERWRITE),--overwrite)

# A streaming replica of the local PostgreSQL on another port (scripts/replica): `make
# replica` starts one, or sets the lag of the running one (REPLICA_DELAY=3s applies each
# commit 3 s after the primary); `make replica-stop` stops it and deletes its files.
# `make replica-test` runs tests/test_read_replicas.py against one lagging 3 s, in a
# database of its own (REPLICA_TEST_DATABASE), then stops it: CI runs it.
REPLICA_PORT ?= 5433
REPLICA_DELAY ?= 0
REPLICA_TEST_DATABASE ?= insightswarm_replicas
.PHONY: replica replica-stop replica-test
replica:
	@REPLICA_PORT=$(REPLICA_PORT) REPLICA_DELAY=$(REPLICA_DELAY) scripts/replica start

replica-stop:
	@REPLICA_PORT=$(REPLICA_PORT) scripts/replica stop

replica-test: $(VENV)/installed .env
	@$(MAKE) --no-print-directory replica REPLICA_DELAY=3s || { $(MAKE) --no-print-directory replica-stop; exit 1; }
	@status=0; \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(REPLICA_TEST_DATABASE) \
	DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:$(REPLICA_PORT)/$(REPLICA_TEST_DATABASE) \
	REPLICA_PORT=$(REPLICA_PORT) REQUIRE_REPLICA=1 \
		$(PY) -m pytest tests/test_read_replicas.py -m replica -s $(PYTEST_ARGS) || status=$$?; \
	$(MAKE) --no-print-directory replica-stop; exit $$status
