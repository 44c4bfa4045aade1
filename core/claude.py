"""The Claude client shared by generate and the judge: cache, budget, retries, re-asks.

Every exchange goes through a content-addressed cache, so a rerun never pays twice; the
budget is checked before each request; a malformed or off-schema tool answer is sent back with
its validation error (bounded), and every fault ends counted: a retry, a re-ask or a failure.
"""

from __future__ import annotations

import asyncio
import json
import os

import anthropic
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.cache import Cache, request_key
from core.meter import Meter, Stats

CHARS_PER_TOKEN = 3.5  # rough English ratio for a keyless dry-run estimate; errs high on purpose
REASONS = (  # why a job failed, by the SDK error it ended with (first match wins)
    (anthropic.APITimeoutError, "timeout"),
    (anthropic.APIConnectionError, "connection"),
    (anthropic.RetryableError, "malformed response body"),
)
COUNTED = ("model", "system", "messages", "tools", "tool_choice")  # what count_tokens takes
USAGE = {  # Messages API usage field -> (Stats counter, Price rate)
    "input_tokens": ("input_tokens", "input"),
    "output_tokens": ("output_tokens", "output"),
    "cache_read_input_tokens": ("cache_read_tokens", "cache_read"),
    "cache_creation_input_tokens": ("cache_write_tokens", "cache_write"),
}


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
    max_retries: int = Field(ge=0)  # SDK retries per request: 429/5xx, timeout, drop, cut-off body
    max_reasks: int = Field(ge=0)  # re-asks after a malformed tool answer
    max_tokens: int = Field(ge=1)  # output cap per request
    prices: dict[str, Price]


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
    turns = [{"role": "assistant", "content": content}, {"role": "user", "content": reply}]
    return {**body, "messages": body["messages"] + turns}


class Claude:
    """One model's client: the key from the environment only, never logged or stored."""

    def __init__(self, p: ClaudeParams, need_key: bool = True):
        key = os.environ.get("ANTHROPIC_API_KEY") or None
        if key is None and need_key:
            raise ConfigError("ANTHROPIC_API_KEY is not set; the anthropic backend needs it")
        if p.model not in p.prices:
            raise ConfigError(f"prices has no entry for model {p.model!r}")
        self.p, self.stats, self.cache = p, Stats(), Cache(p.cache_dir)
        self.price = p.prices[p.model]
        self._key, self.has_key = key, key is not None
        self.reserved = 0.0  # USD upper bounds of the requests in flight

    def client(self) -> anthropic.AsyncAnthropic:
        # The SDK retries (408/409/429/5xx, timeouts, dropped connections) with its backoff,
        # retry-after(-ms) and x-should-retry; Meter counts every attempt and retry for the
        # metrics and makes an unparseable 200 body retryable. The budget is checked once per
        # request, before its first attempt: failed attempts are not billed.
        return anthropic.AsyncAnthropic(
            api_key=self._key,
            base_url=self.p.base_url or None,
            max_retries=self.p.max_retries,
            timeout=self.p.timeout_s,
            middleware=[Meter(self.stats)],
        )

    def usd(self, usage: dict, factor: float = 1.0) -> float:
        rates = ((k, getattr(self.price, price)) for k, (_, price) in USAGE.items())
        return factor * sum((usage.get(k) or 0) * rate for k, rate in rates) / 1e6

    def estimate_usd(self, body: dict, tokens_in: float | None = None) -> float:
        """Upper-bound cost of one request: all input uncached, all max_tokens used (tokens_in
        from count_tokens; None, for a dry run without a key: 3.5 characters a token)."""
        if tokens_in is None:
            tokens_in = len(json.dumps(body)) / CHARS_PER_TOKEN
        return (tokens_in * self.price.cache_write + body["max_tokens"] * self.price.output) / 1e6

    async def input_tokens(self, client: anthropic.AsyncAnthropic, body: dict) -> int | None:
        """The request's input tokens by messages.count_tokens, cached so a rerun asks nothing;
        None (use the character estimate) when counting fails."""
        key = request_key(body)
        hit = self.cache.get(key, kind="tokens")
        if hit is not None and isinstance(hit["input_tokens"], int):
            return hit["input_tokens"]
        try:
            count = await client.messages.count_tokens(**{k: body[k] for k in COUNTED if k in body})
        except anthropic.AnthropicError:  # counted in stats.faults by Meter; e.g. a gateway
            return None  # without the endpoint (404): the character estimate instead
        self.cache.put(key, {"input_tokens": count.input_tokens}, kind="tokens")
        return count.input_tokens

    async def count_all(self, client, bodies: list[dict]) -> list[int | None]:
        """input_tokens of every body, `concurrency` at a time."""
        sem = asyncio.Semaphore(self.p.concurrency)

        async def one(body: dict) -> int | None:
            async with sem:
                return await self.input_tokens(client, body)

        return list(await asyncio.gather(*(one(b) for b in bodies)))

    def record(self, usage: dict, factor: float = 1.0) -> None:
        for k, (stat, _) in USAGE.items():
            setattr(self.stats, stat, getattr(self.stats, stat) + (usage.get(k) or 0))
        self.stats.usd += self.usd(usage, factor)

    async def call(self, client: anthropic.AsyncAnthropic, body: dict) -> dict:
        """One exchange through the cache, within the budget; the SDK retries transport faults."""
        key = request_key(body)
        hit = self.cache.get(key)
        if hit is not None and isinstance(hit["response"], dict):
            self.stats.cache_hits += 1
            return hit["response"]
        if self.stats.stopped_by_budget:  # once stopped, stop every job (and its token count)
            raise BudgetStop
        cost = self.estimate_usd(body, await self.input_tokens(client, body))
        if self.stats.usd + self.reserved + cost > self.p.max_usd:
            self.stats.stopped_by_budget = True
            raise BudgetStop
        self.reserved += cost  # concurrent requests cannot overrun the budget together
        try:
            message = await client.messages.create(**body)
        finally:
            self.reserved -= cost
        response = message.model_dump(mode="json", exclude_none=True)
        self.record(response.get("usage", {}))
        self.cache.put(key, {"request": body, "response": response})
        return response

    async def ask(self, client, body: dict, tools: dict[str, type[BaseModel]]) -> BaseModel | str:
        """The validated answer, re-asking with the error (bounded), or the failure reason."""
        tool = body["tool_choice"]["name"]
        for n in range(self.p.max_reasks + 1):
            try:
                message = await self.call(client, body)
            except BudgetStop:
                return "stopped: max_usd"
            except anthropic.APIStatusError as exc:
                return f"http {exc.status_code}"
            except anthropic.AnthropicError as exc:  # retries used up, or another SDK failure
                return next((r for t, r in REASONS if isinstance(exc, t)), type(exc).__name__)
            try:
                return parse_answer(message, tool, tools)
            except ValueError as exc:
                error = str(exc)
            if n < self.p.max_reasks:
                self.stats.reasks += 1
                body = reask(body, message, error)
        return "malformed tool answer"
