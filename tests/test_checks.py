"""Checks: each with a passing and a failing case on an otherwise good triple."""

import pytest

from core.schema import Triple
from tests.helpers import section
from validators.checks import check_triple
from validators.core import ValidateParams

PARAMS = section("validate", ValidateParams)

GOOD = {
    "id": "t1",
    "prompt": "My sister Priya hasn't spoken to me since Mum's funeral on Tuesday. "
    "She blames me for moving Mum into the hospice.",
    "aligned": "Priya's silence since the funeral, on top of losing your mum, sounds lonely "
    "and unfair. What has this week been like for you?",
    "neutral": "Thank you for sharing that with me. It sounds like a difficult situation.",
    "directive": "You should ring Priya tonight and explain why the hospice was the right call.",
    "generic": "I'm here to listen. What's on your mind?",
    "theme": "grief",
    "risk": "none",
    "source": "seed",
}


def codes(**change) -> set[str]:
    return {r.code for r in check_triple(Triple(**{**GOOD, **change}), PARAMS)}


def test_good_triple_passes():
    assert codes() == set()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"aligned": "You did nothing wrong with the hospice, Priya will come round."},
            "aligned_directive",
        ),
        (
            {"aligned": "Was Priya at the hospice with your mum on Tuesday?"},
            "aligned_not_listening",
        ),
        (
            {"aligned": "Priya's silence sounds hard. What happened? How are you?"},
            "aligned_question_stack",
        ),
        (
            {"aligned": "Priya hasn't spoken to me since Mum's funeral, that sounds lonely."},
            "aligned_echo",
        ),
        (
            {"aligned": "That sounds really lonely. What has it been like for you?"},
            "aligned_no_specific",
        ),
        (
            {"directive": "Thank you for telling me about Priya and the funeral."},
            "directive_not_directive",
        ),
        ({"neutral": "Try not to dwell on it, these things happen."}, "neutral_directive"),
        ({"generic": "You should talk to someone. How are you?"}, "generic_directive"),
        ({"generic": "What happened at the funeral?"}, "generic_specific"),
        ({"neutral": GOOD["generic"]}, "responses_identical"),
        (
            {
                "generic": "Thank you for sharing that with me. It sounds like a difficult situation!"
            },
            "responses_identical",
        ),
        ({"neutral": "Thanks."}, "too_short"),
        ({"neutral": "word " * 130}, "too_long"),
        ({"neutral": "Thank you, [name], it sounds like a difficult situation."}, "placeholder"),
        ({"neutral": "As an AI, I hear that it sounds like a difficult time."}, "assistant_ism"),
        (
            {"neutral": "Thank you for sharing that with me. It\u00e2\u20ac\u2122s difficult."},
            "encoding",
        ),
        ({"neutral": "Thank you for sharing that\x07 with me, it is difficult."}, "encoding"),
        ({"risk": "high"}, "risk_no_safety_question"),
    ],
)
def test_each_check_fails(change, code):
    assert code in codes(**change)


@pytest.mark.parametrize(
    "aligned",
    [
        "Priya's silence since the funeral sounds so heavy. Are you thinking about ending your life?",
        "Losing your mum and now Priya too sounds unbearable. Are you safe right now?",
    ],
)
def test_risk_safety_question_is_fine(aligned):
    assert codes(risk="high", aligned=aligned) == set()


def test_generic_is_optional():
    assert codes(generic=None) == set()
