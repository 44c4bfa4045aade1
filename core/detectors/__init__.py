"""Listening detectors shared by the validators, the offline generator and the evaluation.

Rule-based and precompiled (plain regexes and word sets in words.yaml / patterns.yaml beside
this file, a tiny suffix stemmer) so that the validator keeps well above 3,000 triples/s on
one core. Try: ``python -m evals.score``.
"""

from __future__ import annotations

from functools import lru_cache

from core.detectors.echo import copied_run, is_echo
from core.detectors.forms import (
    _RISK_Q,
    _SAFETY_Q,
    _kind,
    _question_kind,
    _reflective_check,
    _sentence_advice,
    _sentence_directive,
)
from core.detectors.lexicon import alternation, regex, wordset
from core.detectors.text import (
    EMOTION,
    STOCK,
    STOP,
    _content_stems,
    _prompt_info,
    _sentences,
    _toks,
    _words,
    content_stems,
    stem,
    words,
)

__all__ = ["EMOTION", "STOCK", "STOP", "content_stems", "copied_run", "is_echo", "stem", "words"]

_FEELING = alternation("feeling")
# Stock sympathy ("That must be so hard", "I hear you"): a feeling frame with nothing else in it
# names no feeling of the caller and nothing they said.
_SYMPATHY = STOP | wordset("sympathy")
# The listener talking about themselves: "my ex was the same", "I can't sleep either".
_SELF = regex("self")
# Every alternative of _SELF needs "my", "me" or "i" as a whole word; in a sentence's tokens
# that is the word itself or, after an apostrophe ("o'my"), a token's tail.
_SELF_WORDS, _SELF_TAILS = frozenset(("my", "me", "i")), ("'my", "'me", "'i")
_INVITE_START = regex("invite_start")
_SECOND = wordset("second")  # "you're worried ...", "your mum ...": a sentence about the caller
_FIRST = frozenset("i me we us our".split())
_IMMEDIATE = regex("immediate")
_GLUE = STOP | STOCK


@lru_cache(maxsize=8192)
def directive_sentence(response: str) -> str | None:
    """The first sentence that advises, instructs or judges (None when there is none)."""
    return next((s for s in _sentences(response) if _sentence_directive(s)), None)


def is_directive(response: str) -> bool:
    """Advice, instructions, suggestions, evaluative judgement or false reassurance."""
    return directive_sentence(response) is not None


def is_advice(response: str) -> bool:
    """The advice part of `is_directive`: suggestions and instructions, without judgement."""
    return any(_sentence_advice(s) for s in _sentences(response))


def asks_question(response: str) -> bool:
    """An open or a closed question (see `has_open_question`, `has_closed_question`)."""
    return has_open_question(response) or has_closed_question(response)


def questions(response: str) -> list[str]:
    """The question sentences of a response (lowercased)."""
    return [s for s in _sentences(response) if _question_kind(s)]


@lru_cache(maxsize=8192)
def open_question_count(response: str) -> int:
    """Number of open-question sentences (a listener asks one at a time)."""
    return sum(
        _question_kind(s) == "open" and not _sentence_directive(s) for s in _sentences(response)
    )


def has_open_question(response: str) -> bool:
    """A what/how/tell-me question that is not advice in disguise."""
    return open_question_count(response) > 0


def has_closed_question(response: str) -> bool:
    """A yes/no question (are you / do you / is it ...)."""
    return any(_question_kind(s) == "closed" for s in _sentences(response))


def picks_up_specific(response: str, prompt: str) -> bool:
    """At least one content stem of the prompt appears in the response."""
    return not _prompt_info(prompt)[0].isdisjoint(_content_stems(response))


def specificity(response: str, prompt: str) -> float:
    """Share (0..1) of the prompt's content stems that the response picks up."""
    stems = _prompt_info(prompt)[0]
    return len(stems & _content_stems(response)) / len(stems) if stems else 0.0


def content_share(response: str) -> float:
    """Share (0..1) of words that are neither stop-words nor stock helpline phrasing: a
    phrase-bank reply is mostly glue around one or two slots."""
    toks = _words(response)
    return (len(toks) - sum(map(_GLUE.__contains__, toks))) / len(toks) if toks else 0.0


