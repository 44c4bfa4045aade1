"""The backend interface: a list of jobs in, one outcome per job out, with shared counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, Protocol

from generators.schema import Triple

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


@dataclass
class Stats:
    """Counters reported in metrics/generate.json."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    reasks: int = 0
    failures: Counter = field(default_factory=Counter)
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    usd: float = 0.0
    stopped_by_budget: bool = False

    def as_dict(self) -> dict:
        return {
            "requests": self.requests, "cache_hits": self.cache_hits, "retries": self.retries,
            "reasks": self.reasks, "failures": dict(sorted(self.failures.items())),
            "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "usd": round(self.usd, 6), "stopped_by_budget": self.stopped_by_budget,
        }


class Backend(Protocol):
    stats: Stats

    def run(self, jobs: list[Job]) -> list[Outcome]:
        """Return exactly one outcome per job, in job order."""
        ...
