# The two commands of the README:
#   make run   — install into .venv and serve the SYNTHETIC demo election on http://127.0.0.1:8000/
#                (built on the first run into demo.sqlite3 in the user's data directory)
#   make test  — install what the checks need and run every check (lint, types, tests)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint types pytest clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed-run
	$(BIN)/saylau serve --demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench benchmarks
	$(BIN)/ruff format --check src tests bench benchmarks
	$(BIN)/mypy
	scripts/with-postgres $(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
