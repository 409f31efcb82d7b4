# The two commands: `make run` serves the demo (web server and background worker), `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app
export PYTHONPATH := $(CURDIR)

# Debian packages: venv for the virtualenv, pango + HarfBuzz's subsetter and a CJK font for the PDFs; for the tests
# also chromium (browser tests) and poppler-utils (to look at rendered pages).
RUN_DEB_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei
TEST_DEB_PACKAGES := $(RUN_DEB_PACKAGES) chromium poppler-utils
BENCH_DEB_PACKAGES := $(TEST_DEB_PACKAGES) apache2-utils

.PHONY: run test setup dev-setup system-deps test-system-deps lint db demo bench clean requirements

# `make run` installs the runtime only (requirements.txt); `make test` adds the tools (requirements-dev.txt).
setup: system-deps $(VENV)/.installed
dev-setup: test-system-deps $(VENV)/.dev-installed

system-deps:
	@$(MAKE) --no-print-directory deb-install PACKAGES="$(RUN_DEB_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory deb-install PACKAGES="$(TEST_DEB_PACKAGES)"

deb-install:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# Regenerate the pins from the short .in files (pip-compile keeps existing pins unless asked to upgrade).
requirements: dev-setup
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --annotation-style=line \
	  requirements.in -o requirements.txt
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --annotation-style=line \
	  requirements-dev.in -o requirements-dev.txt
	sed -i '0,/^[a-z]/s//-r requirements.txt\n&/' requirements-dev.txt

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask loanflow demo --if-empty

run: demo
	@echo ""
	@echo "loanflow on http://127.0.0.1:5000  (password for every demo login: demo-password)"
	@echo "  clerk, clerk2 · officer, officer2, officer3 · approver, approver3, approver2 · supervisor · admin"
	@echo ""
	@echo "background worker: huey (queue in instance/queue.db), started beside the web server"
	@$(BIN)/huey_consumer worker.huey --workers 2 --worker-type thread --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# ruff, then the architecture contracts (.importlinter): domain free of frameworks, core free of features, the
# features' layers, api and web apart.
lint: dev-setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# pytest on SQLite always; again on PostgreSQL when TEST_DATABASE_URL is set. One worker per core
# (pytest-xdist): each worker builds its databases once, and every test is rolled back (loanflow/testing).
PYTEST_WORKERS ?= auto
test: lint
	env -u TEST_DATABASE_URL $(BIN)/pytest -n $(PYTEST_WORKERS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL =="; $(BIN)/pytest -n $(PYTEST_WORKERS); \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

bench: dev-setup  # `ab` (apache2-utils) drives the HTTP benchmark
	@$(MAKE) --no-print-directory deb-install PACKAGES="$(BENCH_DEB_PACKAGES)"
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance/loanflow.db instance/audit-checkpoints.jsonl
