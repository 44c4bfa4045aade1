"""Stage `onpolicy`: which SFT replies become pairs, with what chosen side, and the sample drawn."""

from __future__ import annotations

import random

from core.detectors import asks_about_risk
from core.schema import Triple
from training.onpolicy import FAULTS, draw, faults
from training.pairs import balance, pair_for

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


# --- training.pairs: which chosen side each flagged reply gets ----------------------------

ALIGNED_RISK = (
    "Are you thinking of jumping tonight? You've written to your mum and your brother and "
    "you're on the bridge now."
)
ALIGNED_CALM = (
    "Being moved next to the printer and dreading every morning sounds exhausting. "
    "What are the mornings like now?"
)


def _flagged(risk: str, prompt: str, aligned: str) -> Triple:
    return _triple(0, risk).model_copy(update={"prompt": prompt, "aligned": aligned})


def _pair(
    t: Triple,
    reply: str,
    calm_chosen: str = "aligned",
    own_open: str | None = None,
    echo_chosen: str = "aligned",
) -> dict | None:
    found = faults(reply, t.prompt, t.risk, False)
    refault = lambda text: faults(text, t.prompt, t.risk, False)  # noqa: E731
    return pair_for(t, reply, found, refault, calm_chosen, own_open, echo_chosen)


def test_a_risk_reply_that_asks_is_preferred_to_itself_without_the_question():
    t = _flagged("high", BRIDGE, ALIGNED_RISK)
    reply = "Your notes for your mum are on the bed and you're out there now. Are you safe tonight?"
    pair = _pair(t, reply)
    assert pair["pair_type"] == "onpolicy>onpolicy_dropped_safety"
    assert pair["chosen"] == reply
    assert pair["rejected"] == "Your notes for your mum are on the bed and you're out there now."


def test_a_risk_reply_that_does_not_ask_gets_the_aligned_question_first():
    t = _flagged("high", BRIDGE, ALIGNED_RISK)
    reply = "Your notes for your mum are on the bed and you're out there now. What is that like?"
    pair = _pair(t, reply)
    assert pair["pair_type"] == "onpolicy_asked>onpolicy_no_safety_question"
    assert pair["chosen"] == (
        "Are you thinking of jumping tonight? "
        "Your notes for your mum are on the bed and you're out there now."
    )  # in place of its own question: the same length, not a question more
    assert pair["rejected"] == reply


def test_a_false_alarm_is_swapped_for_the_aligned_open_question_or_against_the_aligned():
    t = _flagged("none", OFFICE, ALIGNED_CALM)
    reply = (
        "The printer beside you and the panic each morning. Are you thinking of ending your life?"
    )
    plain = _pair(t, reply)
    assert plain["pair_type"] == "aligned>onpolicy_false_alarm"
    assert (plain["chosen"], plain["rejected"]) == (ALIGNED_CALM, reply)
    pair = _pair(t, reply, "swapped")
    assert pair["pair_type"] == "onpolicy_unalarmed>onpolicy_false_alarm"
    assert pair["chosen"] == (
        "The printer beside you and the panic each morning. What are the mornings like now?"
    )
    assert not asks_about_risk(pair["chosen"]) and pair["rejected"] == reply


def test_a_style_fault_is_rejected_against_the_aligned_reply_and_a_clean_reply_is_no_pair():
    t = _flagged("none", OFFICE, ALIGNED_CALM)
    echo = f"{OFFICE} What's that like?"
    assert _pair(t, echo)["pair_type"] == "aligned>onpolicy_echo"
    assert _pair(t, echo)["chosen"] == ALIGNED_CALM
    assert _pair(t, "The printer and the panic sound hard. What are mornings like?") is None


def test_an_empty_reply_is_a_fault_but_no_pair():
    """A DPO row needs text on both sides (the dpo stage rejects an empty `rejected`); the
    empty reply stays in replies.jsonl with its fault and is counted as `empty_replies`."""
    for risk, prompt, aligned in (("none", OFFICE, ALIGNED_CALM), ("high", BRIDGE, ALIGNED_RISK)):
        t = _flagged(risk, prompt, aligned)
        assert "degenerate" in faults("", t.prompt, t.risk, False)
        assert _pair(t, "") is None and _pair(t, "  \n") is None


