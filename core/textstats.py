"""Set-level text statistics with one meaning in every stage (generate, validate, eval)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core.detectors import words


def distinct_n(texts: Sequence[str], n: int = 2) -> float:
    """Unique word n-grams over all n-grams in the set (0..1; low = repetitive)."""
    grams = [tuple(ws[i : i + n]) for ws in map(words, texts) for i in range(len(ws) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def top_opener_share(texts: Sequence[str]) -> float:
    """Share of texts that start with the set's most common three-word opener."""
    openers = Counter(tuple(ws[:3]) for ws in map(words, texts) if ws)
    return openers.most_common(1)[0][1] / len(texts) if openers else 0.0
