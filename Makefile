# The two commands of the README: `make demo` and `make test`. Both build the virtual environment
# they need first, so a fresh clone with Python 3.11 and make is enough.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit clean reliability bench

$(STAMP): pyproject.toml requirements.txt requirements-emulator.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[emulator,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/regionshift failover plans/example.yaml --simulate

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The chaos suite with the figures' budgets (100+ kills, 10,000 fuzzed inputs, the whole fault matrix):
# about half an hour on two cores; writes RELIABILITY.md. tests/reliability/ runs a bounded form in `make test`.
reliability: $(STAMP)
	$(BIN)/python -m reliability.run

# RTO against its lower bound at 10, 100 and 1,000 resources (benchmarks/rto.py; figures in
# BENCHMARKS.md, never in a test). About 15 minutes on two cores.
bench: $(STAMP)
	$(BIN)/python benchmarks/rto.py --resources 10 100 --speed 2 --out benchmarks/results.jsonl
	$(BIN)/python benchmarks/rto.py --resources 100 1000 --speed 1 --out benchmarks/results.jsonl

clean:
	rm -rf $(VENV) .regionshift reports
