# Two commands do all set-up: `make run` and `make test`. Both create .venv once and
# reinstall only when requirements.txt changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test ingest bench

$(STAMP): requirements.txt
	@echo "Setting up $(VENV) (first time only: ~10 minutes, llama-cpp-python compiles from source)..."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements.txt
	@touch $(STAMP)

run: $(STAMP)
	$(PY) app.py

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy .
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) app.py bench
