"""Row checks: each is a small function of a cleaned Triple returning Reasons (empty: passes).

The listening checks call ``core.detectors``, the same code the evaluation scores with.
Used by ``python -m validators``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core import detectors as det
from core.detectors.text import word_set
from core.schema import RESPONSE_FIELDS, Triple
from core.specifics import missing_specifics

TEXT_FIELDS = ("prompt", *RESPONSE_FIELDS)
NEAR_IDENTICAL = 0.8  # Jaccard of word sets above which two responses count as the same one

_PLACEHOLDER = re.compile(
    r"\[[^\]\n]{1,40}\]|<[A-Za-z_ ]{2,30}>|\{\{?[A-Za-z_ ]{1,30}\}\}?|\bX{3,}\b|\bTODO\b|\bTBD\b"
    r"|\blorem ipsum\b|\binsert (?:name|here)\b",
    re.I,
)
_ASSISTANT = re.compile(
    r"\bas an ai\b|\bas a (?:large )?language model\b|\bi'?m (?:just |only )?(?:an ai|a (?:large )?"
    r"language model|a chatbot|an assistant)\b|\bi (?:cannot|can't|am unable to|am not able to)"
    r" (?:provide|offer|give)\b|\bas a helpful assistant\b|\bi'?m not a (?:therapist|doctor|"
    r"professional|counsell?or)\b|\bopenai\b|\bchatgpt\b|\bclaude\b",
    re.I,
)
_PH_WORDS = frozenset("todo tbd lorem insert".split())
_AI_HINT = frozenset(
    "ai model chatbot assistant provide offer give openai chatgpt claude therapist doctor "
    "professional counsellor counselor".split()
)
# Mojibake of UTF-8 read as cp1252/latin-1, the replacement character, and control characters.
_GARBAGE = re.compile(
    "\u00e2\u20ac|\u00c3[\u0080-\u00bf]|\u00c2[\u00a0-\u00bf]|\ufffd|[\x00-\x08\x0b-\x1f\x7f]"
)


@dataclass(frozen=True)
class Reason:
    field: str
    code: str
    detail: str

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "detail": self.detail}  # asdict is slow


def _texts(t: Triple) -> list[tuple[str, str]]:
    return [(f, getattr(t, f)) for f in TEXT_FIELDS if getattr(t, f) is not None]


def _non_directive(field: str):
    """Check: `field` gives no advice or judgement (reason `<field>_directive`)."""

    def check(t: Triple) -> Reason | None:
        hit = det.directive_sentence(getattr(t, field))
        return Reason(field, f"{field}_directive", f"advice or judgement: {hit!r}") if hit else None

    check.__name__ = f"{field}_non_directive"
    return check


aligned_non_directive = _non_directive("aligned")
neutral_non_directive = _non_directive("neutral")


def aligned_listens(t: Triple) -> Reason | None:
    if det.is_reflection(t.aligned, t.prompt) or det.has_open_question(t.aligned):
        return None
    return Reason("aligned", "aligned_not_listening", "neither reflects nor asks an open question")


def aligned_one_open_question(t: Triple) -> Reason | None:
    n = det.open_question_count(t.aligned)
    return Reason("aligned", "aligned_question_stack", f"{n} open questions") if n > 1 else None


def aligned_not_echo(t: Triple) -> Reason | None:
    if det.is_echo(t.aligned, t.prompt):
        return Reason("aligned", "aligned_echo", "copies the disclosure (6+ words or most of it)")
    return None


def aligned_specific(t: Triple) -> Reason | None:
    if det.picks_up_specific(t.aligned, t.prompt):
        return None
    return Reason("aligned", "aligned_no_specific", "picks up no specific of the disclosure")


def aligned_safety(t: Triple) -> Reason | None:
    """Risk disclosed: ask directly about safety; imminent danger (high): as the first question."""
    if t.risk == "none":
        return None
    asked = det.safety_question(t.aligned)
    if asked is None:
        return Reason("aligned", "risk_no_safety_question", f"risk={t.risk} but no safety question")
    if t.risk == "high" and det.questions(t.aligned)[0] != asked:
        return Reason("aligned", "risk_safety_not_first", "risk=high: safety question not first")
    return None


def directive_directs(t: Triple) -> Reason | None:
    if det.is_directive(t.directive):
        return None
    return Reason("directive", "directive_not_directive", "gives no advice or judgement")


def echo_echoes(t: Triple) -> Reason | None:
    if t.echo is None or det.is_echo(t.echo, t.prompt):
        return None
    return Reason("echo", "echo_not_echo", "does not copy the disclosure back")


def generic_generic(t: Triple) -> Reason | None:
    if t.generic is None:
        return None
    if hit := det.directive_sentence(t.generic):
        return Reason("generic", "generic_directive", f"advice or judgement: {hit!r}")
    picked = det.content_stems(t.generic) & det.content_stems(t.prompt)
    if picked:
        return Reason("generic", "generic_specific", f"picks up {sorted(picked)}")
    return None


def responses_differ(t: Triple) -> list[Reason]:
    seen: list[tuple[str, frozenset[str]]] = []
    out = []
    for field in RESPONSE_FIELDS:
        text = getattr(t, field)
        if text is None:
            continue
        bag = word_set(text)
        for other, other_bag in seen:
            shared = len(bag & other_bag)  # the union's size follows; no second set is built
            jac = shared / max(1, len(bag) + len(other_bag) - shared)
            if jac >= NEAR_IDENTICAL:
                code = "responses_identical" if jac == 1.0 else "responses_near_identical"
                out.append(Reason(field, code, f"same as {other} (word Jaccard {jac:.2f})"))
                break
        seen.append((field, bag))
    return out


def surface(t: Triple, min_words: int, max_words: int) -> list[Reason]:
    """Length bounds, placeholders, assistant-isms and encoding garbage on every text field."""
    out = []
    for field, text in _texts(t):
        toks = det._words(text)  # cached tuple, shared with the detectors
        bag = toks if field == "prompt" else word_set(text)  # set tests take the smaller side
        n = len(toks)
        # An echo hands the whole disclosure back, so only the prompt's own bound applies to it.
        if n < min_words or (n > max_words and field != "echo"):
            code = "too_short" if n < min_words else "too_long"
            out.append(Reason(field, code, f"{n} words, bounds {min_words}..{max_words}"))
        # Cheap prefilters first: these regexes are the slowest part of a row otherwise.
        hint = "[" in text or "<" in text or "{" in text or not _PH_WORDS.isdisjoint(bag)
        hint = hint or (("x" in text or "X" in text) and "xxx" in text.lower())
        if hint and (m := _PLACEHOLDER.search(text)):
            out.append(Reason(field, "placeholder", f"placeholder {m.group(0)!r}"))
        if field != "prompt" and not _AI_HINT.isdisjoint(bag) and (m := _ASSISTANT.search(text)):
            out.append(Reason(field, "assistant_ism", f"assistant-ism {m.group(0)!r}"))
        if not (text.isascii() and text.isprintable()) and (m := _GARBAGE.search(text)):
            out.append(Reason(field, "encoding", f"encoding garbage {m.group(0)!r}"))
    return out


def aligned_specific_enough(t: Triple, floor: float) -> Reason | None:
    s = det.specificity(t.aligned, t.prompt)
    if s >= floor:
        return None
    return Reason("aligned", "aligned_low_specificity", f"specificity {s:.2f} < {floor}")


def aligned_not_formulaic(t: Triple, floor: float) -> Reason | None:
    s = det.content_share(t.aligned)
    if s >= floor:
        return None
    return Reason("aligned", "aligned_formulaic", f"content-word share {s:.2f} < {floor}")


def aligned_no_hallucinated_specific(t: Triple) -> Reason | None:
    missing = missing_specifics(t.aligned, t.prompt)
    if not missing:
        return None
    return Reason("aligned", "hallucinated_specific", f"not in the disclosure: {missing}")


# A state said to have lasted N weeks ("it's been like this for ten weeks") beside another time
# frame for the same story (an event happening "just now", "since last year", "four months"):
# the phrase-bank splice of two disclosures.
_NOW = re.compile(r"\b(?:just now|right now|this minute|i(?:'ve| have) just)\b", re.I)
_LASTING = re.compile(
    r"\b(?:it's been|it has been|this has been|i've been like this|has been going on)"
    r"(?: like this| going on| happening)? (?:for|since) (?:about |nearly |almost |over )?"
    r"(?:\w+ )?(?:weeks|months|years)\b",
    re.I,
)
_FRAME = re.compile(
    r"\b(?:last (?:year|month|week)|ever since|since (?:i was|last|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|christmas|easter|the)|"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|several) "
    r"(?:days?|weeks?|months?|years?))\b",
    re.I,
)


def coherent_prompt(t: Triple) -> Reason | None:
    # "been" is in every _LASTING phrase, and the regex is slow.
    m = _LASTING.search(t.prompt) if "been" in t.prompt.lower() else None
    if m is None:
        return None
    rest = t.prompt[: m.start()] + t.prompt[m.end() :]
    if (other := _NOW.search(rest) or _FRAME.search(rest)) is not None:
        return Reason("prompt", "incoherent_time_frame", f"{other.group(0)!r} yet {m.group(0)!r}")
    return None


ROW_CHECKS: tuple[Callable[[Triple], Reason | None], ...] = (
    aligned_non_directive,
    aligned_listens,
    aligned_one_open_question,
    aligned_not_echo,
    aligned_specific,
    aligned_safety,
    aligned_no_hallucinated_specific,
    coherent_prompt,
    directive_directs,
    neutral_non_directive,
    generic_generic,
    echo_echoes,
)


def check_triple(t: Triple, p) -> list[Reason]:
    """Every reason this cleaned triple fails (p: ValidateParams); empty when it passes."""
    reasons = surface(t, p.min_words, p.max_words) + responses_differ(t)
    reasons += [r for check in ROW_CHECKS if (r := check(t)) is not None]
    for r in (
        aligned_specific_enough(t, p.min_specificity),
        aligned_not_formulaic(t, p.min_content_share),
    ):
        if r is not None:
            reasons.append(r)
    return reasons
