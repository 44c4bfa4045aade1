"""Detectors: the contract's hard cases and accuracy on the team's labelled fixture."""

import json
from pathlib import Path

import pytest

from validators import detectors as d

FIXTURE = Path(__file__).parent / "fixtures" / "detectors.jsonl"
LABELS = ("directive", "open_question", "closed_question", "reflection", "echo", "generic")
# Detectors not yet at the 0.95 target on the fixture (see the validators report); strict, so
# the marker must come off once a detector reaches it.
BELOW_TARGET = {"directive", "reflection", "generic"}
PROMPT = "My sister Priya hasn't spoken to me since Mum's funeral on Tuesday at the crematorium."


def _rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]


def test_fixture_is_big_enough():
    assert len(_rows()) >= 150


@pytest.mark.parametrize(
    "label",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason="below 0.95 on the fixture"))
        if k in BELOW_TARGET
        else k
        for k in LABELS
    ],
)
def test_fixture_accuracy(label):
    rows = [r for r in _rows() if label in r["labels"]]
    assert len(rows) >= 150
    hits = sum(d.score(r["response"], r["prompt"])[label] == r["labels"][label] for r in rows)
    assert hits / len(rows) >= 0.95, f"{label}: {hits}/{len(rows)}"


@pytest.mark.parametrize(
    ("text", "directive", "open_q", "closed_q"),
    [
        ("I wonder what happens when you try to share.", False, True, False),
        ("What would help right now?", False, True, False),
        ("Have you tried talking to her?", True, False, True),
        ("You did nothing wrong.", True, False, False),
        ("It's not your fault.", True, False, False),
        ("Everything will be fine.", True, False, False),
        ("Are you thinking about killing yourself?", False, False, True),
        ("You should call her tonight.", True, False, False),
        ("Try writing it all down before bed.", True, False, False),
        ("If she rings again, tell her how you feel.", True, False, False),
        ("Tell me more about the funeral.", False, True, False),
        ("How about asking your GP?", True, False, False),
    ],
)
def test_contract_hard_cases(text, directive, open_q, closed_q):
    assert d.is_directive(text) is directive
    assert d.has_open_question(text) is open_q
    assert d.has_closed_question(text) is closed_q


def test_when_you_try_to_share_is_not_advice():
    assert not d.is_directive("It sounds lonely when you try to share and nobody listens.")


def test_specificity_counts_stems_not_stock_words():
    assert d.content_stems("That sounds really hard, I know how you feel.") == set()
    assert "sister" in d.content_stems("my sisters")
    assert d.specificity("Your sister's silence since the funeral.", PROMPT) > 0
    assert d.specificity("That sounds really hard.", PROMPT) == 0.0
    assert d.specificity("anything", "the and of") == 0.0  # prompt without content words
    assert d.picks_up_specific("Since the funeral, Priya has gone quiet.", PROMPT)


def test_echo_long_run_and_most_copied():
    assert d.is_echo("Oh, Priya hasn't spoken to me since Mum's funeral, right.", PROMPT)
    short = "Jake left me at the party on Friday night"
    assert d.is_echo(
        "Jake left me, at the party on Friday, night", short
    )  # punctuation does not break a run
    assert not d.is_echo("Your sister's silence since the funeral sounds painful.", PROMPT)


def test_generic_and_reflection():
    assert d.is_generic("I'm here to listen. What's on your mind?", PROMPT)
    assert not d.is_generic("What has Priya's silence been like?", PROMPT)
    assert not d.is_generic("You should talk to Priya.", PROMPT)
    assert d.is_reflection("It sounds like you feel shut out.", PROMPT)
    assert not d.is_reflection("What time is it?", PROMPT)


def test_score_shape_and_empty():
    s = d.score("", PROMPT)
    assert s["empty"] and s["words"] == 0 and not s["generic"]
    assert set(s) == {*LABELS, "specificity", "words", "empty"}
    assert d.words("Don\u2019t GO") == ["don't", "go"]
