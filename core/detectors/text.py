"""Words, stems and sentences: the tokenisation every detector shares."""

from __future__ import annotations

import re
from functools import lru_cache
from string import ascii_lowercase, digits

from core.detectors.lexicon import table, wordset
from core.scan import blanking, runs

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NOT_WORD = blanking(f"{ascii_lowercase}{digits}'")  # for _find_words
_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# A sentence ends at . ! ? (or a newline); the delimiter is kept so questions can be told apart.
_SENT = re.compile(r"[^.!?\n]+[.!?]*")

STOP = wordset("stop")
# Stock helpline vocabulary and feeling words: a response that uses only these has picked up
# nothing the caller actually said, so they never count as a specific.
STOCK = wordset("stock")
EMOTION = wordset("emotion")
_STEM_RULES = tuple(tuple(r) for r in table("stem_rules"))
# Two-letter words that are never a specific; other two-letter words (GP, PE, ex, A&E's "ae")
# are kept because callers name things that way.
_SHORT_NOISE = wordset("short_noise")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Strip one common English suffix (and a possessive) from a lowercase word."""
    if word.endswith("'s"):
        word = word[:-2]
    for suffix, repl in _STEM_RULES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: len(word) - len(suffix)] + repl
            break
    # Drop a doubled final consonant left by -ing/-ed ("stopped" -> "stopp" -> "stop").
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    # A final y after any other rule, so "kidneys" and "kidney" meet at "kidnei".
    return word[:-1] + "i" if len(word) > 3 and word[-1] == "y" else word


def _apos(text: str) -> str:
    """Curly apostrophes made straight (an ASCII text has none: translate is slow)."""
    return text if text.isascii() else text.translate(_APOS)


def _find_words(text: str) -> list[str]:
    """_WORD.findall(text), several times faster on ASCII text: no match reaches past a run of
    [a-z0-9'], so the runs are the words, except that a run with an apostrophe goes through
    the regex on its own."""
    if not text.isascii():
        return _WORD.findall(text)
    found = runs(text, _NOT_WORD)
    if "'" not in text:
        return found
    return [w for run in found for w in (_WORD.findall(run) if "'" in run else (run,))]


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_find_words(_apos(text).lower()))


@lru_cache(maxsize=8192)
def word_set(text: str) -> frozenset[str]:
    return frozenset(_words(text))  # cached: stock replies recur


def words(text: str) -> list[str]:
    """Lowercase word tokens (apostrophes normalised, so "don't" stays one token)."""
    return list(_words(text))


_STOP_STEMS = frozenset(stem(w) for w in STOP | STOCK | EMOTION)


_NOT_CONTENT = STOP | STOCK | EMOTION | _SHORT_NOISE


@lru_cache(maxsize=65536)
def _content_stem(word: str) -> str | None:
    """The word's stem if it is a content word, else None."""
    if word in _NOT_CONTENT or len(word) < 2:
        return None
    s = stem(word)
    return None if s in _STOP_STEMS else s


@lru_cache(maxsize=65536)
def _content_stems(text: str) -> frozenset[str]:
    out = set(map(_content_stem, _words(text)))
    out.discard(None)
    return frozenset(out)


def content_stems(text: str) -> set[str]:
    """Stems of content words: stop-words, stock helpline phrases and feeling words excluded."""
    return set(_content_stems(text))


def _norm(text: str) -> str:
    if text.isascii() and text.isprintable() and "  " not in text and text.strip(" ") == text:
        return text.lower()  # single-spaced already (printable ASCII has no other whitespace)
    return " ".join(_apos(text).lower().split())


@lru_cache(maxsize=16384)
def _toks(sentence: str) -> frozenset[str]:
    """Words of a sentence, a contraction also under its base ("it'll" -> "it")."""
    ws = _find_words(sentence)
    if "'" not in sentence:
        return frozenset(ws)
    return frozenset(ws).union(w.split("'", 1)[0] for w in ws if "'" in w)


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENT.findall(_norm(text)) if s.strip(" .!?"))


# A restatement turns the caller's "I feel" into "you feel"; compare after the same swap.
_YOU = table("you")


@lru_cache(maxsize=4096)
def _prompt_info(prompt: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Content stems, word set (plain and I->you mapped) and mapped tokens of the prompt."""
    toks = _words(prompt)
    mapped = tuple(map(_YOU.get, toks, toks))
    return _content_stems(prompt), frozenset(toks).union(mapped), mapped
