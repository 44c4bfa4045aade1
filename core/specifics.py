"""Concrete specifics of a text (names, places, numbers) and those a reply adds to a disclosure:
a listener reflects only what the caller said. Numbers compare by value ("£600" meets "six
hundred pounds"). Stdlib only (and core.degenerate's word list, core.scan), so any stage can
import it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from string import ascii_lowercase

from core.degenerate import english_words  # the vocabulary tells "Jake said" from "Hiding"
from core.scan import blanking, finditer_at, runs

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
_OPENER_ENDS = frozenset(".!?\"'\u201c(:-\u2013\u2014")  # what _SENT_START ends in, bar spaces
_PAIR = re.compile(r"(?:\b(?:you|us|them|those|these)\s|\bthe\s(?=two\sof\b))$", re.I)


_NUMBER_SPLIT = re.compile(r"[\s-]+")


def _apos(text: str) -> str:
    return text if text.isascii() else text.translate(_APOS)  # translate is slow


def words_value(phrase: str) -> int:
    """'six hundred and fifty' -> 650."""
    total = part = 0
    for w in _NUMBER_SPLIT.split(phrase.lower()):
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
_NOT_LETTER = blanking(ascii_lowercase)  # runs(lower, _NOT_LETTER) is _LETTERS.findall(lower)
# Where a NUMBER match can start: a currency sign or a digit, or a word opening with the first
# letter of a number word (re.I, so any case form that NUMBER's re.I accepts is found too).
_DIGIT_START = re.compile(r"[£$€\d]")
_ANY_START = re.compile(rf"[£$€\d]|\b[{''.join(sorted({w[0] for w in _NUMBER_WORDS}))}]", re.I)
_AFTER_LETTER = re.compile(r"[A-Za-z]-?$")  # "M25", "A-1": a code, not a number


def _number_finditer(text: str) -> Iterator[re.Match]:
    """NUMBER.finditer(text), the same matches: one big re.I alternation tried at every offset
    is slow, so it is only tried where a match can start. In ASCII text without a number word
    (the usual disclosure) that is a currency sign or a digit, else `_ANY_START`."""
    lower = text.lower()
    letters = runs(lower, _NOT_LETTER) if lower.isascii() else _LETTERS.findall(lower)
    worded = not _NUMBER_WORDS.isdisjoint(letters)
    if not worded and not _DIGIT.search(text):
        return  # no digit and no number word: NUMBER cannot match (a fast pre-check)
    starts = _DIGIT_START if text.isascii() and not worded else _ANY_START
    yield from finditer_at(NUMBER, text, (m.start() for m in starts.finditer(text)))


def number_matches(text: str) -> Iterator[tuple[re.Match, float]]:
    """Every count, amount, age or time in the text with its value ("one" alone is not one)."""
    for m in _number_finditer(text):
        i, words = m.start(), (m["words"] or "").lower()
        if m["num"] and not _AFTER_LETTER.search(text[max(0, i - 2) : i]):  # not "M25"
            yield m, float(m["num"].replace(",", "")) * (1000 if m["k"] else 1)
        elif m["ord"]:
            yield m, float(ORDINALS[m["ord"].lower()])
        elif words not in ("", "one", "zero") and not (words == "two" and _PAIR.search(text[:i])):
            yield m, float(words_value(words))  # "you two" names a pair of people, not a count


def numbers(text: str) -> set[str]:
    """Numbers as canonical strings: '600', '£600', '3am', whether in digits or words."""
    out = set()
    for m, value in number_matches(_apos(text)):
        cur = m["cur"] or ("$" if "dollar" in (m["unit"] or "") else "£" * bool(m["unit"]))
        out.add(f"{cur}{value:g}{(m['ampm'] or '').lower()}")
    return out


_POSSESSIVE = re.compile(r"(?:'s|s'|')$")
_PRONOUN_I, _SPLIT_AT_I = re.compile(r"I(?:'[a-z]+)?"), re.compile(r"\s\bI(?:'[a-z]+)?\b")
_CAPITALISED, _CAPITAL = re.compile(r"\b[A-Z][a-zA-Z']+"), re.compile("[A-Z]")


def _base(word: str) -> str:
    return _POSSESSIVE.sub("", word) if "'" in word else word  # every ending has an apostrophe


@lru_cache(maxsize=4096)
def _mid_sentence(word: str) -> re.Pattern:
    return re.compile(rf"(?<![.!?]\s)\b{re.escape(word)}\b")


def _looks_named(word: str, text: str) -> bool:
    """A sentence-initial word counts if a date, not an English word or capitalised elsewhere."""
    if (w := _base(word)) in DATES or w.lower() not in english_words():
        return True
    return bool(_mid_sentence(w).search(text[1:]))


def _opens_sentence(text: str, pos: int) -> bool:
    """_SENT_START.search(text[:pos]), faster. Every way it matches ends in whitespace after at
    most two other characters, so only that tail is searched (not the whole prefix); and unless
    the whitespace holds a newline, the last other character is a stop, a quote or a dash."""
    head = text[:pos].rstrip()  # str.isspace is the \s of re
    if head and head[-1] not in _OPENER_ENDS and "\n" not in text[len(head) : pos]:
        return False
    return bool(_SENT_START.search(text, max(0, len(head) - 2), pos))


def _name_starts(text: str) -> Iterator[int]:
    """Where a _NAME match can start: at a capital or at the small letter before it ("eBay")."""
    for cap in _CAPITAL.finditer(text):
        if (pos := cap.start()) and "a" <= text[pos - 1] <= "z":
            yield pos - 1
        yield pos


def names(text: str) -> set[str]:
    """Capitalised names (people, places, brands, months, weekdays), possessive stripped."""
    text, out = _apos(text), set()
    for m in finditer_at(_NAME, text, _name_starts(text)):  # _NAME.finditer, faster
        # "Yesterday I": the pronoun ends a name; only the first word can open a sentence.
        parts = (_SPLIT_AT_I.split(m[0])[0] if "I" in m[0][1:] else m[0]).split()
        first = True  # whether it opens a sentence is asked only when it matters
        while parts and (
            parts[0].lower() in FUNCTION
            or (parts[0][0] == "I" and _PRONOUN_I.fullmatch(parts[0]))
            or (first and _opens_sentence(text, m.start()) and not _looks_named(parts[0], text))
        ):
            parts, first = parts[1:], False
        if parts:
            out.add(" ".join(map(_base, parts)))
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


@lru_cache(maxsize=1024)
def _capitalised(text: str) -> frozenset[str]:
    """The text's capitalised words, lowercased (only needed when a name is not found as is)."""
    return frozenset(_base(w).lower() for w in _CAPITALISED.findall(text))


