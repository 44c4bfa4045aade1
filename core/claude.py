"""The Claude client shared by generate and the judge: cache, budget, retries, re-asks.

Every exchange goes through a content-addressed cache, so a rerun never pays twice; the
budget is checked before each request; a malformed or off-schema tool answer is sent back with
its validation error (bounded), and every fault ends counted: a retry, a re-ask or a failure.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field

import anthropic
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.cache import Cache, request_key

CHARS_PER_TOKEN = 3.5  # rough English ratio for a keyless estimate; errs high on purpose
# Transport faults worth another try. A 200 whose body is cut off raises a plain ValueError
# (json.JSONDecodeError) inside the SDK, so it is retried here like a dropped connection.
RETRYABLE = (
    anthropic.RateLimitError,
    anthropic.InternalServerError,
    anthropic.APITimeoutError,
    anthropic.APIConnectionError,
    ValueError,
)


class ConfigError(RuntimeError):
    """A setup problem found before any work (missing key, missing price)."""


class BudgetStop(Exception):
    """The next request could exceed max_usd."""


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    input: float
    output: float
    cache_read: float
    cache_write: float


class ClaudeParams(BaseModel):
    """Connection, budget and retry settings; a stage's params section extends these."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: str
    max_usd: float = Field(ge=0)
    concurrency: int = Field(ge=1)
    cache_dir: str
    base_url: str | None  # None: ANTHROPIC_BASE_URL or the SDK default
    timeout_s: float = Field(gt=0)  # per request, seconds
    max_retries: int = Field(ge=0)  # transport retries (429/529/5xx/timeout) per request
    max_reasks: int = Field(ge=0)  # re-asks after a malformed tool answer
    max_tokens: int = Field(ge=1)  # output cap per request
    prices: dict[str, Price]


@dataclass
class Stats:
    """Counters reported in the stage metrics."""

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
        out = {k: v for k, v in vars(self).items() if k not in ("failures", "usd")}
        return {**out, "failures": dict(sorted(self.failures.items())), "usd": round(self.usd, 6)}


def parse_answer(message: dict, tool: str, tools: dict[str, type[BaseModel]]) -> BaseModel:
    """The validated tool input; raises ValueError with a reason the model can act on."""
    uses = [b for b in message.get("content", []) if b.get("type") == "tool_use"]
    if not uses or uses[0].get("name") != tool:
        raise ValueError(f"expected one `{tool}` tool call")
    try:
        return tools[tool].model_validate(uses[0].get("input"))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc'])) or 'input'}: {first['msg']}") from None


def reask(body: dict, message: dict, error: str) -> dict:
    """The conversation extended with the bad answer and the validation error as a tool result."""
    uses = [b for b in message.get("content", []) if b.get("type") == "tool_use"]
    content = message.get("content") or [{"type": "text", "text": "(no answer)"}]
    text = f"Invalid answer: {error}. Call the tool again with a corrected input."
    reply = (
        [{"type": "tool_result", "tool_use_id": uses[0]["id"], "is_error": True, "content": text}]
        if uses
        else text
    )
    messages = body["messages"] + [
        {"role": "assistant", "content": content},
        {"role": "user", "content": reply},
    ]
    return {**body, "messages": messages}


class Claude:
    """One model's client: the key from the environment only, never logged or stored."""

    def __init__(self, p: ClaudeParams):
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ConfigError("ANTHROPIC_API_KEY is not set; the anthropic backend needs it")
        if p.model not in p.prices:
            raise ConfigError(f"prices has no entry for model {p.model!r}")
        self.p, self.stats, self.cache = p, Stats(), Cache(p.cache_dir)
        self.price = p.prices[p.model]
        self._key = key
        self.backoff_s = 1.0  # first retry wait, seconds; doubles each retry

    def client(self) -> anthropic.AsyncAnthropic:
        # The hand loop in `call` replaces the SDK's retries: it has to count every retry for
        # the metrics, treat a truncated 200 body as retryable, and check the budget first.
        return anthropic.AsyncAnthropic(
            api_key=self._key,
            base_url=self.p.base_url or None,
            max_retries=0,
            timeout=self.p.timeout_s,
        )

    def usd(self, usage: dict, factor: float = 1.0) -> float:
        pr = self.price
        return (
            factor
            * (
                usage.get("input_tokens", 0) * pr.input
                + usage.get("output_tokens", 0) * pr.output
                + (usage.get("cache_read_input_tokens") or 0) * pr.cache_read
                + (usage.get("cache_creation_input_tokens") or 0) * pr.cache_write
            )
            / 1e6
        )

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
        try:
            return float(after) if after else self.backoff_s * 2**attempt * (0.5 + random.random())
        except ValueError:
            return self.backoff_s * 2**attempt * (0.5 + random.random())

    async def ask(self, client, body: dict, tools: dict[str, type[BaseModel]]) -> BaseModel | str:
        """The validated answer, re-asking with the error (bounded), or the failure reason."""
        tool = body["tool_choice"]["name"]
        for n in range(self.p.max_reasks + 1):
            try:
                message = await self.call(client, body)
            except BudgetStop:
                return "stopped: max_usd"
            except anthropic.APITimeoutError:
                return "timeout"
            except anthropic.APIStatusError as exc:
                return f"http {exc.status_code}"
            except anthropic.APIConnectionError:
                return "connection"
            except ValueError:
                return "malformed response body"
            try:
                return parse_answer(message, tool, tools)
            except ValueError as exc:
                error = str(exc)
            if n < self.p.max_reasks:
                self.stats.reasks += 1
                body = reask(body, message, error)
        return "malformed tool answer"
