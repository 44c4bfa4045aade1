"""The `generate` section of params.yaml, parsed strictly so a misspelt key fails first."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Operation = Literal["paraphrase", "new", "revise"]


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float
    output: float
    cache_read: float
    cache_write: float


class GenerateParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: Literal["offline", "anthropic"] = "offline"
    seed: int = 13
    operations: list[Operation] = ["paraphrase", "new", "revise"]
    paraphrase_k: int = Field(8, ge=0)
    new_per_theme: int = Field(20, ge=0)
    target_rows: int = Field(3000, ge=1)
    model: str = "claude-sonnet-4-6"
    max_usd: float = Field(5.0, ge=0)
    batch: bool = False
    concurrency: int = Field(8, ge=1)
    cache_dir: str = ".cache/generate"
    base_url: str | None = None  # None: ANTHROPIC_BASE_URL or the SDK default
    timeout_s: float = Field(60.0, gt=0)  # per request, seconds
    max_retries: int = Field(5, ge=0)  # transport retries (429/529/5xx/timeout) per request
    max_reasks: int = Field(2, ge=0)  # re-asks after a malformed tool answer
    max_tokens: int = Field(1024, ge=1)  # output cap per request
    poll_s: float = Field(30.0, gt=0)  # batch status poll interval, seconds
    prices: dict[str, Price] = {}


def load_params(path: str | Path) -> GenerateParams:
    """Read params.yaml and validate its `generate` section."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return GenerateParams.model_validate(raw.get("generate") or {})
