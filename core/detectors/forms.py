"""Sentence forms: instruction, judgement, question (open, closed, or a reflection said back with
"?"). Sentences come lowercased from `text._sentences`; each function here looks at one."""

from __future__ import annotations

import re
from functools import lru_cache

from core.detectors.lexicon import alternation, regex, wordset
from core.detectors.text import _WORD, _toks

# "she says you should", "being told you're overreacting", "you feel you should have": the
# verdict belongs to someone the caller quoted, not to the listener.
_REPORTED = regex("reported")
_LISTENER = regex("listener")


def _reported(text: str, m: re.Match[str]) -> bool:
    prefix = text[max(0, m.start() - 40) : m.start()]
    return bool(_REPORTED.search(prefix)) and not _LISTENER.search(prefix)


# Advice and judgement phrasing, unless the caller is quoting someone who said it.
_ADVICE = alternation("advice", guard=_reported)
# Either one, in one pass over the trigger words they share ("you", "it", "the", ...).
_ADVICE_OR_JUDGE = alternation("advice", "judge", guard=_reported)
_OPEN_INVITE = alternation("open_invite")
# Word sets and patterns by their names in words.yaml / patterns.yaml. _IMPERATIVE: verbs that
# open an instruction ("Try ...", "Call her", "Don't ..."); _NOT_IMPERATIVE: invitations.
_IMPERATIVE, _WH, _AUX, _SUBJ, _DET, _GERUND_NOT, _GERUND_GOOD = map(
    wordset, ("imperative", "wh", "aux", "subject", "determiner", "gerund_not", "gerund_good")
)
# _RISK_Q: a question that names the risk act itself is about this caller even with no shared word.
_NOT_IMPERATIVE, _LEAD, _HELPFUL, _REFLECT_START, _CHECK_TAG, _ASK_START, _RISK_Q, _SAFETY_Q = map(
    regex,
    (
        "not_imperative",
        "lead",
        "helpful",
        "reflect_start",
        "check_tag",
        "ask_start",
        "risk_q",
        "safety_q",
    ),
)
_PAST = frozenset("made told brought got kept took gave led drove let put".split())
_FINITE = frozenset("is was are were has have had will would can".split())
_QUOTES = ('"', "\u201c", "\u201d")
_CLAUSE = regex("clause")
_LEAD_FIRST = frozenset(_WORD.findall(_LEAD.pattern.replace("?:", "")))
_UNMARKED_FIRST = _WH | _AUX | _LEAD_FIRST | {"let", "i", "if"}


def _lead(clause: str) -> str:
    """A clause without its leading connectives, fillers and a first word said twice ("and so,
    call her" -> "call her"; "um, what-what makes you say that" -> "what makes you say that")."""
    clause = clause.strip().lstrip("\"'\u201c\u201d(*")
    if clause.split(" ", 1)[0].rstrip(",") in _LEAD_FIRST:
        clause = _LEAD.sub("", clause).strip()
    head, _, rest = clause.partition(" ")
    word = head.rstrip(",-")
    if "-" in word and len(set(word.split("-"))) == 1:  # "what-what makes"
        return f"{word.split('-', 1)[0]} {rest}".strip()
    if word and rest.startswith(word) and rest[len(word) : len(word) + 1] in (" ", ",", ""):
        return rest  # "what what makes", "do, do you", "i- i think"
    return clause


def _question_order(clause: str) -> bool:
    parts = clause.split()
    return parts[0] in _AUX and _aux_order(parts)


def _is_imperative(sentence: str) -> bool:
    """An instruction opens the sentence or one of its clauses ("If she calls, tell her ...")."""
    if _IMPERATIVE.isdisjoint(_toks(sentence)):
        return False  # a clause's first word is also one of the sentence's words: none is a verb
    for clause in _CLAUSE.split(sentence):
        s = _lead(clause)
        first = s.split(" ", 1)[0] if s else ""
        if first in _IMPERATIVE and not _NOT_IMPERATIVE.match(s) and not _question_order(s):
            return True  # "do you ..." is a question, "do something" an instruction
    return False


def _gerund_advice(sentence: str) -> bool:
    """'Talking to someone you trust can help': an activity opens the sentence and is called
    helpful, important or worth it."""
    if sentence.endswith("?") or _GERUND_GOOD.isdisjoint(_toks(sentence)):
        return False  # the cheap tests first
    first = _lead(sentence).split(" ", 1)[0]
    return (
        len(first) > 5
        and first.endswith("ing")
        and first not in _GERUND_NOT
        and bool(_HELPFUL.search(sentence))
    )


@lru_cache(maxsize=16384)
def _sentence_advice(sentence: str) -> bool:
    return bool(
        _ADVICE.search(sentence, _toks(sentence))
        or _is_imperative(sentence)
        or _gerund_advice(sentence)
    )


