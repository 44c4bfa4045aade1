"""Test-wide settings: offline, no telemetry, repository root importable (see pyproject)."""

from core.env import apply_offline_env

apply_offline_env()
