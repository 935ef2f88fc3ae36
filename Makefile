# `make run` and `make test` each set up .venv on a fresh machine (Python 3.11+), then run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench bench-compare bench-search harness fuzz soak rehearse clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mock-okta needs Python 3.11 or newer; set PYTHON=python3.11 (or newer) and retry")'
	@echo "mock-okta: setting up $(VENV) (pip install, about 90 s; only this once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	@$(BIN)/python -c 'from tests.typecheck import build_view; build_view()'  # for a bare `mypy`
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/mock-okta serve $(ARGS)

test: $(STAMP) lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/python -m tests.typecheck

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_server.py $(ARGS)

bench-compare: $(STAMP)
	$(BIN)/python benchmarks/compare.py $(ARGS)

bench-search: $(STAMP)
	$(BIN)/python benchmarks/bench_search.py $(ARGS)

harness: $(STAMP)
	$(BIN)/mock-okta harness $(ARGS)

rehearse: $(STAMP)
	$(BIN)/mock-okta rehearse $(ARGS)

fuzz: $(STAMP)
	$(BIN)/python -m tests.robustness.spec_fuzz $(ARGS)

soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