def _may_be_self(sentence: str) -> bool:
    """False only when _SELF cannot match (a cheap test: the regex is slow on every sentence)."""
    toks = _toks(sentence)
    if not _SELF_WORDS.isdisjoint(toks):
        return True
    return "'" in sentence and any(t.endswith(_SELF_TAILS) for t in toks)


def _reflects(sentence: str, prompt: str) -> bool:
    """One statement names the caller's feeling ("sounds ...", "you must have felt ...") or says
    back their situation: a sentence about them ("You're worried the kids will notice", "so
    you've been ...") with a feeling word or something they said. A statement checked back with
    "?" counts; a general remark ("Exams are hard") or stock sympathy does not."""
    if _INVITE_START.match(sentence) or (_may_be_self(sentence) and _SELF.search(sentence)):
        return False
    if sentence.endswith("?"):  # a check ("So you left?") or an echo ("Cheating on you?")
        kind = _kind(sentence)
        return _reflective_check(sentence, kind) or (
            kind == "declarative"
            and sentence.count(" ") < 6
            and picks_up_specific(sentence, prompt)
        )
    toks = _toks(sentence)
    if _SYMPATHY.issuperset(toks):
        return False
    if _FEELING.search(sentence, toks):
        return True
    if _SECOND.isdisjoint(toks) and not sentence.startswith("so "):
        # No "you": a restatement must carry the caller's story (two of their specifics).
        shared = _prompt_info(prompt)[0] & _content_stems(sentence)
        return _FIRST.isdisjoint(toks) and len(shared) > 1
    return not EMOTION.isdisjoint(toks) or picks_up_specific(sentence, prompt)


@lru_cache(maxsize=8192)
def is_reflection(response: str, prompt: str) -> bool:
    """Reflects a feeling or the content of the prompt; advice and questions never do."""
    if is_directive(response):
        return False
    return any(_reflects(s, prompt) for s in _sentences(response))


def safety_question(response: str) -> str | None:
    """The first question that asks directly about safety: the risk act named ("Are you thinking
    of jumping tonight?"), danger, means or a medical emergency ("Is an ambulance on its way?"),
    harm to someone else, or a yes/no question whether someone is with the caller ("Is anyone
    with you tonight?"); "Are you going home tonight?" names the moment and asks nothing of it."""
    for s in _sentences(response):
        if not s.endswith("?"):
            continue
        if _RISK_Q.search(s) or _SAFETY_Q.search(s):
            return s
        if _IMMEDIATE.search(s) and _question_kind(s) == "closed":
            return s
    return None


def asks_about_risk(response: str) -> bool:
    """Asks directly about safety (see `safety_question`)."""
    return safety_question(response) is not None


def is_generic(response: str, prompt: str) -> bool:
    """Non-directive, content-free stock response: picks up no specific of the prompt."""
    if not _words(response) or is_directive(response) or asks_about_risk(response):
        return False
    if not _prompt_info(prompt)[0]:  # nothing concrete to pick up: a tailored reflection counts
        return not is_reflection(response, prompt)
    return not picks_up_specific(response, prompt)


# The boolean detectors, in the order every report lists them; `score` adds specificity, words
# and empty. The eval task YAML, the scoring CLI and the metrics all take the names from here.
NAMES = ("directive", "open_question", "closed_question", "reflection", "echo", "generic")
SCORE_FIELDS = (*NAMES, "empty", "specificity", "words")


def score(response: str, prompt: str) -> dict:
    """All detectors for one response to one prompt (keys: SCORE_FIELDS)."""
    n = len(_words(response))
    return {
        "directive": is_directive(response),
        "open_question": has_open_question(response),
        "closed_question": has_closed_question(response),
        "reflection": is_reflection(response, prompt),
        "echo": is_echo(response, prompt),
        "generic": is_generic(response, prompt),
        "specificity": specificity(response, prompt),
        "words": n,
        "empty": n == 0,
    }
