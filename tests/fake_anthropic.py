"""A fake Anthropic API on 127.0.0.1: the Messages and Message Batches subset the code uses.

Answers are `tool_use` blocks built from the request, seeded by its hash: a counterfactual
variant of a hand-written seed of the request's risk (and theme, where seeds have it), so a
clean answer passes the quality gates like a good model's would; the "templated" fault answers
from the old phrase banks instead (the gates must reject it, with its reason). Faults are queued per POST /v1/messages, None for a clean answer: "429" (with
retry-after), "529", "500", "hang" (past the client timeout), "drop" (connection closed, no
response), "truncated" (200, JSON body cut off mid-way), "truncated_utf8" (200, cut inside a
multi-byte character), "malformed" (tool input missing fields), "wrong_schema" (wrong tool).
`served` counts what each fault kind was served; POST /v1/messages/count_tokens is counted
apart from the billed endpoints. Usage:

    with FakeAnthropic() as fake:
        fake.faults += ["429", None, "hang"]
        client = anthropic.Anthropic(api_key="sk-test", base_url=fake.url)
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from core.cache import request_key

ROOT = Path(__file__).resolve().parents[1]
RETRYABLE = ("429", "529", "500", "hang", "drop", "truncated", "truncated_utf8")
BAD_ANSWER = ("malformed", "wrong_schema")  # "templated" is a well-formed but poor answer
FAULTS = RETRYABLE + BAD_ANSWER


@functools.cache
def _seeds() -> tuple:
    from generators.ops import read_seeds

    return tuple(read_seeds(ROOT / "data" / "seed")[0])


def good_answer(body: dict, rng: random.Random) -> dict:
    """A variant of a seed of the request's risk (and theme): hand-written quality."""
    from generators.counterfactual import expand

    text = json.dumps(body["messages"])
    if body["tool_choice"]["name"] == "submit_revision":
        return templated_answer(body, rng)
    theme = (re.search(r'(?:Theme: |theme \\")([\w-]+)', text) or [None, "loneliness"])[1]
    risk = (re.search(r"[Rr]isk: (none|low|high)", text) or [None, "none"])[1]
    pool = [s for s in _seeds() if s.risk == risk]
    pool = [s for s in pool if s.theme == theme] or pool
    seed = pool[rng.randrange(len(pool))]
    row = (expand(seed.model_dump(exclude_none=True), 1, rng) or [seed.model_dump()])[0]
    return {k: row[k] for k in ("prompt", "aligned", "neutral", "directive", "generic")}


def templated_answer(body: dict, rng: random.Random) -> dict:
    """Tool input composed from the phrase banks: template-shaped, often off the point."""
    from generators import compose
    from generators.offline import fill_template

    text = json.dumps(body["messages"])
    theme = (re.search(r'(?:Theme: |theme \\")([\w-]+)', text) or [None, "loneliness"])[1]
    risk = (re.search(r"[Rr]isk: (none|low|high)", text) or [None, "none"])[1]
    tool = body["tool_choice"]["name"]
    if tool == "submit_revision":
        prompt = re.search(r"disclosure:\\n(.*?)\\n", text).group(1)
        return {
            "critique": "The draft misses the caller's specifics.",
            "aligned": compose.aligned(prompt, theme, risk, rng),
        }
    prompt = fill_template(rng.choice(compose.theme_bank(theme)["new"]), rng)
    return {
        "prompt": prompt,
        "aligned": compose.aligned(prompt, theme, risk, rng),
        "neutral": compose.neutral(theme, rng),
        "directive": compose.directive(prompt, theme, risk, rng),
        "generic": compose.generic(prompt, rng) or "I'm listening. What's on your mind?",
    }


default_answer = good_answer


