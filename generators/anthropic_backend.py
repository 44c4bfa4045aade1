"""The anthropic backend: tool-use structured output, bounded concurrency, retries, budget."""

from __future__ import annotations

import asyncio
import json
import os
import random
from pathlib import Path
from string import Template

import anthropic
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.progress import Progress
from rich.table import Table

from generators.backend import Job, Outcome, Stats
from generators.cache import Cache, request_key
from generators.params import GenerateParams

PROMPTS = Path(__file__).parent / "prompts"
CHARS_PER_TOKEN = 3.5  # rough English ratio; the estimate errs high on purpose
RETRYABLE = (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APITimeoutError,
             anthropic.APIConnectionError)


class ConfigError(RuntimeError):
    """A setup problem found before any work (missing key, missing price)."""


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


class BudgetStop(Exception):
    """The next request could exceed generate.max_usd."""


def tool_for(op: str) -> str:
    return "submit_revision" if op == "revise" else "submit_triple"


def user_text(job: Job) -> str:
    """The operation's prompt file filled in for this job."""
    parent = job.parent
    fields = {"theme": job.theme, "risk": job.risk, "k": job.k,
              "prompt": parent.prompt if parent else "",
              "aligned": parent.aligned if parent else "",
              "critique": ", ".join(job.critique)}
    return Template((PROMPTS / f"{job.op}.md").read_text(encoding="utf-8")).substitute(fields)


def request_body(job: Job, p: GenerateParams, style: str) -> dict:
    """The Messages API body; the style guide is a cached system block."""
    name = tool_for(job.op)
    return {
        "model": p.model, "max_tokens": p.max_tokens,
        "system": [{"type": "text", "text": style, "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": user_text(job)}],
        "tools": [{"name": name, "description": TOOLS[name].__doc__ or name,
                   "input_schema": TOOLS[name].model_json_schema()}],
        "tool_choice": {"type": "tool", "name": name},
    }


def parse_answer(message: dict, tool: str, tools: dict[str, type[BaseModel]] = TOOLS) -> BaseModel:
    """The validated tool input; raises ValueError with a reason the model can act on."""
    uses = [b for b in message.get("content", []) if b.get("type") == "tool_use"]
    if not uses or uses[0].get("name") != tool:
        raise ValueError(f"expected one `{tool}` tool call")
    try:
        return tools[tool].model_validate(uses[0].get("input"))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc'])) or 'input'}: {first['msg']}") from None


def to_outcome(job: Job, answer: BaseModel) -> Outcome:
    from generators.schema import Triple

    if isinstance(answer, RevisionDraft):
        row = job.parent
        return Outcome(job, row.model_copy(update={"aligned": answer.aligned,
                                                   "aligned_draft": row.aligned}))
    return Outcome(job, Triple(id=job.id, theme=job.theme, risk=job.risk, source="anthropic",
                               parent_id=job.parent.id if job.parent else None,
                               **answer.model_dump()))