def test_false_alarms_are_capped_per_risk_safety_pair():
    alarm = {"pair_type": "onpolicy_unalarmed>onpolicy_false_alarm"}
    risk = {"pair_type": "onpolicy>onpolicy_dropped_safety"}
    echo = {"pair_type": "aligned>onpolicy_echo"}
    pairs = [dict(alarm) for _ in range(10)] + [dict(risk) for _ in range(4)] + [echo]
    kept = balance(pairs, 1.0, random.Random(0))
    kinds = [p["pair_type"] for p in kept]
    assert kinds.count(alarm["pair_type"]) == 4 and kinds.count(risk["pair_type"]) == 4
    assert echo in kept
    assert len(balance(pairs, 3.0, random.Random(0))) == len(pairs)


def test_own_open_question_makes_both_directions_one_contrast():
    """A risk reply beats its own open-question version; a false alarm loses to its own."""
    risk = _flagged("high", BRIDGE, ALIGNED_RISK)
    asked = "Your notes for your mum are on the bed and you're out there now. Are you safe tonight?"
    own = "Your notes for your mum are on the bed and you're out there now. What's that like?"
    pair = _pair(risk, asked, own_open=own)
    assert pair["pair_type"] == "onpolicy>onpolicy_open_question"
    assert (pair["chosen"], pair["rejected"]) == (asked, own)

    calm = _flagged("none", OFFICE, ALIGNED_CALM)
    alarm = "The printer beside you and the panic each morning. Are you safe tonight?"
    own = "The printer beside you and the panic each morning. What are mornings like?"
    pair = _pair(calm, alarm, "swapped", own_open=own)
    assert pair["pair_type"] == "onpolicy_unalarmed>onpolicy_false_alarm"
    assert (pair["chosen"], pair["rejected"]) == (own, alarm)


def test_an_own_open_question_with_a_fault_falls_back():
    """An own version that still asks about safety, or echoes, is not used."""
    risk = _flagged("high", BRIDGE, ALIGNED_RISK)
    asked = "Your notes for your mum are on the bed and you're out there now. Are you safe tonight?"
    still = "Your notes for your mum are on the bed. What is keeping you safe tonight?"
    assert asks_about_risk(still)
    assert _pair(risk, asked, own_open=still)["pair_type"] == "onpolicy>onpolicy_dropped_safety"
    echo = f"{BRIDGE} What's that like?"
    assert _pair(risk, asked, own_open=echo)["pair_type"] == "onpolicy>onpolicy_dropped_safety"


def test_first_question_and_without_safety():
    from training.pairs import first_question, without_safety

    assert first_question("What's it like? And then") == "What's it like?"
    assert first_question("What is it like") is None
    reply = "Your notes are on the bed and you're out on the bridge. Are you safe tonight?"
    assert without_safety(reply) == "Your notes are on the bed and you're out on the bridge."
    assert without_safety("So hard. Are you safe tonight?") is None  # too little is left


def test_without_last_question_keeps_a_reply_that_would_be_left_too_short():
    from training.pairs import without_last_question

    reply = "Your notes are on the bed. What is that like? What is tonight like out there?"
    assert without_last_question(reply) == "Your notes are on the bed. What is that like?"
    assert without_last_question("So hard. What is that like?") == "So hard. What is that like?"
    assert without_last_question("No question in this reply at all.") == (
        "No question in this reply at all."
    )


def test_an_echo_is_reworded_with_the_aligned_reflection():
    """echo_chosen: reworded: the copying sentence goes, the aligned reply's statement comes in."""
    from training.pairs import reword_echo

    t = _flagged("none", OFFICE, ALIGNED_CALM)
    echo = "My manager moved my desk next to the printer, you said. What are the mornings like?"
    pair = _pair(t, echo, echo_chosen="reworded")
    assert pair["pair_type"] == "onpolicy_reworded>onpolicy_echo"
    assert pair["chosen"] == (
        "Being moved next to the printer and dreading every morning sounds exhausting. "
        "What are the mornings like?"
    )
    assert pair["rejected"] == echo
    assert _pair(t, echo)["pair_type"] == "aligned>onpolicy_echo"  # the default keeps aligned
    # the copy was the only question: swapping it for a statement would teach "ask nothing"
    assert reword_echo(f"That sounds hard. {OFFICE[:-1]}?", ALIGNED_CALM, OFFICE) is None
    assert reword_echo("The printer sounds hard. What is it like?", ALIGNED_CALM, OFFICE) is None
