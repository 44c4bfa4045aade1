"""The preference triple, shared by every stage; bad rows come back as BadLines, never raised."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.jsonl import BadLine, iter_jsonl

Risk = Literal["none", "low", "high"]
RESPONSE_FIELDS = ("aligned", "neutral", "directive", "generic", "echo")


class Triple(BaseModel):
    """A disclosure with its aligned / neutral / directive (and optional generic) responses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    prompt: str = Field(min_length=1, description="the caller's disclosure")
    aligned: str = Field(min_length=1, description="reflects feeling and a specific, no advice")
    neutral: str = Field(min_length=1, description="safe, polite, shallow")
    directive: str = Field(min_length=1, description="advice or evaluative guidance")
    generic: str | None = Field(default=None, description="non-directive but content-free")
    echo: str | None = Field(default=None, description="parroting: the disclosure handed back")
    theme: str = Field(min_length=1)
    risk: Risk = "none"
    source: str = Field(pattern=r"^(seed|offline|anthropic|import:[\w.-]+)$")
    parent_id: str | None = None
    aligned_draft: str | None = Field(default=None, description="pre-revision aligned text")
    fixes: list[str] = Field(default_factory=list, description="cleaning fixes applied")

    @property
    def group(self) -> str:
        """Lineage group: paraphrases share their seed's group."""
        return self.parent_id or self.id


def _describe(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "<record>"
    return field, first["msg"]


def read_triples(path: str | Path) -> tuple[list[Triple], list[BadLine]]:
    """Parse a JSONL file of triples; bad lines are returned with their reason, not raised."""
    good: list[Triple] = []
    bad: list[BadLine] = []
    for lineno, obj, problem in iter_jsonl(path):
        if problem:
            bad.append(problem)
            continue
        try:
            good.append(Triple.model_validate(obj))
        except ValidationError as exc:
            field, msg = _describe(exc)
            bad.append(BadLine(str(path), lineno, field, msg, json.dumps(obj, ensure_ascii=False)))
    return good, bad