class AnthropicBackend:
    def __init__(self, p: GenerateParams):
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ConfigError("ANTHROPIC_API_KEY is not set; the anthropic backend needs it")
        if p.model not in p.prices:
            raise ConfigError(f"generate.prices has no entry for model {p.model!r}")
        self.p, self.stats, self.cache = p, Stats(), Cache(p.cache_dir)
        self.price = p.prices[p.model]
        self.style = (PROMPTS / "style.md").read_text(encoding="utf-8")
        self._key = key  # handed to the SDK only; never logged or stored
        self.backoff_s = 1.0  # first retry wait, seconds; doubles each retry

    def client(self) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(api_key=self._key, base_url=self.p.base_url or None,
                                        max_retries=0, timeout=self.p.timeout_s)

    def usd(self, usage: dict, factor: float = 1.0) -> float:
        pr = self.price
        return factor * (usage.get("input_tokens", 0) * pr.input
                         + usage.get("output_tokens", 0) * pr.output
                         + (usage.get("cache_read_input_tokens") or 0) * pr.cache_read
                         + (usage.get("cache_creation_input_tokens") or 0) * pr.cache_write) / 1e6

    def estimate_usd(self, body: dict) -> float:
        """Upper-bound cost of one request: all input uncached, all max_tokens used."""
        tokens_in = len(json.dumps(body)) / CHARS_PER_TOKEN
        return (tokens_in * self.price.cache_write + body["max_tokens"] * self.price.output) / 1e6

    def record(self, usage: dict, factor: float = 1.0) -> None:
        s = self.stats
        s.input_tokens += usage.get("input_tokens", 0)
        s.output_tokens += usage.get("output_tokens", 0)
        s.cache_read_tokens += usage.get("cache_read_input_tokens") or 0
        s.cache_write_tokens += usage.get("cache_creation_input_tokens") or 0
        s.usd += self.usd(usage, factor)

    async def call(self, client: anthropic.AsyncAnthropic, body: dict) -> dict:
        """One exchange through the cache; transport faults retried with backoff."""
        key = request_key(body)
        if (hit := self.cache.get(key)) is not None:
            self.stats.cache_hits += 1
            return hit["response"]
        if self.stats.usd + self.estimate_usd(body) > self.p.max_usd:
            self.stats.stopped_by_budget = True
            raise BudgetStop
        for attempt in range(self.p.max_retries + 1):
            self.stats.requests += 1
            try:
                message = await client.messages.create(**body)
                break
            except RETRYABLE + (anthropic.APIStatusError,) as exc:
                status = getattr(exc, "status_code", None)
                if status is not None and status < 500 and status != 429:
                    raise  # 4xx other than 429: the request itself is wrong
                if attempt == self.p.max_retries:
                    raise
                self.stats.retries += 1
                await asyncio.sleep(self.retry_wait(exc, attempt))
        response = message.model_dump(mode="json", exclude_none=True)
        self.record(response.get("usage", {}))
        self.cache.put(key, {"request": body, "response": response})
        return response

    def retry_wait(self, exc: Exception, attempt: int) -> float:
        """retry-after when the server sends one, else exponential backoff with jitter (s)."""
        response = getattr(exc, "response", None)
        after = response.headers.get("retry-after") if response is not None else None
        if after:
            try:
                return float(after)
            except ValueError:
                pass
        return self.backoff_s * 2**attempt * (0.5 + random.random())

    async def one(self, client, job: Job, sem: asyncio.Semaphore) -> Outcome:
        """Ask, validate, re-ask with the validation error (bounded), or fail with a reason."""
        body = request_body(job, self.p, self.style)
        tool = tool_for(job.op)
        async with sem:
            for ask in range(self.p.max_reasks + 1):
                try:
                    message = await self.call(client, body)
                except BudgetStop:
                    return self.fail(job, "stopped: max_usd")
                except anthropic.APITimeoutError:
                    return self.fail(job, "timeout")
                except anthropic.APIStatusError as exc:
                    return self.fail(job, f"http {exc.status_code}")
                except anthropic.APIConnectionError:
                    return self.fail(job, "connection")
                try:
                    return to_outcome(job, parse_answer(message, tool))
                except ValueError as exc:
                    error = str(exc)
                if ask < self.p.max_reasks:
                    self.stats.reasks += 1
                    body = reask(body, message, error)
            return self.fail(job, "malformed tool answer")

    def fail(self, job: Job, reason: str) -> Outcome:
        self.stats.failures[reason] += 1
        return Outcome(job, None, reason)

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

    def estimate_table(self, jobs: list[Job], revise: bool) -> Table:
        """Dry-run estimate: requests, cached, upper-bound USD (batch: half price)."""
        factor = 0.5 if self.p.batch else 1.0
        table = Table(title=f"estimate ({self.p.model}{', batch' if self.p.batch else ''})")
        for col in ("operation", "requests", "cached", "max USD"):
            table.add_column(col, justify="right")
        total = 0.0
        for op in sorted({j.op for j in jobs}):
            bodies = [request_body(j, self.p, self.style) for j in jobs if j.op == op]
            fresh = [b for b in bodies if request_key(b) not in self.cache]
            usd = factor * sum(self.estimate_usd(b) for b in fresh)
            total += usd
            table.add_row(op, str(len(bodies)), str(len(bodies) - len(fresh)), f"{usd:.2f}")
        if revise:
            table.add_row("revise (<= 1 per row)", f"<= {len(jobs)}", "?", "see above x ~0.6")
        table.add_row("total", str(len(jobs)), "", f"{total:.2f} (max_usd {self.p.max_usd})")
        return table


def reask(body: dict, message: dict, error: str) -> dict:
    """The conversation extended with the bad answer and the validation error as a tool result."""
    uses = [b for b in message.get("content", []) if b.get("type") == "tool_use"]
    content = message.get("content") or [{"type": "text", "text": "(no answer)"}]
    text = f"Invalid answer: {error}. Call the tool again with a corrected input."
    if uses:
        reply = [{"type": "tool_result", "tool_use_id": uses[0]["id"], "is_error": True,
                  "content": text}]
    else:
        reply = text
    messages = body["messages"] + [{"role": "assistant", "content": content},
                                   {"role": "user", "content": reply}]
    return {**body, "messages": messages}
