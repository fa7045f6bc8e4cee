# salesnb — two commands on a fresh machine:  make report   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DATA   ?= data/sample
OUT    ?= reports
LANG_  ?= en

.DEFAULT_GOAL := help
.PHONY: help setup report test test-fast lint sample lab bench clean

help:  ## show this help
	@echo "salesnb make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-9s %s\n", $$1, $$2}'
	@echo "Variables: DATA=$(DATA) OUT=$(OUT) LANG_=$(LANG_) PYTHON=$(PYTHON)"

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("salesnb needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install salesnb with its test tools

report: $(STAMP)  ## set up, then write a report pack of the sample company to reports/
	$(BIN)/salesnb run --data $(DATA) --out $(OUT) --lang $(LANG_) --per-rep

test: $(STAMP)  ## set up, then run the linter and the whole test suite (what CI runs)
	$(BIN)/ruff check salesnb tests benchmarks
	$(BIN)/python -m pytest

test-fast: $(STAMP)  ## the edit loop: the linter and every test not marked slow
	$(BIN)/ruff check salesnb tests benchmarks
	$(BIN)/python -m pytest -m "not slow"

lint: $(STAMP)  ## ruff only
	$(BIN)/ruff check salesnb tests benchmarks

sample: $(STAMP)  ## regenerate data/sample (deterministic)
	$(BIN)/salesnb sample data/sample

lab: $(STAMP)  ## open JupyterLab on working copies of the notebooks (work/<lang>/, git-ignored)
	$(BIN)/salesnb lab --lang $(LANG_) --data $(DATA)

bench: $(STAMP)  ## install benchmark data and run every benchmark (slow)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:  ## remove the virtualenv and generated reports
	rm -rf $(VENV) reports/*/ reports/latest.html .pytest_cache .ruff_cache
