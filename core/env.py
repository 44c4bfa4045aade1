"""The offline environment (core/offline.env), the one list used by stages, tests and bench."""

from __future__ import annotations

import os
from pathlib import Path

ENV_FILE = Path(__file__).with_name("offline.env")


def offline_env() -> dict[str, str]:
    """KEY -> VALUE from core/offline.env."""
    pairs = (
        line.split("=", 1)
        for line in ENV_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def apply_offline_env() -> None:
    """Set each offline variable the user has not set already."""
    for key, value in offline_env().items():
        os.environ.setdefault(key, value)
