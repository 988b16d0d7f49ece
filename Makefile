# Two entry points (see README): `make run` and `make test`. Only python3.11, pip and make needed.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test files spread over the cores (pytest-xdist), at most 4 workers; each file stays on one
# worker so its module fixtures (a pipeline run each) run once. `make test PYTEST_PARALLEL=`
# runs the suite in one process.
PYTEST_PARALLEL ?= -n auto --maxprocesses=4 --dist loadfile

.PHONY: run test lint setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/curate run --output out --overwrite

test: $(STAMP)
	$(BIN)/ruff check curation transforms pipelines tests benchmarks scripts
	$(BIN)/ruff format --check curation transforms pipelines tests benchmarks scripts
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

lint: $(STAMP)
	$(BIN)/ruff check --fix curation transforms pipelines tests benchmarks scripts
	$(BIN)/ruff format curation transforms pipelines tests benchmarks scripts

clean:
	rm -rf $(VENV) out
