"""Exact, faster stand-ins for two regex scans that run on every text of every row.

CPython's re tries a pattern at every offset of the text and builds a match object per token,
which made tokenising and a few searches the bulk of validation. Stdlib only.

- `runs`: the tokens of a character-class pattern (`[a-z]+`) in ASCII text, by bytes.translate
  and str.split instead of findall.
- `finditer_at`: pattern.finditer(text) when the caller knows where a match can start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def blanking(keep: str) -> bytes:
    """A bytes.translate table that turns every byte outside `keep` (ASCII) into a space."""
    return bytes(c if chr(c) in keep else 32 for c in range(256))


def runs(text: str, table: bytes) -> list[str]:
    """The maximal runs of kept characters of an ASCII `text` (`table` from `blanking`): the
    same list as findall of `[kept]+`."""
    return text.encode().translate(table).decode().split()


def finditer_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match]:
    """pattern.finditer(text) for a pattern without empty matches, given (ascending) every
    offset where a match can start; extra offsets do no harm. The pattern is tried only there,
    non-overlapping like finditer (match() sees the text before `pos` as search() does)."""
    end = 0
    for pos in starts:
        if pos >= end and (m := pattern.match(text, pos)):
            yield m
            end = m.end()
