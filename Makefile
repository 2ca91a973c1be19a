# Two commands do all set-up: `make run` and `make test`. Both create .venv once and
# reinstall only when requirements.txt changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test ingest bench bench-docs

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

# docs/benchmarks.md, rewritten by the commands that measure (the graded sets where ../shared/eval has them)
EVAL_SETS := $(wildcard ../shared/eval/mohler_v2.jsonl ../shared/eval/asag_zh.jsonl ../shared/eval/le_zh.jsonl ../shared/eval/beetle.jsonl)
bench-docs: $(STAMP)
	$(PY) app.py bench --markdown
	$(PY) app.py eval --bluffs tests/fixtures/bluffs.jsonl --markdown
	$(if $(EVAL_SETS),$(PY) app.py eval $(EVAL_SETS) --leave-one-file-out --judge-rows 0 --markdown)
