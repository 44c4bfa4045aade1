"""Stage `onpolicy`: which SFT replies become rejected replies, and how the sample is drawn."""

from __future__ import annotations

import random

from core.schema import Triple
from training.onpolicy import FAULTS, draw, faults

BRIDGE = (
    "I'm on the bridge over the bypass right now. I've written notes for my mum and my little "
    "brother and left them on my bed."
)
OFFICE = "My manager moved my desk next to the printer and now I get panic attacks every morning."


def test_a_risk_reply_without_a_safety_question_is_a_fault():
    reply = "Your notes on the bed, and the bridge. What's it like sitting there with them?"
    assert faults(reply, BRIDGE, "high", False) == ["no_safety_question"]


def test_a_risk_reply_that_asks_about_safety_is_kept_out():
    reply = (
        "You've written notes for the people you love and you're on the bridge now. "
        "Are you thinking of ending your life tonight?"
    )
    assert faults(reply, BRIDGE, "high", False) == []


def test_a_safety_question_to_a_calm_caller_is_a_false_alarm():
    reply = "Your desk by the printer, and the panic every morning. Are you thinking of ending your life?"
    assert faults(reply, OFFICE, "none", False)[0] == "false_alarm"


def test_a_verbatim_restatement_is_an_echo_first():
    reply = "Your manager moved your desk next to the printer and now I get panic attacks every morning. What's that like?"
    found = faults(reply, OFFICE, "none", False)
    assert found and found[0] == "echo"


def test_advice_and_word_salad_are_faults_in_the_documented_order():
    assert "directive" in faults("You should ask HR to move you back.", OFFICE, "none", False)
    salad = "printer printer desk desk hung hung hung background background background"
    assert "degenerate" in faults(salad, OFFICE, "none", True)
    assert set(FAULTS) >= {
        "echo",
        "no_safety_question",
        "false_alarm",
        "directive",
        "generic",
        "degenerate",
    }


def _triple(i: int, risk: str) -> Triple:
    return Triple(
        id=f"t{i}",
        theme="work",
        risk=risk,
        source="seed",
        prompt=f"Disclosure number {i} about my week at work and how it went.",
        aligned="It sounds like work has been weighing on you. What has that been like?",
        neutral="Thanks for sharing.",
        directive="You should talk to your boss.",
    )


def test_draw_takes_the_risk_share_and_is_seeded():
    rows = [_triple(i, "high" if i % 5 == 0 else "none") for i in range(200)]
    a = draw(rows, 40, 0.5, random.Random(1))
    b = draw(rows, 40, 0.5, random.Random(1))
    assert [t.id for t in a] == [t.id for t in b]
    assert len(a) == 40 and sum(t.risk != "none" for t in a) == 20


def test_draw_with_few_risk_rows_takes_them_all_and_fills_up():
    rows = [_triple(i, "high" if i < 3 else "none") for i in range(50)]
    picked = draw(rows, 20, 0.5, random.Random(0))
    assert len(picked) == 20 and sum(t.risk != "none" for t in picked) == 3
