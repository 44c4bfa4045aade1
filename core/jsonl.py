"""JSONL I/O shared by every stage. Reading never raises on content: each non-blank line yields
one tuple, a parsed object or a BadLine (``file:line: field: problem``). Writes are atomic."""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

MAX_DEPTH = 64  # deeper lines are rejected before parsing (json would hit RecursionError)
RAW_CAP = 2000  # characters of a bad line kept in BadLine.raw
_BOM = b"\xef\xbb\xbf"
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins valid pairs, so any left is lone


@dataclass(frozen=True)
class BadLine:
    path: str
    line: int
    field: str
    problem: str
    raw: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.problem}"


class InputMissing(Exception):
    """The input path does not exist, is not a file, or cannot be opened."""


def _safe(text: str, cap: int | None = RAW_CAP) -> str:  # UTF-8-encodable, capped at cap chars
    if cap is not None and len(text) > cap:
        text = f"{text[:cap]}... [{len(text) - cap} more chars]"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    steps = (1 if b in "[{" else -1 for b in _BRACKET.findall(_STRING.sub('""', text)))
    return max(accumulate(steps), default=0) > MAX_DEPTH


def _surrogate_field(obj: Any, where: str = "") -> str | None:
    """Path (a.b.0) of the first key or string holding a lone surrogate, or None."""
    if isinstance(obj, str):
        return (where or "<record>") if _SURROGATE.search(obj) else None
    if isinstance(obj, list):
        obj = dict(enumerate(obj))
    for key, value in obj.items() if isinstance(obj, dict) else ():
        sub = f"{where}.{key}" if where else str(key)
        if _SURROGATE.search(str(key)) or (sub := _surrogate_field(value, sub)) is not None:
            return sub
    return None


def _parse(path: str, lineno: int, data: bytes) -> tuple[dict | None, BadLine | None]:
    def reject(field: str, problem: str, raw: str) -> tuple[None, BadLine]:
        return None, BadLine(path, lineno, field, problem, _safe(raw))

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raw = data.decode("utf-8", "backslashreplace")  # invalid bytes shown as \xff
        return reject("<utf-8>", f"invalid UTF-8 at byte offset {exc.start} of the line", raw)
    if _too_deep(text):
        return reject("<json>", f"nested too deep (over {MAX_DEPTH} levels)", text)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return reject("<json>", f"{exc.msg} (column {exc.colno})", text)
    except (ValueError, RecursionError) as exc:  # e.g. an int over sys.get_int_max_str_digits()
        return reject("<json>", str(exc), text)
    if not isinstance(obj, dict):
        return reject("<record>", f"not a JSON object ({type(obj).__name__})", text)
    if "\\u" in text and (field := _surrogate_field(obj)) is not None:
        return reject(_safe(field, None), "lone surrogate escape (not encodable as UTF-8)", text)
    return obj, None


def _lines(path: str) -> Iterator[tuple[int, dict | None, BadLine | None]]:
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise InputMissing(f"{path}: cannot open: {exc.strerror or exc}") from None
    with fh:
        # binary iteration splits on b"\n" only: a lone CR stays inside its line
        for lineno, data in enumerate(fh, start=1):
            data = data.removeprefix(_BOM) if lineno == 1 else data
            data = data.removesuffix(b"\n").removesuffix(b"\r")
            if data.strip():  # blank = only ASCII whitespace
                yield (lineno, *_parse(path, lineno, data))


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict | None, BadLine | None]]:
    """(line, object or None, BadLine or None) per non-blank line, 1-based; or InputMissing."""
    path = str(path)
    if not os.path.isfile(path):
        raise InputMissing(f"{path}: {'not a file' if os.path.exists(path) else 'no such file'}")
    return _lines(path)


@contextmanager
def _atomic_open(path: str | Path, binary: bool = False) -> Iterator[IO]:
    """A handle on a temp file beside path, renamed over path only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    # not mkstemp (0600): 0o666 gets the umask applied like open(), no process-wide umask change
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, **mode) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Binary twin of atomic_write_text (plots, images)."""
    with _atomic_open(path, binary=True) as fh:
        fh.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write text to path via a temporary file in the same folder and an atomic rename."""
    with _atomic_open(path) as fh:
        fh.write(text)


def write_jsonl(path: str | Path, rows: Iterable[Any]) -> int:
    """Atomically write rows (dicts or pydantic models) as JSONL; returns the row count."""
    n = 0
    with _atomic_open(path) as fh:
        for row in rows:
            obj = row.model_dump(exclude_none=True) if hasattr(row, "model_dump") else row
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_json(path: str | Path, obj: object) -> None:
    atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
