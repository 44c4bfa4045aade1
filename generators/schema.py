"""The preference triple and its JSONL I/O, shared by every stage.

Bad lines are reported as ``file:line: field: problem`` and returned, never raised, so one
broken row cannot stop a run; writes go to a temporary file that is renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Risk = Literal["none", "low", "high"]
RESPONSE_FIELDS = ("aligned", "neutral", "directive", "generic")


class Triple(BaseModel):
    """A disclosure with its aligned / neutral / directive (and optional generic) responses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    prompt: str = Field(min_length=1, description="the caller's disclosure")
    aligned: str = Field(min_length=1, description="reflects feeling and a specific, no advice")
    neutral: str = Field(min_length=1, description="safe, polite, shallow")
    directive: str = Field(min_length=1, description="advice or evaluative guidance")
    generic: str | None = Field(default=None, description="non-directive but content-free")
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


@dataclass(frozen=True)
class BadLine:
    path: str
    line: int
    field: str
    problem: str
    raw: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.problem}"


def _describe(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "<record>"
    return field, first["msg"]


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict | None, BadLine | None]]:
    """Yield (line number, parsed object or None, BadLine or None) for each non-blank line."""
    path = str(path)
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield lineno, None, BadLine(path, lineno, "<json>", exc.msg, raw)
                continue
            if not isinstance(obj, dict):
                yield lineno, None, BadLine(path, lineno, "<record>", "not a JSON object", raw)
                continue
            yield lineno, obj, None


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


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl(path: str | Path, rows: Iterable[BaseModel | dict]) -> int:
    """Atomically write rows (pydantic models or dicts) as JSONL; returns the row count."""
    lines = []
    for row in rows:
        obj = row.model_dump(exclude_none=True) if isinstance(row, BaseModel) else row
        lines.append(json.dumps(obj, ensure_ascii=False))
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return len(lines)


def write_json(path: str | Path, obj: object) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
