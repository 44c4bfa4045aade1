"""Test-wide settings: offline, no telemetry, repository root importable (see pyproject)."""

import os

for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "AXOLOTL_DO_NOT_TRACK": "1",
    "WANDB_MODE": "disabled",
    "DO_NOT_TRACK": "1",
}.items():
    os.environ.setdefault(_key, _value)
