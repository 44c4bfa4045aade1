"""The `generate` section of params.yaml (defaults live in params.yaml only)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from core.claude import ClaudeParams
from core.params import load_section

Operation = Literal["paraphrase", "new", "revise"]


class GenerateParams(ClaudeParams):
    """Operations and sizes; the Claude settings are used by the anthropic backend only."""

    backend: Literal["offline", "anthropic"]
    seed: int  # offline RNG seed: same seed, byte-identical output
    operations: list[Operation]
    paraphrase_k: int = Field(ge=0)
    new_per_theme: int = Field(ge=0)
    target_rows: int = Field(ge=1)
    batch: bool
    poll_s: float = Field(gt=0)  # batch status poll interval, seconds


def load_params(path: str | Path) -> GenerateParams:
    return load_section(path, "generate", GenerateParams)
