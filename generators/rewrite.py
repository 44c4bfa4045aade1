"""Offline disclosure rewriting: swap specifics by slot, synonyms, contractions, context clauses.

Also finds a disclosure's specifics and names them in the listener's words ("my sister" ->
"your sister"), which the response composer needs.
"""

from __future__ import annotations

import random
import re
from functools import cache
from pathlib import Path

import yaml

BANKS = Path(__file__).parent / "banks"
MAX_PROMPT_WORDS = 90  # the writing rules' upper bound for a disclosure


@cache
def bank(name: str) -> dict:
    """A YAML bank from generators/banks/."""
    return yaml.safe_load((BANKS / f"{name}.yaml").read_text(encoding="utf-8"))


def _alt(items) -> str:
    return "|".join(re.escape(i) for i in sorted(items, key=len, reverse=True))


@cache
def _slot_classes() -> list[tuple[str, list[str], re.Pattern]]:
    """(class name, members, pattern) for every swappable class, longest match first."""
    s = bank("slots")
    out = [
        (f"rel:{g}", m, re.compile(rf"(?<=\b[Mm]y )({_alt(m)})\b"))
        for g, m in s["relations"].items()
    ]
    out += [(f"name:{g}", m, re.compile(rf"\b({_alt(m)})\b")) for g, m in s["names"].items()]
    out += [(f"place:{c}", m, re.compile(rf"\b({_alt(m)})\b")) for c, m in s["places"].items()]
    out.append(("day", s["days"], re.compile(rf"\b({_alt(s['days'])})\b")))
    # Not inside compounds: "six-pack" is not a count.
    out.append(("number", s["numbers"], re.compile(rf"\b({_alt(s['numbers'])})\b(?!-)")))
    return out


def swap_slots(text: str, rng: random.Random) -> tuple[str, int]:
    """Replace specifics with others of the same class, consistently; returns (text, swaps)."""
    swaps = 0
    for _cls, members, rx in _slot_classes():
        found = sorted(set(rx.findall(text)))
        if not found or rng.random() < 0.15:  # sometimes keep a class as it was
            continue
        pool = [m for m in members if m not in found]
        rng.shuffle(pool)
        mapping = dict(zip(found, pool, strict=False))
        text = rx.sub(lambda m, mp=mapping: mp.get(m.group(1), m.group(1)), text)
        swaps += len(mapping)
    digits = re.compile(r"\b(\d{1,3})(am|pm)?\b")

    def new_number(m: re.Match) -> str:
        n = int(m.group(1))
        if m.group(2):  # a clock hour stays on the clock
            return f"{(n + rng.choice([1, 2, 3, 10, 11]) - 1) % 12 + 1}{m.group(2)}"
        return str(max(1, n + rng.choice([-2, -1, 1, 2, 3])))

    text, n_digits = digits.subn(new_number, text)
    return text, swaps + n_digits


def _case_like(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def reword(text: str, rng: random.Random) -> str:
    """Synonym swaps (each with probability 1/2) and one contraction direction for the text."""
    for key, options in bank("slots")["synonyms"].items():
        rx = re.compile(rf"\b{re.escape(key)}\b", re.I)
        text = rx.sub(
            lambda m, o=options: (
                _case_like(rng.choice(o), m.group(0)) if rng.random() < 0.5 else m.group(0)
            ),
            text,
        )
    pairs = bank("slots")["contractions"].items()
    contract = rng.random() < 0.5
    for full, short in pairs:
        src, dst = (full, short) if contract else (short, full)
        text = re.sub(
            rf"\b{re.escape(src)}\b", lambda m, d=dst: _case_like(d, m.group(0)), text, flags=re.I
        )
    return text


def _fill(clause: str, rng: random.Random) -> str:
    s = bank("slots")
    return clause.format(
        age=rng.choice(s["ages"]), number=rng.choice(s["numbers"]), time=rng.choice(s["times"])
    )


def _lower_start(text: str) -> str:
    first = text.split(" ", 1)[0].strip(",.")
    proper = ("name", "day", "place:city")
    keep = first in {"I", "I'm", "I've", "I'd", "I'll"} or any(
        first in m for c, m, _rx in _slot_classes() if c.startswith(proper)
    )
    return text if keep else text[:1].lower() + text[1:]


def restructure(text: str, rng: random.Random) -> str:
    """Add an opening and/or closing context clause, or merge the first two sentences."""
    s = bank("slots")
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) >= 2 and sentences[0].endswith(".") and rng.random() < 0.35:
        sentences[:2] = [sentences[0][:-1] + ", and " + _lower_start(sentences[1])]
    text = " ".join(sentences)
    roll = rng.random()
    if roll < 0.7:
        opener = _fill(rng.choice(s["openers"]), rng)
        text = f"{opener} {_lower_start(text)}" if opener.endswith("but") else f"{opener} {text}"
    if roll > 0.4:
        text = f"{text} {_fill(rng.choice(s['closers']), rng)}"
    return text


def paraphrase(text: str, rng: random.Random) -> str:
    """A rewritten disclosure with new specifics, new wording and a new frame."""
    new, _swaps = swap_slots(text, rng)
    new = restructure(reword(new, rng), rng)
    if len(new.split()) > MAX_PROMPT_WORDS:  # frame clauses are optional; drop them first
        new = reword(swap_slots(text, rng)[0], rng)
    return new


def specifics(text: str) -> list[str]:
    """The disclosure's specifics in the listener's words, most personal first."""
    found: list[tuple[int, int, str]] = []
    order = {"rel": 0, "name": 1, "place": 2, "day": 4, "number": 9}
    for cls, _m, rx in _slot_classes():
        kind, _, sub = cls.partition(":")
        for m in rx.finditer(text):
            word = m.group(1)
            if kind == "rel":
                np = f"your {word}"
            elif kind == "place" and sub in ("pet", "device"):
                np = f"your {word}"
            elif kind == "place" and sub not in ("city", "school"):
                np = word if word.startswith("the ") else f"the {word}"
            elif kind == "number":
                continue  # a bare number makes a poor noun phrase
            else:
                np = word
            vivid = kind == "place" and sub in ("exam", "event", "party", "pet")
            rank = 3 if vivid else order[kind]
            found.append((rank, m.start(), np))
    seen: list[str] = []
    for _r, _pos, np in sorted(found):
        if np not in seen:
            seen.append(np)
    return seen
