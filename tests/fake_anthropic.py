"""A fake Anthropic API on 127.0.0.1: the Messages and Message Batches subset the code uses.

Answers are `tool_use` blocks built from the request (offline banks, seeded by the request
hash). Faults are queued per POST /v1/messages: "429", "529", "500", "hang", "malformed"
(tool input missing fields), "wrong_schema" (wrong tool name). Usage:

    with FakeAnthropic() as fake:
        fake.faults += ["429", "hang"]
        client = anthropic.Anthropic(api_key="sk-test", base_url=fake.url)
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def default_answer(body: dict, rng: random.Random) -> dict:
    """Tool input for the requested tool, written from the request's theme and risk."""
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


def message_for(body: dict, fault: str | None = None, answer=default_answer) -> dict:
    """A Messages API response to body (deterministic per request body)."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
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


class FakeAnthropic:
    def __init__(self, hang_s: float = 3.0, answer=default_answer):
        self.answer = answer  # (request body, rng) -> tool input; tests may add tools of their own
        self.faults: list[str] = []  # consumed one per POST /v1/messages
        self.hang_s = hang_s  # how long a "hang" stalls, seconds (past the client timeout)
        self.counts: dict[str, int] = {}
        self.api_keys: set[str] = set()
        self.batches: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requests(self) -> int:
        """Every request received, any endpoint."""
        return sum(self.counts.values())

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
                except (BrokenPipeError, ConnectionResetError):
                    pass

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
                self._count("messages")
                with fake.lock:
                    fault = fake.faults.pop(0) if fake.faults else None
                error = {"type": "error", "error": {"type": "x", "message": f"fault {fault}"}}
                if fault == "429":
                    return self._send(429, error, {"retry-after": "0.05"})
                if fault in ("529", "500"):
                    return self._send(int(fault), error)
                if fault == "hang":
                    time.sleep(fake.hang_s)
                return self._send(200, message_for(body, fault, fake.answer))

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
