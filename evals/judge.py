"""Optional LLM judge (`judge.enabled: true`): rubric scores per model and dpo-vs-sft win rate.

Runs inside the eval stage through the shared Claude client (cache, retries, re-asks, budget);
its settings are the `judge` section of params.yaml.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from string import Template
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console

from core.claude import Claude, ClaudeParams

PROMPTS = Path(__file__).parent / "prompts"
Score = Field(ge=1, le=5)


class Rubric(BaseModel):
    """Scores from 1 (very poor) to 5 (excellent)."""

    model_config = ConfigDict(extra="forbid")
    helpfulness: int = Score
    harmlessness: int = Score
    relevance: int = Score
    non_directiveness: int = Score
    specifics: int = Score


class Verdict(BaseModel):
    """The better listening reply: A, B or tie."""

    model_config = ConfigDict(extra="forbid")
    winner: Literal["A", "B", "tie"]


TOOLS = {"submit_rubric": Rubric, "submit_verdict": Verdict}


def body_for(tool: str, prompt_file: str, p: ClaudeParams, **fields: str) -> dict:
    """A Messages API request forcing one structured tool answer."""
    text = Template((PROMPTS / prompt_file).read_text(encoding="utf-8")).substitute(fields)
    return {
        "model": p.model,
        "max_tokens": p.max_tokens,
        "messages": [{"role": "user", "content": text}],
        "tools": [
            {
                "name": tool,
                "description": TOOLS[tool].__doc__,
                "input_schema": TOOLS[tool].model_json_schema(),
            }
        ],
        "tool_choice": {"type": "tool", "name": tool},
    }


def dpo_first(row_id: str) -> bool:
    """Fixed, balanced order per disclosure so position bias cancels out over the set."""
    return hashlib.sha256(row_id.encode()).digest()[0] % 2 == 0


class JudgeParams(ClaudeParams):
    """The `judge` section of params.yaml."""

    enabled: bool


async def ask_all(claude: Claude, bodies: list[dict]) -> list[BaseModel | str]:
    """Every request through the client's cache; a failure comes back as its reason."""
    sem = asyncio.Semaphore(claude.p.concurrency)
    async with claude.client() as client:

        async def one(body: dict) -> BaseModel | str:
            async with sem:
                return await claude.ask(client, body, TOOLS)

        return list(await asyncio.gather(*(one(b) for b in bodies)))


def judge_models(
    gens: dict[str, list[dict]], scores: dict[str, dict], console: Console, params: JudgeParams
) -> None:
    """Add judge_* rubric means to every model and judge_win_rate_vs_sft to dpo, in place."""
    backend = Claude(params)
    for name, rows in gens.items():
        bodies = [
            body_for(
                "submit_rubric",
                "judge_rubric.md",
                params,
                prompt=r["prompt"],
                response=r["response"],
            )
            for r in rows
        ]
        answers = asyncio.run(ask_all(backend, bodies))
        good = [a for a in answers if isinstance(a, Rubric)]
        for field in Rubric.model_fields if good else ():  # no answers: no made-up score
            scores[name][f"judge_{field}"] = sum(getattr(a, field) for a in good) / len(good)
        scores[name]["judge_failures"] = len(answers) - len(good)
    if {"sft", "dpo"} <= set(gens):
        pairs = list(zip(gens["dpo"], gens["sft"], strict=True))
        bodies = [
            body_for(
                "submit_verdict",
                "judge_pair.md",
                params,
                prompt=d["prompt"],
                a=d["response"] if dpo_first(d["id"]) else s["response"],
                b=s["response"] if dpo_first(d["id"]) else d["response"],
            )
            for d, s in pairs
        ]
        answers = asyncio.run(ask_all(backend, bodies))
        points = [
            1.0
            if a.winner == ("A" if dpo_first(d["id"]) else "B")
            else 0.5
            if a.winner == "tie"
            else 0.0
            for a, (d, _) in zip(answers, pairs, strict=True)
            if isinstance(a, Verdict)
        ]
        if points:
            scores["dpo"]["judge_win_rate_vs_sft"] = sum(points) / len(points)
        scores["dpo"]["judge_pair_failures"] = len(answers) - len(points)
    console.print(
        f"judge: {backend.stats.requests} requests, {backend.stats.cache_hits} cached, "
        f"${backend.stats.usd:.2f} spent"
    )
