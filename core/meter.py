"""Counters for the stage metrics, and the SDK middleware that fills them once per HTTP attempt.

Meter runs inside the SDK's retry loop: it counts every attempt, retry and fault, caps a
server-asked wait, and makes a 200 whose body does not parse a retryable fault.
"""

from __future__ import annotations

from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field

import anthropic

MAX_WAIT_S = 60.0  # longest server-asked wait between retries honoured, seconds


@dataclass
class Stats:
    """Counters reported in the stage metrics."""

    requests: int = 0  # billed HTTP attempts (messages, batch create), retries included
    token_count_requests: int = 0  # messages.count_tokens attempts (free), retries included
    cache_hits: int = 0
    retries: int = 0  # attempts the SDK re-sent after a fault, any endpoint
    reasks: int = 0
    faults: Counter = field(default_factory=Counter)  # failed attempts by cause, retried or not
    failures: Counter = field(default_factory=Counter)  # jobs ended without an answer, by reason
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    usd: float = 0.0
    stopped_by_budget: bool = False

    def as_dict(self) -> dict:
        out = {
            k: dict(sorted(v.items())) if isinstance(v, Counter) else v
            for k, v in vars(self).items()
        }
        return {**out, "usd": round(self.usd, 6)}


def cap_retry_after(headers) -> None:
    """Clamp retry-after(-ms) to MAX_WAIT_S in place (the SDK would wait up to ~50 days)."""
    for name, cap in (("retry-after-ms", 1000 * MAX_WAIT_S), ("retry-after", MAX_WAIT_S)):
        with suppress(ValueError):  # absent, or an HTTP date (left to the SDK)
            if float(headers.get(name, "")) > cap:
                headers[name] = str(int(cap))


class Meter(anthropic.Middleware):
    """Runs inside the SDK's retry loop, once per HTTP attempt: counts attempts, retries and
    faults for the metrics, and makes a 200 whose body does not parse a retryable fault."""

    def __init__(self, stats: Stats):
        self.stats = stats

    async def handle_async(self, request: anthropic.APIRequest, call_next):
        s = self.stats
        if request.url.split("?")[0].endswith("/count_tokens"):
            s.token_count_requests += 1
        elif request.method.lower() == "post":
            s.requests += 1
        if request.retries_taken:
            s.retries += 1
        try:
            response = await call_next(request)
        except anthropic.APIConnectionError as exc:  # a timeout, a dropped or refused connection
            s.faults["timeout" if isinstance(exc, anthropic.APITimeoutError) else "connection"] += 1
            raise
        if response.status_code >= 400:
            s.faults[f"http {response.status_code}"] += 1  # the SDK retries 408/409/429/5xx
            cap_retry_after(response.http_response.headers)
            return response
        if not request.stream:
            # The SDK parses after its retry loop, where a cut-off body (JSONDecodeError, or
            # UnicodeDecodeError inside a character) ends the run; here (result kept) it retries.
            try:
                await response.parse()
            except (ValueError, TypeError) as exc:
                s.faults["bad body"] += 1
                raise anthropic.RetryableError("response body does not parse") from exc
        return response
