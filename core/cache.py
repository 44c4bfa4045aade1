"""Persistent content-addressed cache of API exchanges: one JSON file per request, atomic writes.

The key is the sha256 of the request body (model, parameters, system, messages, tools); the
API key is never part of a request body, so it never reaches the cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from core.jsonl import atomic_write_text

# The field every entry of a kind must hold; an entry without it is torn or foreign: a miss.
REQUIRED = {"messages": "response", "batches": "batch_id", "tokens": "input_tokens"}


def request_key(body: dict) -> str:
    """sha256 hex of the canonical JSON of a request body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Cache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str, kind: str = "messages") -> Path:
        return self.root / kind / key[:2] / f"{key}.json"

    def get(self, key: str, kind: str = "messages") -> dict | None:
        """The stored entry, or None; a torn, unreadable or wrongly shaped file counts as a miss."""
        try:
            entry = json.loads(self._path(key, kind).read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError):  # ValueError: bad JSON or bad UTF-8
            return None
        need = REQUIRED.get(kind)
        return entry if isinstance(entry, dict) and (need is None or need in entry) else None

    def put(self, key: str, entry: dict, kind: str = "messages") -> None:
        """Write tmp + os.replace, so Ctrl-C leaves either the old state or the new entry."""
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (e.g. "\\ud83d" in a body): keep it escaped
            text = json.dumps(entry, sort_keys=True)
        atomic_write_text(self._path(key, kind), text)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None
