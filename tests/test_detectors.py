"""Detectors: the contract's hard cases and accuracy on the team's labelled fixture."""

import json
from pathlib import Path

import pytest

from core import detectors as d

FIXTURE = Path(__file__).parent / "fixtures" / "detectors.jsonl"
LABELS = ("directive", "open_question", "closed_question", "reflection", "echo", "generic")
PROMPT = "My sister Priya hasn't spoken to me since Mum's funeral on Tuesday at the crematorium."


def _rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line]


def test_fixture_is_big_enough():
    assert len(_rows()) >= 150


@pytest.mark.parametrize("label", LABELS)
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


# Held out: written after the fixture misses were fixed, never tuned on; each is one general rule.
HELD_OUT = (
    "My brother Tom hasn't called since Dad's stroke in March and I do all the hospital visits."
)


@pytest.mark.parametrize(
    ("text", "directive"),
    [
        ("You'll get through this, I'm certain.", True),  # reassurance, no advice word
        ("Tom is being really unfair to you.", True),  # verdict on a third party
        ("Your brother ought to help more.", True),  # a third party's 'ought' is still a verdict
        ("Would you text Tom tonight and ask him to come?", True),  # suggestion as a question
        ("Don't you think Tom would want to know?", True),
        ("Trust your instincts about the visits.", True),  # imperative outside the core verbs
        ("Mornings are the worst, so rest whenever you can.", True),  # instruction after 'so'
        ("Your dad couldn't have known it would happen.", True),
        ("Tom says you should stop fussing, and that sounds hurtful.", False),  # reported speech
        ("You've been told you have to do everything yourself.", False),
        ("The only rest you can get is in the hospital car park.", False),  # descriptive 'you can'
        ("Is there anyone you could call if it gets too much tonight?", False),  # exploring support
        ("Try as you might, the visits never seem to get easier.", False),  # idiom
        ("You must have felt so let down when Tom didn't ring.", False),  # reflection of feeling
    ],
)
def test_held_out_directive(text, directive):
    assert d.is_directive(text) is directive, text


@pytest.mark.parametrize(
    ("text", "reflection", "generic"),
    [
        ("That must be so hard.", False, True),  # stock sympathy
        ("I hear you. What's going on?", False, True),
        ("Doing every hospital visit on your own sounds draining.", True, False),
        ("My dad had a stroke too, I get it.", False, False),  # the listener about themselves
        ("How do you feel about Tom?", False, False),  # a question is not a reflection
        ("Are you thinking about harming yourself tonight?", False, False),  # safety: specific
    ],
)
def test_held_out_reflection_and_generic(text, reflection, generic):
    assert d.is_reflection(text, HELD_OUT) is reflection, text
    assert d.is_generic(text, HELD_OUT) is generic, text


def test_stemmer_and_short_specifics():
    assert d.stem("kidney") == d.stem("kidneys")
    assert d.stem("pregnancy") == d.stem("pregnant")
    assert {"gp", "pe", "ex"} <= d.content_stems("my GP, my PE kit and my ex")


def test_echo_after_mapping_i_to_you():
    assert d.is_echo("Since Jake left, you feel so alone.", "I feel so alone since Jake left.")
    prompt = "I'm a Muslim convert and I've been praying in my car outside the Co-op every day."
    assert not d.is_echo("Praying in the car sounds lonely.", prompt)


# Forms seen in human-written replies that are not ours (evals/detector_report.md): disfluent
# speech, questions typed without "?", reflections with no cue phrase, statements checked back
# with "?", and suggestions made without "should". Written for this test, not copied from data.
@pytest.mark.parametrize(
    ("text", "open_q", "closed_q"),
    [
        ("What-what makes you say that?", True, False),  # a word said twice
        ("Um, what do you think happened", True, False),  # filler, no "?"
        ("I- I wonder what that was like.", True, False),
        ("what else do you enjoy", True, False),  # question word order without "?"
        ("How bad is the pain today", True, False),
        ("do you have anyone at home", False, True),
        ("What you said to her took courage.", False, False),  # wh-word, then a subject
        ("When I was little we moved a lot.", False, False),
        ("Have a good night.", False, False),
        ("So you stopped going to the gym?", False, False),  # a reflection checked back
        ("You feel let down, is that right?", False, False),
        ("You're safe tonight?", False, True),  # ... unless it asks about safety
        ('She keeps asking herself "what if I fail?', False, False),  # a quoted question
        ("Maybe you should ring her?", False, False),  # advice with a question mark
    ],
)
def test_question_forms_beyond_the_question_mark(text, open_q, closed_q):
    assert d.has_open_question(text) is open_q, text
    assert d.has_closed_question(text) is closed_q, text


@pytest.mark.parametrize(
    ("text", "reflection"),
    [
        ("You're worried the kids will notice.", True),  # no cue phrase: about the caller
        ("You've been doing every hospital visit since March.", True),
        ("So you stopped going to the gym?", True),
        ("That was a lot to take in, wasn't it?", True),
        ("Exams are stressful for everyone.", False),  # a general remark
        ("I understand how you feel.", False),  # stock sympathy
        ("What do you think might help?", False),
    ],
)
def test_reflection_by_content(text, reflection):
    assert d.is_reflection(text, HELD_OUT) is reflection, text


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("Maybe talking to a counsellor would help.", True),
        ("Writing it down can really help.", True),
        ("You might want to ring your GP.", True),
        ("It might be time to speak to HR.", True),
        ("Maybe you should ring her?", True),
        ("What do you think might help?", False),  # exploring, not advising
        ("I can help you think it through.", False),
        ("You did nothing wrong.", False),  # judgement: directive, but not advice
    ],
)
def test_advice_without_should(text, advice):
    assert d.is_advice(text) is advice, text
    assert d.is_directive(text) is (advice or text == "You did nothing wrong."), text


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Are you thinking of ending your life tonight?", True),  # the act named
        ("Is anyone with you right now?", True),  # someone present, yes/no
        ("Is there someone you trust nearby?", True),
        ("Are you on your own tonight?", True),
        ("Are you safe tonight?", True),
        ("Are you thinking of going home tonight?", False),  # the moment named, nothing asked of it
        ("Are you going out with friends at the moment?", False),
        ("Do you feel alone in this?", False),  # a feeling, not where they are
        ("Who is with you right now?", False),  # open: exploring
    ],
)
def test_safety_question_needs_more_than_the_moment(text, asks):
    assert d.asks_about_risk(text) is asks, text
