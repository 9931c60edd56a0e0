# callback-tracker — `make run`, `make sandbox` (no Telegram needed) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run sandbox test lint typecheck pytest browser-deps bench clean help

help:
	@echo "make run    - install (first time) and start the bot (config from .env)"
	@echo "make sandbox - try the bot without Telegram: a chat page on http://127.0.0.1:8080"
	@echo "              (DEMO_DATA=1: with a demo history; PORT=8081: another port)"
	@echo "make test   - install dev tools (first time), then ruff, mypy and the whole test suite"
	@echo "make bench  - run the benchmarks and print their numbers"

# The virtual environment is rebuilt whenever pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/callback-tracker

sandbox: $(VENV)/.installed
	$(BIN)/callback-tracker sandbox $(if $(PORT),--port $(PORT)) \
		$(if $(filter 1 yes true,$(DEMO_DATA)),--demo)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev browser-deps
	$(BIN)/python -m pytest

# Debian's Chromium for the browser test of the sandbox page (never a downloaded browser).
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

test: lint typecheck pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
