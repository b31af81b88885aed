# On a fresh machine (Debian, Python 3.11, root):
#   make demo   — set up, build the demo warehouse, run the DAG for the last complete quarter
#   make ui     — the Airflow UI with the DAG and the Reports page (runs `make demo` first if
#                 there are no reports yet); prints the URL and the login. `make stop` ends it.
#   make test   — set up, run the whole test suite
SHELL := /bin/bash
# The venv's interpreter: Debian's own Python 3 when it is 3.11 or newer, else python3 on PATH
# (`make PYTHON=… setup` names another). Debian's is linked statically and optimised, as the
# official python images under apache/airflow are (--enable-optimizations --with-lto); a pyenv
# build with --enable-shared and without them renders 10-15% slower (bench/README.md).
ifndef PYTHON
PYTHON := $(firstword $(shell for p in /usr/bin/python3 python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo $$p; done))
endif
# Its real path, never a venv's or a shim's: what .venv is made from and compared with.
BASE_PYTHON := $(shell $(PYTHON) -c 'import os, sys; sys.version_info >= (3, 11) \
  and print(os.path.realpath(sys._base_executable))' 2>/dev/null)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
SYSTEM_PACKAGES := fonts-noto-cjk fonts-hanazono fonts-symbola libharfbuzz-subset0 \
                   libpango-1.0-0 libpangoft2-1.0-0 \
                   poppler-utils postgresql-client sqlite3 chromium libjs-pdf \
                   postgresql redis-server python3-venv

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
# A task's supervisor notices its process has ended within 1 s, not 5 (docker-compose.yml).
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL := 1
export AIRFLOW_CONN_SATISFACTION_WAREHOUSE := sqlite:///$(CURDIR)/var/warehouse.db
export PATH := $(BIN):$(PATH)

UI_DIR ?= $(CURDIR)/var/ui
export UI_DIR

.PHONY: demo ui stop test setup system-packages lint bench

demo: setup
	satisfaction-report demo --reuse
	@test -f $(AIRFLOW_HOME)/airflow.db || airflow db migrate > $(AIRFLOW_HOME).migrate.log
	@# The reason is printed only on a new revision (a rerun after the demo data changed):
	@# the first run's reports were "delivered" to the outbox, so a new one must say why.
	airflow dags test quarterly_satisfaction_report \
	  -c '{"reason": "make demo: rerun after a data change"}' > $(AIRFLOW_HOME).last-run.log 2>&1 \
	  || { tail -n 40 $(AIRFLOW_HOME).last-run.log; exit 1; }
	@quarter=$$(python -c "import datetime as d; from etl.core.periods import last_complete_quarter as q; print(q(d.datetime.now(d.UTC)))"); \
	  echo "Reports for $$quarter:"; ls -1 reports/$$quarter/

ui: setup
	@python -c "import sys; from etl.core import load_settings as s; \
	  sys.exit(0 if any(s().path('reports').glob('*/manifest.json')) else 1)" \
	  || $(MAKE) --no-print-directory demo
	@scripts/ui.sh start

stop:
	@scripts/ui.sh stop

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check etl dags tests bench plugins && $(BIN)/ruff format --check etl dags tests bench plugins

setup: system-packages $(VENV)/.installed

# Install only what is missing, so a set-up machine skips apt entirely.
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# The venv is made again when it was made on another interpreter than BASE_PYTHON
# ($(VENV)/.interpreter changes only then, so an unchanged set-up stays a no-op).
$(VENV)/.installed: requirements.lock pyproject.toml $(VENV)/.interpreter
	test "$$($(BIN)/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))' \
	  2>/dev/null)" = "$(BASE_PYTHON)" \
	  || { $(BASE_PYTHON) -m venv --clear $(VENV) && echo $(BASE_PYTHON) > $(VENV)/.interpreter; }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.interpreter: FORCE
	@test -n "$(BASE_PYTHON)" \
	  || { echo "PYTHON='$(PYTHON)' is no Python 3.11 or newer: make PYTHON=/path/to/python3" >&2; exit 1; }
	@mkdir -p $(VENV)
	@echo $(BASE_PYTHON) | cmp -s - $@ || echo $(BASE_PYTHON) > $@

FORCE:
