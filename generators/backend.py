"""The backend interface: a list of jobs in, one outcome per job out, with shared counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from core.claude import Stats
from core.schema import Triple

Op = Literal["paraphrase", "new", "revise"]


@dataclass(frozen=True)
class Job:
    """One unit of work; `id` is the id of the row it produces (revise keeps the row's id)."""

    op: Op
    id: str
    theme: str
    risk: str
    parent: Triple | None = None  # the seed (paraphrase) or the row to revise (revise)
    k: int = 0
    critique: tuple[str, ...] = ()  # revise: the problems found in the draft


@dataclass(frozen=True)
class Outcome:
    job: Job
    triple: Triple | None
    reason: str | None = None  # why no triple came back


class Backend(Protocol):
    stats: Stats

    def run(self, jobs: list[Job]) -> list[Outcome]:
        """Return exactly one outcome per job, in job order."""
        ...