def message_for(body: dict, fault: str | None = None, answer=default_answer) -> dict:
    """A Messages API response to body (deterministic per request body)."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    answer = templated_answer if fault == "templated" else answer
    tool_input = answer(body, random.Random(digest))
    name = body["tool_choice"]["name"]
    if fault == "malformed":
        tool_input = {"prompt": tool_input.get("prompt", "")}
    elif fault == "wrong_schema":
        name = "some_other_tool"
    n_in = len(json.dumps(body)) // 4
    return {
        "id": f"msg_{digest[:20]}",
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": [
            {"type": "tool_use", "id": f"toolu_{digest[:20]}", "name": name, "input": tool_input}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": n_in,
            "output_tokens": len(json.dumps(tool_input)) // 4,
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        },
    }


def cut(data: bytes, inside_char: bool) -> bytes:
    """data cut off mid-way, or just after the lead byte of its first multi-byte character."""
    if inside_char:
        return data[: next(i for i, b in enumerate(data) if b >= 0xC0) + 1]
    return data[: len(data) // 2]


class FakeAnthropic:
    def __init__(self, hang_s: float = 3.0, answer=default_answer, delay_s: float = 0.0):
        self.answer = answer  # (request body, rng) -> tool input; tests may add tools of their own
        self.faults: list[str | None] = []  # consumed one per POST /v1/messages; None: no fault
        self.hang_s = hang_s  # how long a "hang" stalls, seconds (past the client timeout)
        self.delay_s = delay_s  # added to every POST /v1/messages, seconds (slows a run down)
        self.counts: dict[str, int] = {}
        self.served: Counter = Counter()  # fault kind -> times served
        self.received: list[str] = []  # request_key of every POST /v1/messages body, in order
        self.answered: Counter = Counter()  # request_key -> complete 200 answers sent
        self.api_keys: set[str] = set()
        self.batches: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requests(self) -> int:
        """Every request received on a billed endpoint (messages, batches)."""
        return sum(n for route, n in self.counts.items() if route != "count_tokens")

    @property
    def token_counts(self) -> int:
        """POST /v1/messages/count_tokens received (free, not in `requests`)."""
        return self.counts.get("count_tokens", 0)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _send(self, status: int, obj, headers: dict | None = None, raw: bytes = b""):
                data = raw or json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return False  # the client gave up (timeout): not answered
                return True

            def _count(self, route: str) -> None:
                with fake.lock:
                    fake.counts[route] = fake.counts.get(route, 0) + 1
                    auth = self.headers.get("authorization", "").removeprefix("Bearer ")
                    fake.api_keys.add(self.headers.get("x-api-key") or auth)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if self.path.startswith("/v1/messages/batches"):
                    self._count("batch_create")
                    bid = f"msgbatch_{len(fake.batches):04d}"
                    fake.batches[bid] = {"requests": body["requests"], "polls": 0}
                    return self._send(200, fake.batch_object(bid))
                if self.path.startswith("/v1/messages/count_tokens"):
                    self._count("count_tokens")
                    return self._send(200, {"input_tokens": len(json.dumps(body)) // 4})
                self._count("messages")
                key = request_key(body)
                with fake.lock:
                    fault = fake.faults.pop(0) if fake.faults else None
                    fake.received.append(key)
                    if fault is not None:
                        fake.served[fault] += 1
                if fake.delay_s:
                    time.sleep(fake.delay_s)
                error = {"type": "error", "error": {"type": "x", "message": f"fault {fault}"}}
                if fault == "429":
                    return self._send(429, error, {"retry-after": "0.05"})
                if fault in ("529", "500"):
                    return self._send(int(fault), error)
                if fault == "drop":
                    self.close_connection = True
                    return None
                if fault == "hang":
                    time.sleep(fake.hang_s)
                message = message_for(body, fault, fake.answer)
                if fault in ("truncated", "truncated_utf8"):
                    tool_input = message["content"][0]["input"]
                    tool_input["prompt"] = "\u2019" + tool_input.get("prompt", "")  # a 3-byte char
                    data = json.dumps(message, ensure_ascii=False).encode()
                    return self._send(200, None, raw=cut(data, fault == "truncated_utf8"))
                if self._send(200, message) and fault != "hang":
                    with fake.lock:
                        fake.answered[key] += 1

            def do_GET(self):
                m = re.match(r"/v1/messages/batches/([\w-]+)(/results)?$", self.path.split("?")[0])
                if not m or m.group(1) not in fake.batches:
                    return self._send(
                        404,
                        {
                            "type": "error",
                            "error": {"type": "not_found_error", "message": "no batch"},
                        },
                    )
                bid = m.group(1)
                if m.group(2):
                    self._count("batch_results")
                    lines = [
                        json.dumps(
                            {
                                "custom_id": r["custom_id"],
                                "result": {
                                    "type": "succeeded",
                                    "message": message_for(r["params"], None, fake.answer),
                                },
                            }
                        )
                        for r in fake.batches[bid]["requests"]
                    ]
                    return self._send(200, None, raw=("\n".join(lines) + "\n").encode())
                self._count("batch_retrieve")
                fake.batches[bid]["polls"] += 1
                return self._send(200, fake.batch_object(bid))

        return Handler

    def batch_object(self, bid: str) -> dict:
        """In progress on the first poll, ended afterwards (exercises the polling loop)."""
        b = self.batches[bid]
        ended = b["polls"] >= 2
        n = len(b["requests"])
        return {
            "id": bid,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": n if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2025-01-01T00:00:00Z",
            "expires_at": "2025-01-02T00:00:00Z",
            "ended_at": "2025-01-01T01:00:00Z" if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.url}/v1/messages/batches/{bid}/results" if ended else None,
        }

    def __enter__(self) -> FakeAnthropic:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
