# make run   : set up (.venv, pinned dependencies, the default model) and run the main job
# make test  : set up everything the tests need, then ruff, mypy and pytest
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.halluc-installed
EXTRAS ?= dev,eval,theory,census,sim,report,rescore

.PHONY: run test setup system lint typecheck pytest bench clean

$(STAMP): pyproject.toml constraints.txt Makefile scripts/setup.sh
	bash scripts/setup.sh "$(VENV)" "$(EXTRAS)"
	touch $(STAMP)

setup: $(STAMP)

system:
	bash scripts/install-system-deps.sh

run: setup
	$(VENV)/bin/halluc eval

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

typecheck: setup
	$(VENV)/bin/mypy

pytest: setup system
	$(VENV)/bin/pytest -q

test: lint typecheck pytest

bench: setup
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
