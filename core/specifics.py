"""Concrete specifics of a text (names, places, numbers) and those a reply adds to a disclosure:
a listener reflects only what the caller said. Numbers compare by value ("£600" meets "six
hundred pounds"). Stdlib only (and core.degenerate's word list), so any stage can import it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache

from core.degenerate import english_words  # the vocabulary tells "Jake said" from "Hiding"

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'"})
_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
UNITS = {w: i for i, w in enumerate(f"{_UNITS}fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
TENS = {w: 10 * i for i, w in enumerate(_TENS.split(), 2)}
SCALES = {"hundred": 100, "thousand": 1000}
# "First"/"second" are too often not counts ("the first time", "a second"); these always are.
_ORD = "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
ORDINALS = {w: i for i, w in enumerate(_ORD.split(), 3)} | {"twice": 2}
# Always names, even opening a sentence ("May" is left out: there it is more often the verb).
_MONTHS = "January February March April June July August September October November December"
DATES = frozenset(f"{_MONTHS} Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
SERVICE_NUMBERS = frozenset("999 111 112 911 101 116 123".split())  # a listener may offer these
# Capitalised only because they open a sentence: never a name.
FUNCTION = frozenset(
    """a about after all also an and any as at because before both but by each even every everyone
    for from he her here his how i if in it its just last maybe my no nobody not now of oh on once
    one only or our since so some sometimes still that the their then there these they this those
    to we what when where while who why with yes you your""".split()
)
_NUMWORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
_JOIN = r"(?:[\s-]|(?<=hundred)\sand\s|(?<=thousand)\sand\s)"
NUMBER = re.compile(
    r"(?P<cur>[£$€])?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)(?P<k>k\b)?(?P<th>st|nd|rd|th)?"
    r"(?:\s?(?P<ampm>am|pm)\b)?(?:kg|km|mg|ml|lbs?|mph|cm|ft|mins?|hrs?)?(?!\w)"
    rf"|\b(?P<words>(?:{_NUMWORD})(?:{_JOIN}(?:{_NUMWORD}))*)\b"
    rf"(?P<unit>\s(?:pounds|quid|dollars)\b)?|\b(?P<ord>{'|'.join(ORDINALS)})\b",
    re.I,
)
_CAP = r"(?:[A-Z]&[A-Z]|[a-z]?[A-Z][a-zA-Z0-9]*)(?:'s|s')?"
_NAME = re.compile(rf"\b{_CAP}(?:(?:\s|-)(?:of\s|the\s|de\s)?{_CAP})*")
_VALUE = re.compile(r"[£$€]|[ap]m$")  # "£600" and "600", "3am" and "three" are one value
_SENT_START = re.compile(r"(?:^|[.!?]\s+|\n\s*|[\"'\u201c(]\s*|:\s+|\s[-\u2013\u2014]\s)$")
_PAIR = re.compile(r"(?:\b(?:you|us|them|those|these)\s|\bthe\s(?=two\sof\b))$", re.I)


def words_value(phrase: str) -> int:
    """'six hundred and fifty' -> 650."""
    total = part = 0
    for w in re.split(r"[\s-]+", phrase.lower()):
        if w in SCALES:
            part = max(part, 1) * SCALES[w]
            total, part = (total + part, 0) if w == "thousand" else (total, part)
        else:
            part += UNITS.get(w, 0) + TENS.get(w, 0)
    return total + part


def spoken(n: int) -> str:
    """Number words, the inverse of words_value: 650 -> 'six hundred and fifty'."""
    for word, size in (("thousand", 1000), ("hundred", 100)):
        if n >= size:
            rest = n % size
            tail = f" and {spoken(rest)}" if 0 < rest < 100 else f" {spoken(rest)}" * bool(rest)
            return f"{spoken(n // size)} {word}{tail}"
    names = {v: w for w, v in (UNITS | TENS).items()}
    return names.get(n) or f"{names[n - n % 10]}-{names[n % 10]}"


_NUMBER_WORDS = frozenset([*UNITS, *TENS, *SCALES, *ORDINALS])
_LETTERS, _DIGIT = re.compile(r"[a-z]+"), re.compile(r"\d")


def _may_hold_number(text: str) -> bool:
    """False only when NUMBER cannot match: no digit and no number word (a fast pre-check)."""
    return bool(_DIGIT.search(text)) or not _NUMBER_WORDS.isdisjoint(_LETTERS.findall(text.lower()))


def number_matches(text: str) -> Iterator[tuple[re.Match, float]]:
    """Every count, amount, age or time in the text with its value ("one" alone is not one)."""
    if not _may_hold_number(text):
        return
    for m in NUMBER.finditer(text):
        i, words = m.start(), (m["words"] or "").lower()
        if m["num"] and not re.search(r"[A-Za-z]-?$", text[max(0, i - 2) : i]):  # not "M25"
            yield m, float(m["num"].replace(",", "")) * (1000 if m["k"] else 1)
        elif m["ord"]:
            yield m, float(ORDINALS[m["ord"].lower()])
        elif words not in ("", "one", "zero") and not (words == "two" and _PAIR.search(text[:i])):
            yield m, float(words_value(words))  # "you two" names a pair of people, not a count


def numbers(text: str) -> set[str]:
    """Numbers as canonical strings: '600', '£600', '3am', whether in digits or words."""
    out = set()
    for m, value in number_matches(text.translate(_APOS)):
        cur = m["cur"] or ("$" if "dollar" in (m["unit"] or "") else "£" * bool(m["unit"]))
        out.add(f"{cur}{value:g}{(m['ampm'] or '').lower()}")
    return out


def _base(word: str) -> str:
    return re.sub(r"(?:'s|s'|')$", "", word)


def _looks_named(word: str, text: str) -> bool:
    """A sentence-initial word counts if a date, not an English word or capitalised elsewhere."""
    if (w := _base(word)) in DATES or w.lower() not in english_words():
        return True
    return bool(re.search(rf"(?<![.!?]\s)\b{re.escape(w)}\b", text[1:]))


def names(text: str) -> set[str]:
    """Capitalised names (people, places, brands, months, weekdays), possessive stripped."""
    text, out = text.translate(_APOS), set()
    for m in _NAME.finditer(text):
        initial = bool(_SENT_START.search(text[: m.start()]))
        # "Yesterday I": the pronoun ends a name; only the first word can open a sentence.
        parts = re.split(r"\s\bI(?:'[a-z]+)?\b", m[0])[0].split()
        while parts and (
            parts[0].lower() in FUNCTION
            or re.fullmatch(r"I(?:'[a-z]+)?", parts[0])
            or (initial and not _looks_named(parts[0], text))
        ):
            parts, initial = parts[1:], False
        if parts:
            out.add(" ".join(_base(p) for p in parts))
    return out


def specifics(text: str) -> set[str]:
    """The concrete specifics of a text: names, places, institutions, dates, numbers."""
    return names(text) | numbers(text)


def _near(a: str, b: str) -> bool:
    """Two forms of one name: "Monday"/"Mondays", "Canada"/"Canadian", "Afghan"/"Afghanistan"."""
    k, n = min(len(a), len(b)), len(os.path.commonprefix([a, b]))
    return k >= 4 and n >= k - 2 and (abs(len(a) - len(b)) <= 3 or n == k)


@lru_cache(maxsize=1 << 15)
def _word_in(word: str) -> re.Pattern:
    """The word (any case, possessive or plural ending allowed) as a whole word."""
    return re.compile(rf"\b{re.escape(word)}(?:'s|s'|s|')?\b", re.I)


def _contains(capitalised: set[str], text: str, name: str, tokens: frozenset[str]) -> bool:
    """Every word of the name is in the text (any case), or near a capitalised word there.
    `tokens` (the text's lowercased \\w+ runs) answers most lookups without a regex."""
    for w in (_base(w).lower() for w in name.split()):
        found = (w.isalnum() and w in tokens) or _word_in(w).search(text)
        if not found and not any(_near(w, c) for c in capitalised):
            return False
    return True


def missing_specifics(reply: str, disclosure: str) -> list[str]:
    """Specifics of the reply that the disclosure does not contain (sorted)."""
    disclosure = disclosure.translate(_APOS)
    have = {_VALUE.sub("", n) for n in numbers(disclosure)} | SERVICE_NUMBERS
    caps = {_base(w).lower() for w in re.findall(r"\b[A-Z][a-zA-Z']+", disclosure)}
    out = [n for n in numbers(reply) if _VALUE.sub("", n) not in have]
    named = names(reply)
    tokens = frozenset(re.findall(r"\w+", disclosure.lower())) if named else frozenset()
    out += [n for n in named if not _contains(caps, disclosure, n, tokens)]
    return sorted(out)
