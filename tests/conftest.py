"""Test-wide settings: offline, no telemetry, repository root importable (see pyproject)."""

import os

from bench.pipeline import OFFLINE_ENV

for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
