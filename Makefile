# The two commands: `make run` (a working demo portal) and `make test` (the whole suite, SQLite then PostgreSQL).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi
export HOST PORT
ROOT   := $(shell [ "$$(id -u)" = 0 ] && echo yes)
APT    := env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: run test lint test-tools db demo pytest-run screenshots debian-package bench-search

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: install, migrate, load the demo community on first run, serve on http://$(HOST):$(PORT)
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) demo load
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search reindex
	@echo "Serving the community portal on http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT)

db: $(VENV)/.runtime
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load
	@$(FLASK) search check >/dev/null 2>&1 || $(FLASK) search reindex

## test-tools: what the browser and page checks need (Chromium, Java for the Nu checker, npm tools)
# Debian packages are installed only when running as root; otherwise a loud note says what is missing.
test-tools: $(VENV)/.dev node_modules/.installed
	@$(MAKE) --no-print-directory debian-package COMMAND=chromium PACKAGE=chromium WHY="the browser tests"
	@$(MAKE) --no-print-directory debian-package COMMAND=java PACKAGE=default-jre-headless WHY="the Nu HTML checker"

debian-package:
	@command -v $(COMMAND) >/dev/null || { \
	  if [ -n "$(ROOT)" ]; then echo "Installing Debian's $(PACKAGE) for $(WHY)"; \
	    apt-get update -qq && $(APT) $(PACKAGE) >/dev/null; \
	  else echo "!!! $(COMMAND) is missing and this is not root: install Debian's $(PACKAGE) for $(WHY)."; fi; }

node_modules/.installed: package.json package-lock.json
	@$(MAKE) --no-print-directory debian-package COMMAND=npm PACKAGE=npm WHY="the page checkers (axe-core, vnu-jar)"
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

lint: $(VENV)/.dev
	$(BIN)/ruff check .

## test: lint, then the whole suite on SQLite, then again on PostgreSQL (exit 5, "no tests ran", is a failure)
test: test-tools lint
	@$(MAKE) --no-print-directory pytest-run ARGS="--db=sqlite"
	@$(MAKE) --no-print-directory pytest-run ARGS="--db=postgresql"

pytest-run:
	@echo "== pytest $(ARGS) =="
	@$(BIN)/python -m pytest --durations=10 $(ARGS) $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: treated as a failure"; exit 1; fi; exit $$rc

## bench-search: search and reindex speed on the 100,000-post bench community (seeded on first use); see bench/
bench-search: $(VENV)/.runtime
	@[ -f bench/instance/full.db ] || PYTHONPATH=. $(BIN)/python -m bench.seed --size full
	PYTHONPATH=. $(BIN)/python -m bench.search --size full --reindex

## screenshots: photograph the real pages of a throwaway demo community for the README
screenshots: test-tools
	$(BIN)/python -m scripts.screenshots
