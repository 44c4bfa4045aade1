"""Offline response composition from the banks, and the detector-based critique and revision."""

from __future__ import annotations

import random
import re

from core import detectors as det
from generators.rewrite import bank, specifics

MONTHS = frozenset(
    "January February March April May June July August September October November December".split()
)  # dates make poor things to reflect
GENERIC_TRIES = 40  # opener x question draws before giving up on a content-free generic


def theme_bank(theme: str) -> dict:
    """The theme's bank; unknown themes fall back to low-mood's feelings and advice."""
    themes = bank("themes")
    return themes.get(theme) or themes["low-mood"]


def noun_phrases(prompt: str, theme: str) -> list[str]:
    """Specifics to pick up: slot specifics first, then the theme's nouns found in the prompt."""
    nps = specifics(prompt)
    low = prompt.lower()
    nps += [
        f"the {n}"
        for n in theme_bank(theme)["nouns"]
        if re.search(rf"\b{re.escape(n.lower())}\b", low)
    ]
    slots = bank("slots")
    for kind, det_ in (("people", "your"), ("things", "the")):
        nps += [
            f"{det_} {w}"
            for w in slots[kind]
            if re.search(rf"\b{re.escape(w)}\b(?!'s)", prompt, re.I) and f"{det_} {w}" not in nps
        ]
    # Capitalised words inside a sentence are names and places the banks may not know.
    for m in re.finditer(r"(?<=[a-z,] )([A-Z][a-z]+(?:[ -][A-Z][a-z]+)*)\b", prompt):
        if m.group(1) not in nps and m.group(1) not in MONTHS:
            nps.append(m.group(1))
    return nps


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def safety_question(theme: str, rng: random.Random) -> str:
    qs = bank("responses")["safety"]
    return rng.choice(qs.get(theme, qs["default"]))


def aligned(prompt: str, theme: str, risk: str, rng: random.Random) -> str:
    """Reflect a feeling and a specific in fresh words, then one open (or a safety) question."""
    r, tb = bank("responses"), theme_bank(theme)
    nps = noun_phrases(prompt, theme) or ["all of this"]
    np = rng.choice(nps[:3])
    feel = rng.choice(tb["feel"])
    first = rng.choice(r["reflections"]).format(np=np, NP=_cap(np), feel=feel)
    second = rng.choice(r["seconds"])
    if risk != "none":
        question = safety_question(theme, rng)
    else:
        other = [n for n in nps if n != np] or [np]
        question = rng.choice(r["questions"]).format(np=rng.choice(other))
    return " ".join(p for p in (first, second, question) if p)


def neutral(theme: str, rng: random.Random) -> str:
    return rng.choice(bank("responses")["neutral"]).format(topic=theme_bank(theme)["topic"])


def directive(prompt: str, theme: str, risk: str, rng: random.Random) -> str:
    """Advice or judgement about the disclosure's situation."""
    r, tb = bank("responses"), theme_bank(theme)
    nps = noun_phrases(prompt, theme) or ["all of this"]
    pool = r["risk_directive"] if risk != "none" else r["directive"]
    return rng.choice(pool).format(adv=rng.choice(tb["advice"]), np=rng.choice(nps[:3]))


def generic(prompt: str, rng: random.Random) -> str | None:
    """A stock opener and question sharing no content word with the disclosure."""
    r = bank("responses")
    banned = det.content_stems(prompt)
    for _ in range(GENERIC_TRIES):
        text = f"{rng.choice(r['generic_openers'])} {rng.choice(r['generic_questions'])}"
        if not det.content_stems(text) & banned:
            return text
    return None


def critique(aligned_text: str, prompt: str, risk: str) -> tuple[str, ...]:
    """The principles an aligned response breaks, as short codes (empty: none)."""
    problems = []
    if det.is_echo(aligned_text, prompt):
        problems.append("echo")
    if not det.picks_up_specific(aligned_text, prompt):
        problems.append("no_specific")
    if det.is_directive(aligned_text):
        problems.append("directive")
    if risk == "none" and not det.has_open_question(aligned_text):
        problems.append("no_open_question")
    if risk != "none" and not det.has_closed_question(aligned_text):
        problems.append("no_safety_question")
    return tuple(problems)


def revise(aligned_text: str, prompt: str, theme: str, risk: str, rng: random.Random) -> str:
    """Rule-based revision: drop advice and parroting, add a reflected specific and a question."""
    sentences = re.findall(r"[^.!?]+[.!?]*", aligned_text)
    kept = [
        s.strip()
        for s in sentences
        if s.strip() and not det.is_directive(s) and not det.is_echo(s, prompt) and "?" not in s
    ]
    nps = noun_phrases(prompt, theme)
    if nps and not det.picks_up_specific(" ".join(kept), prompt):
        np, feel = rng.choice(nps[:3]), rng.choice(theme_bank(theme)["feel"])
        kept.insert(
            0, rng.choice(bank("responses")["reflections"]).format(np=np, NP=_cap(np), feel=feel)
        )
    if risk != "none":
        kept.append(safety_question(theme, rng))
    else:
        q = rng.choice(bank("responses")["questions"])
        kept.append(q.format(np=rng.choice(nps)) if nps else "What has that been like for you?")
    return " ".join(kept)
