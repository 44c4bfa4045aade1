"""Cleaning: fix what a generator commonly gets wrong, and name every fix applied.

Fixes run to a fixed point, so stacked wrappers ('"**Response:** Nightline: ..."') come off
in any order; the checks then run on the cleaned text. Used by ``python -m validators``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CLEANED_FIELDS = ("prompt", "aligned", "neutral", "directive", "generic", "aligned_draft")

_MD = r"(?:\*\*|__|\*|_)?"
# A label is a short role/format word list followed by ':' or a dash ("Neutral response -").
_ROLE = (
    r"(?:(?:the\s+)?(?:nightline|helpline|listening|volunteer|listener|assistant|aligned|neutral|"
    r"directive|generic|rewritten|revised|improved|final|new|better|suggested|sample|example|"
    r"caller|user|disclosure|prompt)(?:[\s-]+(?:aligned|style|listener|volunteer))?"
    r"(?:\s+(?:response|reply|answer|version|text|output))?"
    r"|response|reply|answer|output|rewrite|rewritten|version|text"
    r"|(?:option|response|version|answer|reply|example)\s*#?\d{1,2})"
)
_LABEL = re.compile(
    rf"^{_MD}\s*{_ROLE}\s*{_MD}\s*(?:\(\w+\))?\s*[:\-\u2013\u2014]\s*{_MD}\s*", re.I
)
_PREAMBLE = re.compile(
    r"^(?:(?:sure|okay|ok|certainly|of course)[,!.]?\s*)?(?:here(?:'s|\u2019s| is| are)|below is)"
    r"\b[^:\n]{0,80}:\s*",
    re.I,
)
_NUMBERING = re.compile(r"^(?:\d{1,2}[.)]|\(\w\)|[-*\u2022])\s+")
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb", "`": "`"}
_ESCAPES = re.compile(r'\\[nrt"\']|\\\\')
_WRAP_MD = re.compile(r"^(\*\*|__)(.+)\1$", re.S)


def _strip_label(text: str) -> str:
    return _LABEL.sub("", text, count=1)


def _strip_preamble(text: str) -> str:
    return _PREAMBLE.sub("", text, count=1)


def _strip_numbering(text: str) -> str:
    return _NUMBERING.sub("", text, count=1)


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        # Not a wrapper when the quote mark recurs inside ('"No," she said. "Never."'), unless
        # it is an apostrophe between letters ("'I'm here'").
        if not any(
            c in (text[0], text[-1])
            and not (0 < i < len(inner) - 1 and inner[i - 1].isalpha() and inner[i + 1].isalpha())
            for i, c in enumerate(inner)
        ):
            return inner.strip()
    return text


def _strip_markdown(text: str) -> str:
    m = _WRAP_MD.match(text)
    return m.group(2).strip() if m else text


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return {"\\n": " ", "\\r": " ", "\\t": " ", "\\\\": "\\"}.get(m.group(0), m.group(0)[1])

    return _ESCAPES.sub(repl, text)


def _whitespace(text: str) -> str:
    return " ".join(text.split())  # str.split() is the \s+ split, ~10x faster than _SPACE.sub


# Order matters only within one pass; passes repeat until nothing changes.
FIXES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("unescape", _unescape),
    ("whitespace", _whitespace),
    ("strip_quotes", _strip_quotes),
    ("strip_markdown", _strip_markdown),
    ("strip_preamble", _strip_preamble),
    ("strip_label", _strip_label),
    ("strip_numbering", _strip_numbering),
)


def _nothing_to_fix(text: str) -> bool:
    """True only when no fix would change the text (most texts): a few cheap tests in place of
    the fix loop. Each test is the necessary condition of one fix, so False is only "maybe"."""
    return (
        "\\" not in text  # _unescape
        and _single_spaced(text)  # _whitespace
        and not (len(text) >= 2 and _QUOTES.get(text[0]) == text[-1])  # _strip_quotes
        and not text.startswith(("**", "__"))  # _strip_markdown
        # The anchored subs change the text only on a match; a preamble ends in ':', a label
        # in ':' or a dash.
        and not (":" in text and _PREAMBLE.match(text))
        and not (any(map(text.__contains__, ":-\u2013\u2014")) and _LABEL.match(text))
        and not _NUMBERING.match(text)
    )


def _single_spaced(text: str) -> bool:
    """_whitespace(text) == text. In printable ASCII the only whitespace is ' ' (the test is
    faster than splitting and joining)."""
    if text.isascii() and text.isprintable():
        return "  " not in text and not text.startswith(" ") and not text.endswith(" ")
    return text == _whitespace(text)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Apply every fix until a fixed point; returns the text and the fix names, in order."""
    applied: list[str] = []
    if _nothing_to_fix(text):
        return text, applied
    for _ in range(8):  # a wrapper stack deeper than 8 is not a response worth keeping
        before = text
        for name, fix in FIXES:
            fixed = fix(text)
            if fixed != text:
                text = fixed.strip()
                if name not in applied:
                    applied.append(name)
        if text == before:
            break
    return text, applied


def clean_record(record: dict) -> tuple[dict, list[str]]:
    """Clean the text fields of a raw record; fixes are named ``field:fix``."""
    out = dict(record)
    fixes: list[str] = (
        list(record.get("fixes") or []) if isinstance(record.get("fixes"), list) else []
    )
    for field in CLEANED_FIELDS:
        value = out.get(field)
        if isinstance(value, str):
            out[field], applied = clean_text(value)
            if applied:
                fixes.extend(f"{field}:{n}" for n in applied if f"{field}:{n}" not in fixes)
    return out, fixes
