# attune entry points. `make repro` = set up + run the pipeline; `make test` = set up + tests.
.PHONY: setup repro test lint bench
SHELL := /bin/bash
export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export AXOLOTL_DO_NOT_TRACK := 1
export WANDB_MODE := disabled
export DO_NOT_TRACK := 1
DVC := .venv-dvc/bin/dvc

setup:
	@bash scripts/setup.sh

repro: setup
	@$(DVC) repro

test: setup
	@.venv/bin/python -m pytest

lint: setup
	@.venv/bin/ruff check .

bench: setup
	@.venv/bin/python bench/validate.py
	@.venv/bin/python bench/pipeline.py
