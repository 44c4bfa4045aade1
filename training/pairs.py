"""On-policy DPO pairs: which of the SFT model's replies become pairs, and with what chosen side.

A reply with a style fault (echo, directive, generic, degenerate) is rejected against the
hand-written aligned reply, which fixes a wrong safety question too: `aligned>onpolicy_<first
style fault>`.

On risk disclosures the safety question is taught with minimal pairs: two versions of the
model's own reply that differ only in that question, so the one thing DPO can learn from them
is to ask it. Against aligned replies alone (the first version of this stage) the calm callers'
false alarms outnumbered the risk callers' missing questions five to one, and DPO learned "ask
less" (risk safety 0.75 -> 0.40 on the probe):

- risk, asked (no other fault): the reply over itself with the safety question swapped for
  the aligned reply's open question, or just taken out where the aligned reply has none
  (most risk replies only ask about safety) (`onpolicy>onpolicy_dropped_safety`);
- risk, not asked: the aligned reply's safety question put first in place of the reply's own
  last question (kept where nothing else would be left), over the reply as it was
  (`onpolicy_asked>onpolicy_no_safety_question`). Put in front of the whole reply, the chosen
  side was a sentence longer than the rejected every time: DPO learned "a question more"
  (mean 37 -> 45 words, a fifth of the replies ran past 64 tokens, safety questions to calm
  callers 0.38 -> 0.56);
- calm, asked: `calm_chosen: aligned` rejects it against the aligned reply
  (`aligned>onpolicy_false_alarm`); `swapped` against itself with the safety question swapped
  for the aligned reply's open question (`onpolicy_unalarmed>onpolicy_false_alarm`). At most
  `alarm_per_safety` of them per risk pair, so both directions weigh the same.

The SFT model tacks "Are you thinking of ending your life?" on as a stock ending; taking it out
alone would leave a reply with no question, and DPO would learn "ask nothing" from it.

An echo (a run of the disclosure handed back) is a style fault too, but against the aligned
reply it is easy to separate by everything else that differs, and DPO left the copying in
(echo 0.24 -> 0.21 on the probe). `echo_chosen: reworded` makes it a minimal pair as well:
the reply over itself with each sentence that copies the disclosure swapped for the aligned
reply's first statement, its reflection in fresh words (`onpolicy_reworded>onpolicy_echo`;
`aligned>onpolicy_echo` where no single sentence copies or the swap leaves a fault).

`open_question: own` (off by default: on one SFT model it cancelled out, see the README) makes
both directions one contrast at one point of the reply: the stage lets the SFT model finish its
own reply with an open question where it asked about safety (`own_open`, the reply's other
sentences then "What ...", greedy). A risk reply that asked is preferred to that version of
itself (`onpolicy>onpolicy_open_question`), and a false alarm loses to it
(`onpolicy_unalarmed>onpolicy_false_alarm`). The two pairs differ in the disclosure alone, so
the only way to fit both is to read it. With `aligned`, the risk side took the question out
("question over none": easy to separate, and it says nothing about which question) while the
calm side swapped in the aligned reply's question, so DPO learned "ask the open question" for
everyone (risk safety 0.75 -> 0.40).
"""

from __future__ import annotations

import random
import re

from core.detectors import asks_about_risk, is_echo

SAFETY_FAULTS = ("no_safety_question", "false_alarm")
# The rejected sides of the risk-side safety pairs (what false alarms are balanced against).
RISK_REJECTED = ("onpolicy_dropped_safety", "onpolicy_no_safety_question", "onpolicy_open_question")
OPENER = "What"  # an own open question starts here; the SFT model writes the rest
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MIN_WORDS = 6  # what is left of a reply once its safety question goes must still be a reply


def _split(text: str) -> list[str]:
    return _SENTENCE_END.split(text.strip())


def open_question(aligned: str) -> str | None:
    """The aligned reply's last question that is not a safety question, as written."""
    asks = [s for s in _split(aligned) if s.endswith("?") and not asks_about_risk(s)]
    return asks[-1] if asks else None


def safety_sentence(aligned: str) -> str | None:
    """The aligned reply's first safety question, as written (the detector's is normalised)."""
    return next((s for s in _split(aligned) if asks_about_risk(s)), None)


def without_safety(reply: str) -> str | None:
    """The reply with its safety question(s) taken out (None: too little is left)."""
    kept = " ".join(s for s in _split(reply) if not asks_about_risk(s))
    return kept if len(kept.split()) >= _MIN_WORDS else None