@lru_cache(maxsize=16384)
def _sentence_directive(sentence: str) -> bool:
    """_sentence_advice(sentence) or a judgement."""
    return bool(
        _ADVICE_OR_JUDGE.search(sentence, _toks(sentence))
        or _is_imperative(sentence)
        or _gerund_advice(sentence)
    )


def _wh_order(parts: list[str]) -> bool:
    """A wh-word then an auxiliary before any subject: "how are you", "what else do you enjoy",
    "how bad is the pain"; not "when i was ...", "what you said ...", "what matters is ..."."""
    if parts[0] in ("what", "who") and len(parts) > 2 and parts[2] in ("you", "your"):
        verb = parts[1].endswith(("s", "ed")) or parts[1] in _PAST  # "what makes you say that"
        if verb and parts[1] not in _AUX and parts[1] not in _SUBJ:
            return _FINITE.isdisjoint(parts[3:])
    for j, w in enumerate(parts[1:5], 1):
        if w in _SUBJ:
            return False
        if w in _AUX:
            rest = parts[j + 1 :]
            if not _FINITE.isdisjoint(rest):
                return False  # "what was meant to be a week has stretched ..."
            return j == 1 or bool(rest) and (rest[0] in _SUBJ or rest[0] in _DET)
    return False


def _aux_order(parts: list[str]) -> bool:
    """An auxiliary then its subject: "do you ...", "was the ..."; not "do the dishes",
    "have a good day", "could be worse"."""
    nxt = parts[1] if len(parts) > 1 else ""
    if parts[0] in ("do", "have", "don't", "may", "might"):  # not "may all go well"
        return nxt in _SUBJ
    return nxt in _SUBJ or nxt in _DET


def _kind(sentence: str) -> str | None:
    """By form alone: 'open', 'closed', 'declarative' (a statement with "?") or None."""
    if _OPEN_INVITE.search(sentence, _toks(sentence)):
        return "open"
    if not sentence.endswith("?"):  # unmarked: only the first words can be in question order
        first = sentence.lstrip("\"'\u201c\u201d(*").split(" ", 1)[0].rstrip(",")
        if first not in _UNMARKED_FIRST and "-" not in first:
            return None  # the common case: a statement
        return _unmarked(next((c for c in map(_lead, _CLAUSE.split(sentence, 3)) if c), ""))
    if sentence[0] not in _QUOTES and sum(map(sentence.count, _QUOTES)) % 2:
        return None  # a question quoted inside a statement: 'thoughts like "what if i fail?'
    clauses = [_lead(c) for c in _CLAUSE.split(sentence.rstrip("?"))]
    if kind := _asked(clauses[0]):
        return kind
    for i, clause in enumerate(clauses):
        parts = clause.split()
        first = parts[0] if parts else ""
        if first in _WH or (
            first in ("and", "or", "i") and i and len(parts) > 1 and parts[1] in _WH
        ):
            return "open"
        if first in _AUX:
            return "closed"
    return "declarative"


def _asked(clause: str) -> str | None:
    """'Let me ask if ...' (closed), 'can i ask what ...' (open): a question announced."""
    if " ask" not in clause or not (m := _ASK_START.match(clause)):
        return None
    return "open" if not _WH.isdisjoint(clause[m.end() :].split()[:2]) else "closed"


def _unmarked(clause: str) -> str | None:
    """A question typed without "?": "what else do you enjoy", "do you have anyone"."""
    parts = clause.split()
    if not parts:
        return None
    if parts[0] in _WH:
        return "open" if _wh_order(parts) else None
    if parts[0] in _AUX:
        return "closed" if _aux_order(parts) else None
    return _asked(clause)


def _reflective_check(sentence: str, kind: str | None) -> bool:
    """The caller's story said back with a question mark ("So you stopped going?", "You feel let
    down, is that right?"): as in MI coding, a reflection with a rising tone, not a question."""
    if not sentence.endswith("?") or sentence.count(" ") < 2:
        return False
    if kind == "declarative" and _REFLECT_START.match(sentence):
        return True
    tail = max(0, len(sentence) - 50)  # the tag ends the sentence: "..., is that right?"
    return kind in ("closed", "declarative") and bool(_CHECK_TAG.search(sentence, tail))


@lru_cache(maxsize=16384)
def _question_kind(sentence: str) -> str | None:
    """'open', 'closed' or None for one sentence. Without "?" the word order decides: typed and
    spoken questions often lack the mark ("what else do you enjoy", "do you have anyone"); a
    statement checked back with "?" is a reflection, not a question."""
    kind = _kind(sentence)
    if _reflective_check(sentence, kind) and not (
        _RISK_Q.search(sentence) or _SAFETY_Q.search(sentence)  # "You're safe tonight?" asks
    ):
        return None
    if kind == "declarative":  # "Maybe you should?" is advice, not a question
        return None if _sentence_advice(sentence) else "closed"
    return kind
