"""Degenerate-text checks: empty, repeating, garbled, non-word or never-ending replies.

Each check is a pure function of the text; `degenerate_reasons` returns the codes that fire,
so a broken model's word salad cannot score as a better listener.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("english_words.txt")

REASONS = (
    "empty",
    "repeated_4gram",
    "repeated_sentence",
    "word_run",
    "bad_chars",
    "non_words",
    "truncated",
)

NGRAM, NGRAM_REPEATS = 4, 3  # a word 4-gram seen three times
RUN = 3  # the same word three times in a row
SENTENCE_MIN_WORDS = 2  # "No. No." is emphasis, not a loop; shorter sentences never count
NON_WORD_SHARE = 0.4  # above this share of checkable tokens outside the vocabulary
NON_WORD_MIN_TOKENS = 4  # fewer checkable tokens than this: too little to judge

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_SENTENCE_SPLIT = re.compile(r"[.!?…]+|\n+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\Z")
# C0/C1 controls except \t \n \r, DEL, U+FFFD, noncharacters, private use, lone surrogates.
_BAD_CHAR = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff\ue000-\uf8ff\ud800-\udfff]"
)
# UTF-8 read as cp1252/latin-1: a lead byte shown as Â Ã â ð, then a continuation byte.
_CP1252_CONT = "\xa0-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE = re.compile(f"[ÂÃâð][{_CP1252_CONT}]")


@cache
def english_words() -> frozenset[str]:
    """The vocabulary: english_words.txt beside this module (loaded once, ~15 ms)."""
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w and not w.startswith("#"))


def _normalise(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _tokens(text: str) -> list[str]:
    return _WORD.findall(_normalise(text))


def _is_word(token: str, vocab: frozenset[str]) -> bool | None:
    """True/False for a checkable token; None for names, numbers and non-Latin script."""
    if token[0].isupper() or not token.isascii() or any(c.isdigit() for c in token):
        return None
    if token in vocab:
        return True
    head, _, tail = token.partition("'")  # mum's, haven't, they'd: judge the head
    return bool(tail) and (head in vocab or (tail == "t" and head[:-1] in vocab))


def has_repeated_ngram(words: list[str], n: int = NGRAM, times: int = NGRAM_REPEATS) -> bool:
    grams = Counter(zip(*(words[i:] for i in range(n)), strict=False))
    return bool(grams) and max(grams.values()) >= times


def has_word_run(words: list[str], run: int = RUN) -> bool:
    streak = 1
    for prev, word in zip(words, words[1:], strict=False):
        streak = streak + 1 if word == prev else 1
        if streak >= run:
            return True
    return False


def has_repeated_sentence(text: str) -> bool:
    seen: set[str] = set()
    for part in _SENTENCE_SPLIT.split(text):
        words = _tokens(part.lower())
        if len(words) < SENTENCE_MIN_WORDS:
            continue
        key = " ".join(words)
        if key in seen:
            return True
        seen.add(key)
    return False


def has_bad_chars(text: str) -> bool:
    return bool(_BAD_CHAR.search(text) or _MOJIBAKE.search(text))


def non_word_share(tokens: list[str]) -> tuple[float, int]:
    """Share of checkable tokens outside the vocabulary, and how many were checkable."""
    vocab = english_words()
    verdicts = [v for v in (_is_word(t, vocab) for t in tokens) if v is not None]
    if not verdicts:
        return 0.0, 0
    return verdicts.count(False) / len(verdicts), len(verdicts)


def is_truncated(text: str, hit_max_tokens: bool) -> bool:
    """Generation stopped at the token limit and the text does not end at a sentence end."""
    return hit_max_tokens and not _SENTENCE_END.search(text.rstrip())


def degenerate_reasons(text: str, *, hit_max_tokens: bool = False) -> list[str]:
    """Reason codes (from REASONS, in that order) that this reply is degenerate; [] if fine."""
    tokens = _tokens(text)
    lower = [t.lower() for t in tokens]
    share, n = non_word_share(tokens)
    found = {
        "empty": not tokens,
        "repeated_4gram": has_repeated_ngram(lower),
        "repeated_sentence": has_repeated_sentence(text),
        "word_run": has_word_run(lower),
        "bad_chars": has_bad_chars(text),
        "non_words": n >= NON_WORD_MIN_TOKENS and share > NON_WORD_SHARE,
        "truncated": is_truncated(text, hit_max_tokens),
    }
    return [r for r in REASONS if found[r]]


def is_degenerate(text: str, *, hit_max_tokens: bool = False) -> bool:
    return bool(degenerate_reasons(text, hit_max_tokens=hit_max_tokens))