def _is_run(lower: str, word: str) -> bool:
    """The (alphanumeric) word is one of the \\w+ runs of `lower`: no word character beside it."""
    pos = lower.find(word)
    while pos >= 0:
        end = pos + len(word)
        if (pos == 0 or not (lower[pos - 1].isalnum() or lower[pos - 1] == "_")) and (
            end == len(lower) or not (lower[end].isalnum() or lower[end] == "_")
        ):
            return True
        pos = lower.find(word, pos + 1)
    return False


def _contains(text: str, name: str, lower: str) -> bool:
    """Every word of the name is in the text (any case), or near a capitalised word there.
    A word that is one of the lowercased text's \\w+ runs needs no regex."""
    for w in (_base(w).lower() for w in name.split()):
        found = (w.isalnum() and _is_run(lower, w)) or _word_in(w).search(text)
        if not found and not any(_near(w, c) for c in _capitalised(text)):
            return False
    return True


def missing_specifics(reply: str, disclosure: str) -> list[str]:
    """Specifics of the reply that the disclosure does not contain (sorted); the disclosure's
    own numbers, words and capitals are worked out only when the reply has something to check."""
    disclosure = _apos(disclosure)
    out = []
    if said := numbers(reply):
        have = {_VALUE.sub("", n) for n in numbers(disclosure)} | SERVICE_NUMBERS
        out = [n for n in said if _VALUE.sub("", n) not in have]
    if named := names(reply):
        lower = disclosure.lower()
        out += [n for n in named if not _contains(disclosure, n, lower)]
    return sorted(out)
