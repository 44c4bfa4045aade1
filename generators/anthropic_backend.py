"""The anthropic backend: tool-use structured output through the shared Claude client."""

from __future__ import annotations

import asyncio
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, Field
from rich.progress import Progress
from rich.table import Table

from core.cache import request_key
from core.claude import Claude
from core.schema import Triple
from generators.backend import Job, Outcome
from generators.params import GenerateParams

PROMPTS = Path(__file__).parent / "prompts"


class TripleDraft(BaseModel):
    """A disclosure with its four responses, as the model submits it."""

    model_config = ConfigDict(extra="forbid")
    prompt: str = Field(min_length=20, description="the caller's first-person disclosure")
    aligned: str = Field(min_length=20)
    neutral: str = Field(min_length=10)
    directive: str = Field(min_length=10)
    generic: str = Field(min_length=10)


class RevisionDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")
    critique: str = Field(min_length=10)
    aligned: str = Field(min_length=20, description="the revised response")


TOOLS = {"submit_triple": TripleDraft, "submit_revision": RevisionDraft}


def tool_for(op: str) -> str:
    return "submit_revision" if op == "revise" else "submit_triple"


def user_text(job: Job) -> str:
    """The operation's prompt file filled in for this job."""
    parent = job.parent
    fields = {
        "theme": job.theme,
        "risk": job.risk,
        "k": job.k,
        "prompt": parent.prompt if parent else "",
        "aligned": parent.aligned if parent else "",
        "critique": ", ".join(job.critique),
    }
    return Template((PROMPTS / f"{job.op}.md").read_text(encoding="utf-8")).substitute(fields)


def request_body(job: Job, p: GenerateParams, style: str) -> dict:
    """The Messages API body; the style guide is a cached system block."""
    name = tool_for(job.op)
    return {
        "model": p.model,
        "max_tokens": p.max_tokens,
        "system": [{"type": "text", "text": style, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": user_text(job)}],
        "tools": [
            {
                "name": name,
                "description": TOOLS[name].__doc__ or name,
                "input_schema": TOOLS[name].model_json_schema(),
            }
        ],
        "tool_choice": {"type": "tool", "name": name},
    }


def to_outcome(job: Job, answer: BaseModel) -> Outcome:
    if isinstance(answer, RevisionDraft):
        row = job.parent
        return Outcome(
            job, row.model_copy(update={"aligned": answer.aligned, "aligned_draft": row.aligned})
        )
    return Outcome(
        job,
        Triple(
            id=job.id,
            theme=job.theme,
            risk=job.risk,
            source="anthropic",
            parent_id=job.parent.id if job.parent else None,
            **answer.model_dump(),
        ),
    )


class AnthropicBackend(Claude):
    """Jobs in, one outcome per job out; the style guide goes in a cached system block."""

    def __init__(self, p: GenerateParams, need_key: bool = True):
        super().__init__(p, need_key)
        self.style = (PROMPTS / "style.md").read_text(encoding="utf-8")

    async def one(self, client, job: Job, sem: asyncio.Semaphore) -> Outcome:
        async with sem:
            answer = await self.ask(client, request_body(job, self.p, self.style), TOOLS)
        if isinstance(answer, str):
            self.stats.failures[answer] += 1
            return Outcome(job, None, answer)
        return to_outcome(job, answer)

    async def run_async(self, jobs: list[Job]) -> list[Outcome]:
        sem = asyncio.Semaphore(self.p.concurrency)
        async with self.client() as client:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"anthropic {jobs[0].op if jobs else ''}", total=len(jobs))

                async def tracked(job: Job) -> Outcome:
                    out = await self.one(client, job, sem)
                    bar.advance(task)
                    return out

                return list(await asyncio.gather(*(tracked(j) for j in jobs)))

    def run(self, jobs: list[Job]) -> list[Outcome]:
        if self.p.batch and jobs:
            from generators.batch import prefill

            asyncio.run(prefill(self, [request_body(j, self.p, self.style) for j in jobs]))
        return asyncio.run(self.run_async(jobs)) if jobs else []

    def estimate(self, jobs: list[Job], revise: bool) -> tuple[Table, float]:
        """Dry-run estimate: requests, cached, upper-bound USD (batch: half price), and the total.

        Input tokens by count_tokens (cached, free) with a key; without one, 3.5 characters a token.
        """
        factor = 0.5 if self.p.batch else 1.0
        bodies = {
            op: [request_body(j, self.p, self.style) for j in jobs if j.op == op]
            for op in sorted({j.op for j in jobs})
        }
        fresh = {
            op: [b for b in bs if request_key(b) not in self.cache] for op, bs in bodies.items()
        }
        tokens = asyncio.run(self._count(fresh)) if self.has_key else {}
        table = Table(title=f"estimate ({self.p.model}{', batch' if self.p.batch else ''})")
        for col in ("operation", "requests", "cached", "max USD"):
            table.add_column(col, justify="right")
        total = 0.0
        for op, bs in bodies.items():
            counts = tokens.get(op) or [None] * len(fresh[op])
            usd = factor * sum(
                self.estimate_usd(b, n) for b, n in zip(fresh[op], counts, strict=True)
            )
            total += usd
            table.add_row(op, str(len(bs)), str(len(bs) - len(fresh[op])), f"{usd:.2f}")
        if revise:
            table.add_row("revise (<= 1 per row)", f"<= {len(jobs)}", "?", "see above x ~0.6")
        table.add_row("total", str(len(jobs)), "", f"{total:.2f} (max_usd {self.p.max_usd})")
        return table, total

    async def _count(self, fresh: dict[str, list[dict]]) -> dict[str, list[int | None]]:
        async with self.client() as client:
            return {op: await self.count_all(client, bs) for op, bs in fresh.items()}