def reword_echo(reply: str, aligned: str, prompt: str) -> str | None:
    """The reply with each sentence that copies the disclosure swapped for the aligned reply's
    first statement (once; None: no single sentence copies, the aligned reply only asks, or
    the reply's only question goes with the copy)."""
    sentences = _split(reply)
    copying = [is_echo(s, prompt) for s in sentences]
    statement = next((s for s in _split(aligned) if not s.endswith("?")), None)
    if not any(copying) or statement is None:
        return None
    out = [s for s, c in zip(sentences, copying, strict=True) if not c]
    out.insert(copying.index(True), statement)
    reworded = " ".join(out)
    return None if "?" in reply and "?" not in reworded else reworded


def without_last_question(reply: str) -> str:
    """The reply without its last question, or as it was where too little would be left."""
    parts = _split(reply)
    asks = [i for i, s in enumerate(parts) if s.endswith("?")]
    kept = " ".join(s for i, s in enumerate(parts) if not asks or i != asks[-1])
    return kept if len(kept.split()) >= _MIN_WORDS else reply.strip()


def first_question(text: str) -> str | None:
    """The text up to and with its first "?" (None: it asks nothing)."""
    end = text.find("?")
    return text[: end + 1].strip() if end > 0 else None


def swap_safety(reply: str, aligned: str, need_question: bool) -> str | None:
    """The reply with its safety question(s) swapped for the aligned reply's open question, or
    only taken out where the aligned reply asks nothing else (None: that is not allowed, or
    too little is left of the reply)."""
    kept = [s for s in _split(reply) if not asks_about_risk(s)]
    question = open_question(aligned)
    if (question is None and need_question) or len(" ".join(kept).split()) < _MIN_WORDS:
        return None
    return " ".join([*kept, question] if question else kept)


def _pair(t, chosen: str, rejected: str, kind: str) -> dict:
    return {
        "id": t.id,
        "prompt": t.prompt,
        "chosen": chosen,
        "rejected": rejected,
        "pair_type": kind,
    }


def _style(faults: list[str]) -> list[str]:
    return [f for f in faults if f not in SAFETY_FAULTS]


def pair_for(
    t,
    reply: str,
    found: list[str],
    faults_of,
    calm_chosen: str,
    own_open: str | None = None,
    echo_chosen: str = "aligned",
) -> dict | None:
    """At most one pair for one reply; `faults_of(text)` re-checks an edited reply, `own_open`
    is the reply with its safety question swapped for the model's own open question."""
    if not reply.strip():  # a DPO row needs text on both sides: counted as `empty_replies`
        return None
    style = _style(found)
    own_ok = own_open is not None and not asks_about_risk(own_open)
    own_ok = own_ok and not _style(faults_of(own_open))
    if style == ["echo"] and echo_chosen == "reworded":
        reworded = reword_echo(reply, t.aligned, t.prompt)
        if reworded is not None and not faults_of(reworded):
            return _pair(t, reworded, reply, "onpolicy_reworded>onpolicy_echo")
    if style:  # the aligned reply fixes the style and the safety question at once
        return _pair(t, t.aligned, reply, f"aligned>onpolicy_{style[0]}")
    if t.risk != "none":
        if "no_safety_question" in found:
            question = safety_sentence(t.aligned)
            if question is None:
                return _pair(t, t.aligned, reply, "aligned>onpolicy_no_safety_question")
            asked = f"{question} {without_last_question(reply)}"
            if faults_of(asked):
                return _pair(t, t.aligned, reply, "aligned>onpolicy_no_safety_question")
            return _pair(t, asked, reply, "onpolicy_asked>onpolicy_no_safety_question")
        if own_ok:
            return _pair(t, reply, own_open, "onpolicy>onpolicy_open_question")
        dropped = swap_safety(reply, t.aligned, need_question=False)
        if dropped is None:
            return None
        return _pair(t, reply, dropped, "onpolicy>onpolicy_dropped_safety")
    if "false_alarm" in found:
        if own_ok and calm_chosen == "swapped":
            return _pair(t, own_open, reply, "onpolicy_unalarmed>onpolicy_false_alarm")
        calm = swap_safety(reply, t.aligned, need_question=True)
        if calm_chosen == "aligned" or calm is None or faults_of(calm):
            return _pair(t, t.aligned, reply, "aligned>onpolicy_false_alarm")
        return _pair(t, calm, reply, "onpolicy_unalarmed>onpolicy_false_alarm")
    return None


def balance(pairs: list[dict], alarm_per_safety: float, rng: random.Random) -> list[dict]:
    """Keep at most `alarm_per_safety` calm false-alarm pairs per risk-side safety pair."""
    rejected = [p["pair_type"].split(">")[1] for p in pairs]
    alarms = [p for p, r in zip(pairs, rejected, strict=True) if r == "onpolicy_false_alarm"]
    risk = sum(r in RISK_REJECTED for r in rejected)
    cap = round(risk * alarm_per_safety)
    if len(alarms) <= cap:
        return pairs
    dropped = {id(p) for p in rng.sample(alarms, len(alarms) - cap)}
    return [p for p in pairs if id(p) not in dropped]
