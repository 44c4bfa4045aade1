# attune entry points. `make repro` = set up + run the pipeline; `make test` = set up + tests.
.PHONY: setup repro test lint bench accept
SHELL := /bin/bash
# Offline and quiet: the same list the stages and tests read (core/offline.env).
include core/offline.env
export $(shell sed -n 's/^\([A-Z_]*\)=.*/\1/p' core/offline.env)
DVC := .venv-dvc/bin/dvc

setup:
	@bash scripts/setup.sh

repro: setup
	@$(DVC) repro
	@.venv/bin/python -m evals.show metrics/eval.json --intervals metrics/eval_ci.json

accept: setup  # the listening target on the default run (after make repro)
	@.venv/bin/python -m evals.accept metrics/eval.json --intervals metrics/eval_ci.json

test: setup
	@.venv/bin/python -m pytest

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

bench: setup
	@.venv/bin/python bench/validate.py
	@.venv/bin/python bench/pipeline.py
